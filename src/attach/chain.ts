/**
 * Snapshot chains: VMDK descriptors (parentFileNameHint, CID/parentCID, extents),
 * VHD differencing disks (parent locators, unique ids) and qcow2/qed backing
 * files, resolved level by level from the images' own headers, every file an
 * image names checked against the caller's chain policy (attach/references),
 * and verified (missing parent or extent, id mismatch, loop → ECHAIN).
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { VmcraftError, fromFsError } from '../core/errors.js';
import { allowExtent, allowParent, checkChainEnd, normalizeChainPolicy, refuseDataFile, resolvePolicy, type ChainPolicy, type ResolvedPolicy } from './references.js';
import { detectFormat, qemuDriver, type ImageFormat } from './detect.js';
import { readHeaderReferences } from './headers.js';
import { vhdParentOf } from './vhd.js';
import { NO_PARENT_CID, readVmdkDescriptor } from './vmdk.js';

/** One image of a chain. */
export interface ChainLink {
  /** Real path (symlinks resolved). */
  path: string;
  format: ImageFormat;
  /** The image is a host block device (the top image, or a parent an exact chain lists). */
  blockDevice?: boolean;
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
  /** Which images the image may read besides itself. @default 'none' (the image alone) */
  chain?: ChainPolicy;
}

/** Longer chains than this are taken for a loop qemu would not open either. */
const MAX_DEPTH = 256;

/** The parent a child names, allowed by the policy, with its format detected from its content. */
async function parentLink(allowed: { path: string; blockDevice: boolean }): Promise<ChainLink> {
  return { path: allowed.path, format: (await detectFormat(allowed.path)).format, ...(allowed.blockDevice ? { blockDevice: true } : {}) };
}

async function vmdkParent(link: ChainLink, policy: ResolvedPolicy, index: number): Promise<ChainLink | undefined> {
  const desc = await readVmdkDescriptor(link.path);
  // qemu opens the extents of a text descriptor by name (ZERO extents and empty names have no file); a sparse file is its own extent.
  if (!desc.embedded) for (const e of desc.extents) if (e.file && e.type !== 'ZERO') await allowExtent(link.path, e.file, policy);
  link.cid = desc.cid;
  link.parentCid = desc.parentCid;
  if (desc.parentCid === NO_PARENT_CID) return undefined;
  if (!desc.parentFileNameHint) throw new VmcraftError('ECHAIN', `${link.path} has a parentCID but no parentFileNameHint`, { path: link.path });
  const parent = await parentLink(await allowParent(link.path, desc.parentFileNameHint, 'parent', index, policy));
  if (parent.format === 'vmdk') {
    const parentCid = (await readVmdkDescriptor(parent.path)).cid;
    if (parentCid !== desc.parentCid) {
      throw new VmcraftError('ECHAIN', `${link.path} expects its parent ${parent.path} to have CID ${desc.parentCid}, it has ${parentCid} (the parent changed after the snapshot)`, { path: link.path });
    }
  }
  return parent;
}

async function vhdParent(link: ChainLink, policy: ResolvedPolicy, index: number): Promise<ChainLink | undefined> {
  const parent = await vhdParentOf(link.path, async (candidate) => (await allowParent(link.path, candidate, 'parent', index, policy)).path);
  if (!parent) return undefined;
  link.uniqueId = parent.uniqueId;
  link.parentUniqueId = parent.parentUniqueId;
  return { path: parent.path, format: 'vhd' };
}

async function backingParent(link: ChainLink & { format: 'qcow2' | 'qed' }, policy: ResolvedPolicy, index: number): Promise<ChainLink | undefined> {
  const refs = await readHeaderReferences(link.path, link.format);
  if (refs.dataFile !== undefined) throw refuseDataFile(link.path, refs.dataFile);
  if (refs.backing === undefined) return undefined;
  const parent = await parentLink(await allowParent(link.path, refs.backing, 'backing file', index, policy));
  // The child records its backing file's format: a different content is a broken chain.
  if (refs.backingFormat && refs.backingFormat !== qemuDriver(parent.format)) {
    throw new VmcraftError('ECHAIN', `${link.path} says its backing file ${parent.path} is ${refs.backingFormat}, its content is ${parent.format}`, { path: link.path });
  }
  return parent;
}

/** The checked parent of `link` (the image at `index` of the chain), or undefined; its extents and data file checked too. */
function parentOf(link: ChainLink, policy: ResolvedPolicy, index: number): Promise<ChainLink | undefined> {
  switch (link.format) {
    case 'vmdk':
      return vmdkParent(link, policy, index);
    case 'vhd':
      return vhdParent(link, policy, index);
    case 'qcow2':
    case 'qed':
      return backingParent(link as ChainLink & { format: 'qcow2' | 'qed' }, policy, index);
    default:
      // qemu opens no other file for the other formats (vhdx, vdi, parallels, raw…).
      return Promise.resolve(undefined);
  }
}

/**
 * Resolves and verifies the chain of an image, top first, from the images'
 * own headers: VMDK parents by parentFileNameHint with their CIDs checked and
 * extents checked, VHD parents by their locators with unique ids checked,
 * qcow2/qed backing files with their recorded format checked. Every file an
 * image names is checked against `chain` before it is opened, so by default
 * (`'none'`) an image with a parent is refused.
 * @throws VmcraftError `EUNSAFE` for a reference the policy does not allow (a
 * backing file, parent or extent elsewhere, a block device, `json:` or a
 * network name, a qcow2 data file), `ECHAIN` for a broken chain.
 */
export async function resolveChain(image: string, options: ResolveChainOptions = {}): Promise<ChainLink[]> {
  const top = await realpath(image).catch(() => path.resolve(image));
  const info = await stat(top).catch((err: unknown) => {
    throw fromFsError(err, image, 'cannot open image');
  });
  const format = options.format ?? (await detectFormat(image)).format;
  const policy = await resolvePolicy(normalizeChainPolicy(options.chain), top);
  const chain: ChainLink[] = [];
  let link: ChainLink | undefined = { path: top, format, ...(info.isBlockDevice() ? { blockDevice: true } : {}) };
  while (link) {
    if (chain.some((l) => l.path === link!.path)) throw new VmcraftError('ECHAIN', `the chain of ${image} loops back to ${link.path}`, { path: image });
    if (chain.length >= MAX_DEPTH) throw new VmcraftError('ECHAIN', `the chain of ${image} is longer than ${MAX_DEPTH} images`, { path: image });
    chain.push(link);
    link = await parentOf(link, policy, chain.length);
  }
  checkChainEnd(chain, policy);
  return chain;
}
