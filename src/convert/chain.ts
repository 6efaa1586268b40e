/**
 * Snapshot chains: VMDK descriptors (parentFileNameHint, CID/parentCID) and
 * qcow2/vhd/… backing files, resolved level by level and verified (missing
 * parent, CID mismatch, loop → ECHAIN), and flattened into one image.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { VmcraftError } from '../core/errors.js';
import { defaultRunner, type Runner } from '../core/exec.js';
import { convert, type ConvertOptions, type ConvertResult } from './convert.js';
import { detectFormat, qemuDriver, type ImageFormat } from './detect.js';
import { parseImageInfo } from './info.js';
import { NO_PARENT_CID, readVmdkDescriptor } from './vmdk.js';

/** One image of a chain. */
export interface ChainLink {
  path: string;
  format: ImageFormat;
  /** VMDK content ids. */
  cid?: string;
  parentCid?: string;
}

async function present(file: string, child: string): Promise<void> {
  if (!(await stat(file).then((s) => s.isFile(), () => false))) {
    throw new VmcraftError('ECHAIN', `the parent ${file} of ${child} is missing`, { path: file });
  }
}

async function vmdkParent(link: ChainLink): Promise<ChainLink | undefined> {
  const desc = await readVmdkDescriptor(link.path);
  link.cid = desc.cid;
  link.parentCid = desc.parentCid;
  if (desc.parentCid === NO_PARENT_CID) return undefined;
  if (!desc.parentFileNameHint) throw new VmcraftError('ECHAIN', `${link.path} has a parentCID but no parentFileNameHint`);
  const parentPath = path.resolve(path.dirname(link.path), desc.parentFileNameHint);
  await present(parentPath, link.path);
  return { path: parentPath, format: (await detectFormat(parentPath)).format };
}

async function backingParent(link: ChainLink, runner: Runner): Promise<ChainLink | undefined> {
  const { stdout } = await runner.run('qemu-img', ['info', '--output=json', '-f', qemuDriver(link.format), link.path]);
  const info = parseImageInfo(stdout);
  if (!info.backingFilename) return undefined;
  const parentPath = path.resolve(path.dirname(link.path), info.backingFilename);
  await present(parentPath, link.path);
  return { path: parentPath, format: (await detectFormat(parentPath)).format };
}

/** Resolves and verifies the chain of an image, top first. */
export async function resolveChain(image: string, options: { format?: ImageFormat; runner?: Runner } = {}): Promise<ChainLink[]> {
  const runner = options.runner ?? defaultRunner;
  const chain: ChainLink[] = [];
  let link: ChainLink | undefined = { path: path.resolve(image), format: options.format ?? (await detectFormat(image)).format };
  while (link) {
    if (chain.some((l) => l.path === link!.path)) throw new VmcraftError('ECHAIN', `the chain of ${image} loops back to ${link.path}`);
    chain.push(link);
    const parent: ChainLink | undefined = link.format === 'vmdk' ? await vmdkParent(link) : await backingParent(link, runner);
    if (parent && link.format === 'vmdk' && parent.format === 'vmdk') {
      const parentCid = (await readVmdkDescriptor(parent.path)).cid;
      if (parentCid !== link.parentCid) {
        throw new VmcraftError('ECHAIN', `${link.path} expects its parent ${parent.path} to have CID ${link.parentCid}, it has ${parentCid} (the parent changed after the snapshot)`);
      }
    }
    link = parent;
  }
  return chain;
}

/** Verifies the chain of `image` and writes it as one standalone image. */
export async function flatten(image: string, dst: string, options: ConvertOptions = {}): Promise<ConvertResult & { chain: ChainLink[] }> {
  const chain = await resolveChain(image, { ...(options.sourceFormat ? { format: options.sourceFormat } : {}), ...(options.runner ? { runner: options.runner } : {}) });
  const result = await convert(image, dst, { ...options, sourceFormat: chain[0]!.format });
  return { ...result, chain };
}
