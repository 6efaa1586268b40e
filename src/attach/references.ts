/**
 * The image reference policy. An image is read alone unless its caller
 * allows its chain: every file an image names outside itself (a backing file,
 * a vmdk parent or extent, a VHD parent) is checked here before any qemu tool
 * sees the image, and refused with `EUNSAFE` when the policy does not allow
 * it. Names that are not plain local paths (`json:…`, `nbd://…`, any
 * `proto:…`) are never allowed: they would make qemu open what the name
 * describes, a host file or a network connection.
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { VmcraftError } from '../core/errors.js';

/**
 * Which images an image may read besides itself:
 * - `'none'` (the default): the image alone. No backing file or parent, no
 *   data file; a descriptor vmdk's extents must be regular files in the
 *   descriptor's own directory (or below it).
 * - `{ allowDir }`: a chain whose every parent is a regular file in this
 *   directory (or below it), after symlinks are resolved; extents may also
 *   be anywhere in it.
 * - a list of images, top first — what `resolveChain` returned, or anything
 *   with their `path`s: exactly that chain, each parent the next image of the
 *   list (block devices allowed when listed); extents as with `'none'`.
 */
export type ChainPolicy = 'none' | { allowDir: string } | readonly { path: string }[];

/** A {@link ChainPolicy} with its paths resolved, as the checks use it. */
export type ResolvedPolicy = { kind: 'none' } | { kind: 'dir'; dir: string } | { kind: 'exact'; paths: string[] };

/** What a reference is, in messages. */
export type ReferenceKind = 'backing file' | 'parent' | 'extent';

/** Validates a `chain` option (quoting the bad value). */
export function normalizeChainPolicy(value: unknown, option = 'chain'): ChainPolicy {
  if (value === undefined || value === 'none') return 'none';
  if (Array.isArray(value) && value.length > 0 && value.every((l) => typeof (l as { path?: unknown })?.path === 'string')) return value as { path: string }[];
  const dir = (value as { allowDir?: unknown } | null)?.allowDir;
  if (typeof value === 'object' && !Array.isArray(value) && typeof dir === 'string' && dir !== '' && Object.keys(value!).length === 1) return { allowDir: dir };
  throw new VmcraftError('EINVAL', `Expected the \`${option}\` option to be 'none', { allowDir: directory } or a non-empty list of { path } (the chain resolveChain returns), got \`${JSON.stringify(value)}\``);
}

/** Resolves the policy's paths (symlinks included); the top image must be the first of an exact chain. */
export async function resolvePolicy(policy: ChainPolicy, top: string): Promise<ResolvedPolicy> {
  if (policy === 'none') return { kind: 'none' };
  if ('allowDir' in policy) {
    const dir = await realpath(policy.allowDir).catch(() => '');
    if (!dir || !(await stat(dir)).isDirectory()) throw new VmcraftError('EINVAL', `the allowed chain directory ${policy.allowDir} is not a directory`, { path: policy.allowDir });
    return { kind: 'dir', dir };
  }
  const paths = await Promise.all(policy.map((l) => realpath(l.path).catch(() => path.resolve(l.path))));
  if (paths[0] !== top) throw new VmcraftError('EINVAL', `the allowed chain starts at ${policy[0]!.path}, not at the image ${top}`, { path: top });
  return { kind: 'exact', paths };
}

