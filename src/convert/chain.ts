/**
 * Snapshot chains: VMDK descriptors (parentFileNameHint, CID/parentCID), VHD
 * differencing disks (parent locators, unique ids) and qcow2/qed backing files,
 * resolved level by level and verified (missing parent or extent, id mismatch,
 * loop → ECHAIN), and flattened into one image.
 */
import { randomBytes } from 'node:crypto';
import { realpath, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { VmcraftError } from '../core/errors.js';
import { defaultRunner, type Runner } from '../core/exec.js';
import { convert, type ConvertOptions, type ConvertResult } from './convert.js';
import { detectFormat, qemuDriver, type ImageFormat } from './detect.js';
import { parseImageInfo } from './info.js';
import { mergeVhdChain, vhdParentOf } from './vhd.js';
import { NO_PARENT_CID, readVmdkDescriptor, type VmdkDescriptor } from './vmdk.js';

/** One image of a chain. */
export interface ChainLink {
  path: string;
  format: ImageFormat;
  /** VMDK content ids. */
  cid?: string;
  parentCid?: string;
  /** VHD unique ids (32 hex digits). */
  uniqueId?: string;
  parentUniqueId?: string;
}

/** Options of {@link resolveChain}. */
export interface ResolveChainOptions {
  /** The top image's format; detected from its content when not given. */
  format?: ImageFormat;
  runner?: Runner;
}

/** Longer chains than this are taken for a loop qemu would not open either. */
const MAX_DEPTH = 256;

async function present(file: string, child: string): Promise<string> {
  if (!(await stat(file).then((s) => s.isFile(), () => false))) {
    throw new VmcraftError('ECHAIN', `the parent ${file} of ${child} is missing`, { path: file });
  }
  return realpath(file);
}

/** Each extent of a descriptor-file VMDK must be there, or qemu fails half-way through a conversion. */
async function checkVmdkExtents(file: string, desc: VmdkDescriptor): Promise<void> {
  for (const extent of desc.extents) {
    if (extent.file === undefined) continue;
    const extentPath = path.resolve(path.dirname(file), extent.file);
    if (extentPath === file) continue;
    if (!(await stat(extentPath).then((s) => s.isFile(), () => false))) {
      throw new VmcraftError('ECHAIN', `the extent ${extent.file} of ${file} is missing`, { path: extentPath });
    }
  }
}

async function vmdkParent(link: ChainLink): Promise<ChainLink | undefined> {
  const desc = await readVmdkDescriptor(link.path);
  await checkVmdkExtents(link.path, desc);
  link.cid = desc.cid;
  link.parentCid = desc.parentCid;
  if (desc.parentCid === NO_PARENT_CID) return undefined;
  if (!desc.parentFileNameHint) throw new VmcraftError('ECHAIN', `${link.path} has a parentCID but no parentFileNameHint`, { path: link.path });
  const parentPath = await present(path.resolve(path.dirname(link.path), desc.parentFileNameHint), link.path);
  const format = (await detectFormat(parentPath)).format;
  if (format === 'vmdk') {
    const parentCid = (await readVmdkDescriptor(parentPath)).cid;
    if (parentCid !== desc.parentCid) {
      throw new VmcraftError('ECHAIN', `${link.path} expects its parent ${parentPath} to have CID ${desc.parentCid}, it has ${parentCid} (the parent changed after the snapshot)`, { path: link.path });
    }
  }
  return { path: parentPath, format };
}

async function vhdParent(link: ChainLink): Promise<ChainLink | undefined> {
  const parent = await vhdParentOf(link.path);
  if (!parent) return undefined;
  link.uniqueId = parent.uniqueId;
  link.parentUniqueId = parent.parentUniqueId;
  return { path: await realpath(parent.path), format: 'vhd' };
}

async function backingParent(link: ChainLink, runner: Runner): Promise<ChainLink | undefined> {
  const { stdout } = await runner.run('qemu-img', ['info', '--output=json', '-f', qemuDriver(link.format), link.path]);
  const info = parseImageInfo(stdout);
  const backing = info.backingFilename;
  if (!backing) return undefined;
  if (backing.startsWith('json:') || /^[a-z][\w+.-]*:\/\//i.test(backing)) {
    throw new VmcraftError('EUNSUPPORTED', `${link.path} is backed by ${backing}, not a file`, { path: link.path });
  }
  const parentPath = await present(path.resolve(path.dirname(link.path), backing), link.path);
  const format = (await detectFormat(parentPath)).format;
  // qemu opens the backing file with the format the child recorded: a different content is a broken chain.
  if (info.backingFormat && info.backingFormat !== qemuDriver(format)) {
    throw new VmcraftError('ECHAIN', `${link.path} says its backing file ${parentPath} is ${info.backingFormat}, its content is ${format}`, { path: link.path });
  }
  return { path: parentPath, format };
}

/**
 * Resolves and verifies the chain of an image, top first: VMDK parents by
 * parentFileNameHint with their CIDs checked, VHD parents by their locators
 * with unique ids checked, qcow2/qed/… backing files through qemu-img info.
 */
export async function resolveChain(image: string, options: ResolveChainOptions = {}): Promise<ChainLink[]> {
  const runner = options.runner ?? defaultRunner;
  const chain: ChainLink[] = [];
  let link: ChainLink | undefined = { path: await realpath(image).catch(() => path.resolve(image)), format: options.format ?? (await detectFormat(image)).format };
  while (link) {
    if (chain.some((l) => l.path === link!.path)) throw new VmcraftError('ECHAIN', `the chain of ${image} loops back to ${link.path}`, { path: image });
    if (chain.length >= MAX_DEPTH) throw new VmcraftError('ECHAIN', `the chain of ${image} is longer than ${MAX_DEPTH} images`, { path: image });
    chain.push(link);
    link = link.format === 'vmdk' ? await vmdkParent(link) : link.format === 'vhd' ? await vhdParent(link) : await backingParent(link, runner);
  }
  return chain;
}

/**
 * Verifies the chain of `image` and writes it as one standalone image (the
 * options of {@link convert}). VHD chains are merged by vmcraft into a raw
 * temp file beside `dst` first, since qemu cannot read differencing VHDs.
 */
export async function flatten(image: string, dst: string, options: ConvertOptions = {}): Promise<ConvertResult & { chain: ChainLink[] }> {
  const chain = await resolveChain(image, { ...(options.sourceFormat ? { format: options.sourceFormat } : {}), ...(options.runner ? { runner: options.runner } : {}) });
  if (chain[0]!.format !== 'vhd' || chain.length === 1) {
    return { ...(await convert(image, dst, { ...options, sourceFormat: chain[0]!.format })), chain };
  }
  if (!options.overwrite && (await stat(dst).then(() => true, () => false))) throw new VmcraftError('EEXIST', `${dst} exists (pass overwrite: true to replace it)`, { path: dst });
  const merged = path.join(path.dirname(dst), `.${path.basename(dst)}.vmcraft-${randomBytes(4).toString('hex')}.raw`);
  try {
    await mergeVhdChain(chain.map((l) => l.path), merged, options.signal);
    const result = await convert(merged, dst, { ...options, sourceFormat: 'raw' });
    return { ...result, sourceFormat: 'vhd', chain };
  } finally {
    await rm(merged, { force: true });
  }
}
