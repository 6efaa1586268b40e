/**
 * Flattening: a verified chain written as one standalone image. qemu reads
 * qcow2, qed and vmdk chains itself (given explicitly, see attach/blockdev);
 * VHD chains, which qemu cannot read, are merged by vmcraft first.
 */
import { randomBytes } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { VmcraftError } from '../core/errors.js';
import { resolveChain, type ChainLink } from '../attach/chain.js';
import { convert, type ConvertOptions, type ConvertResult } from './convert.js';
import { mergeVhdChain } from './vhd.js';

/**
 * Verifies the chain of `image` against the `chain` option (by default the
 * image alone: pass `chain: { allowDir }` or a chain resolveChain returned to
 * flatten one) and writes it as one standalone image (the options of
 * {@link convert}). VHD chains are merged by vmcraft into a raw temp file
 * beside `dst` first, since qemu cannot read differencing VHDs.
 */
export async function flatten(image: string, dst: string, options: ConvertOptions = {}): Promise<ConvertResult & { chain: ChainLink[] }> {
  const chain = await resolveChain(image, { ...(options.sourceFormat ? { format: options.sourceFormat } : {}), ...(options.chain ? { chain: options.chain } : {}) });
  if (chain[0]!.format !== 'vhd' || chain.length === 1) {
    return { ...(await convert(image, dst, { ...options, sourceFormat: chain[0]!.format, chain })), chain };
  }
  if (!options.overwrite && (await stat(dst).then(() => true, () => false))) throw new VmcraftError('EEXIST', `${dst} exists (pass overwrite: true to replace it)`, { path: dst });
  const merged = path.join(path.dirname(dst), `.${path.basename(dst)}.vmcraft-${randomBytes(4).toString('hex')}.raw`);
  try {
    await mergeVhdChain(chain.map((l) => l.path), merged, options.signal);
    const result = await convert(merged, dst, { ...options, sourceFormat: 'raw', chain: 'none' });
    return { ...result, sourceFormat: 'vhd', chain };
  } finally {
    await rm(merged, { force: true });
  }
}