/** Whether `file` is `dir` or below it (both resolved). */
function inside(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function unsafe(message: string, reference: string): VmcraftError {
  return new VmcraftError('EUNSAFE', message, { path: reference });
}

/** A name qemu would open as something else than a local file: `json:{…}`, or a protocol prefix before any `/` (`nbd:`, `http:`, `ssh:`…). */
function notAPath(name: string): boolean {
  return name === '' || /^[^/]*:/.test(name);
}

const HOW_TO_ALLOW = 'an image is opened alone unless its chain is allowed: pass the option chain: { allowDir } or the chain resolveChain returns';

/** The resolved file `name` (as `owner` records it) stands for, or ECHAIN when it is missing. */
async function existing(owner: string, name: string, kind: ReferenceKind): Promise<{ real: string; type: string }> {
  const resolved = path.resolve(path.dirname(owner), name);
  const real = await realpath(resolved).catch(() => undefined);
  if (!real) throw new VmcraftError('ECHAIN', `the ${kind} ${name} of ${owner} is missing`, { path: resolved });
  const info = await stat(real);
  const type = info.isFile() ? 'file' : info.isBlockDevice() ? 'block device' : info.isDirectory() ? 'directory' : info.isFIFO() ? 'fifo' : info.isCharacterDevice() ? 'character device' : 'socket';
  return { real, type };
}

/**
 * Checks the parent `name` that `child` records (the image at position
 * `index` of its chain would be that parent) and returns the parent's real
 * path and whether it is a block device.
 * @throws VmcraftError `EUNSAFE` when the policy does not allow it, `ECHAIN` when it is missing.
 */
export async function allowParent(child: string, name: string, kind: ReferenceKind, index: number, policy: ResolvedPolicy): Promise<{ path: string; blockDevice: boolean }> {
  if (notAPath(name)) throw unsafe(`${child} names the ${kind} ${name}, which is not a local file (json: and protocol names are never opened)`, name);
  const resolved = path.resolve(path.dirname(child), name);
  if (policy.kind === 'none') throw unsafe(`${child} reads the ${kind} ${name}; ${HOW_TO_ALLOW}`, resolved);
  if (policy.kind === 'dir' && !inside(resolved, policy.dir)) throw unsafe(`${child} names the ${kind} ${name} (${resolved}), outside ${policy.dir}, the allowed directory`, resolved);
  const { real, type } = await existing(child, name, kind);
  if (policy.kind === 'dir') {
    if (!inside(real, policy.dir)) throw unsafe(`${child} names the ${kind} ${name}, which leads to ${real}, outside ${policy.dir}, the allowed directory`, real);
    if (type !== 'file') throw unsafe(`${child} names the ${kind} ${name} (${real}), a ${type}, not an image file`, real);
    return { path: real, blockDevice: false };
  }
  const expected = policy.paths[index];
  if (real !== expected) {
    throw unsafe(`${child} names the ${kind} ${name} (${real}), ${expected ? `where the allowed chain has ${expected}` : `and the allowed chain ends at ${child}`}`, real);
  }
  if (type !== 'file' && type !== 'block device') throw unsafe(`${child} names the ${kind} ${name} (${real}), a ${type}, not an image`, real);
  return { path: real, blockDevice: type === 'block device' };
}

/**
 * Checks the extent `name` of the vmdk descriptor `descriptor`: a regular file
 * in the descriptor's directory or, with `{ allowDir }`, in that directory.
 * Returns its real path.
 * @throws VmcraftError `EUNSAFE` when it is anything else or elsewhere, `ECHAIN` when it is missing.
 */
export async function allowExtent(descriptor: string, name: string, policy: ResolvedPolicy): Promise<string> {
  if (notAPath(name)) throw unsafe(`${descriptor} names the extent ${name}, which is not a local file (json: and protocol names are never opened)`, name);
  const dirs = [path.dirname(descriptor), ...(policy.kind === 'dir' ? [policy.dir] : [])];
  const where = dirs.join(' or ');
  const resolved = path.resolve(path.dirname(descriptor), name);
  if (!dirs.some((d) => inside(resolved, d))) throw unsafe(`${descriptor} names the extent ${name} (${resolved}), outside ${where}`, resolved);
  const { real, type } = await existing(descriptor, name, 'extent');
  if (!dirs.some((d) => inside(real, d))) throw unsafe(`${descriptor} names the extent ${name}, which leads to ${real}, outside ${where}`, real);
  if (type !== 'file') throw unsafe(`${descriptor} names the extent ${name} (${real}), a ${type}, not a regular file`, real);
  return real;
}

/**
 * qemu opens a qcow2's external data file by the name in its header, before
 * anything could check it (a host file, a device, `nbd://…`): such images are
 * not opened.
 */
export function refuseDataFile(image: string, name: string): VmcraftError {
  return unsafe(`${image} keeps its data in the external file ${name || '(unnamed)'}: vmcraft does not open qcow2 images with an external data file`, name);
}

/** ECHAIN when an exact chain policy lists more images than `chain` (the image no longer reads them all). */
export function checkChainEnd(chain: readonly { path: string }[], policy: ResolvedPolicy): void {
  if (policy.kind !== 'exact' || policy.paths.length === chain.length) return;
  const last = chain[chain.length - 1]!.path;
  throw new VmcraftError('ECHAIN', `the chain of ${chain[0]!.path} ends at ${last}, the allowed chain goes on to ${policy.paths[chain.length]} (the image changed?)`, { path: last });
}
