/**
 * Extended attributes (libguestfs `getxattrs`, `lgetxattrs`, `setxattr`,
 * `lsetxattr`, `removexattr`, `lremovexattr`) through getfattr/setfattr, and
 * ext2-style file flags (`get_e2attrs`/`set_e2attrs`) through lsattr/chattr.
 * The tools get the confined-resolved host path and never follow a final
 * symlink themselves (`-h`); xattr syscalls do not open the file, so a device
 * node is harmless to them, but lsattr and chattr open it: they only get
 * regular files and directories.
 */
import { lstat } from 'node:fs/promises';
import { VmcraftError } from '../../core/errors.js';
import type { Runner } from '../../core/exec.js';
import { showPath, type GuestPath } from '../names.js';
import { guarded, notRegularFile, runnerOf, runTool, toolPath, withHost, withWritable, type FileContext } from './context.js';
import { fileType } from './stat.js';

/** One extended attribute (libguestfs `struct xattr`). */
export interface GuestXattr {
  attrname: string;
  attrval: Buffer;
}

/** Parses `getfattr -d -m - -e hex` output: `name=0x…` lines (`name` alone, or `=""`, for an empty value). */
export function parseGetfattr(text: string): GuestXattr[] {
  const out: GuestXattr[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const attrname = eq === -1 ? line : line.slice(0, eq);
    const value = eq === -1 ? '' : line.slice(eq + 1);
    out.push({ attrname, attrval: value.startsWith('0x') ? Buffer.from(value.slice(2), 'hex') : Buffer.alloc(0) });
  }
  return out;
}

/** Every extended attribute of a path, a final symlink followed (`follow`) or not (libguestfs `getxattrs`/`lgetxattrs`). */
export async function getxattrs(ctx: FileContext, p: GuestPath, follow: boolean, runner: Runner = runnerOf(ctx)): Promise<GuestXattr[]> {
  const operation = follow ? 'getxattrs' : 'lgetxattrs';
  return guarded(p, operation, () => withHost(ctx, p, follow, async (host) => {
    await lstat(host);
    const text = await runTool(ctx, p, operation, ['getfattr', '-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', '--', toolPath(host, p, operation)], runner);
    return parseGetfattr(text);
  }));
}

/** One extended attribute's value (libguestfs `getxattr`/`lgetxattr`); `ENOENT` when the file has none of that name. */
export async function getxattr(ctx: FileContext, p: GuestPath, name: string, follow: boolean, runner: Runner = runnerOf(ctx)): Promise<Buffer> {
  checkName(follow ? 'getxattr' : 'lgetxattr', name);
  const found = (await getxattrs(ctx, p, follow, runner)).find((x) => x.attrname === name);
  if (!found) throw new VmcraftError('ENOENT', `${follow ? 'getxattr' : 'lgetxattr'} ${showPath(p)}: no extended attribute ${name}`, { path: showPath(p) });
  return found.attrval;
}

/** Sets one extended attribute to the first `length` bytes of `value` (libguestfs `setxattr`/`lsetxattr`). */
export async function setxattr(ctx: FileContext, name: string, value: string | Uint8Array, length: number, p: GuestPath, follow: boolean, runner: Runner = runnerOf(ctx)): Promise<void> {
  const operation = follow ? 'setxattr' : 'lsetxattr';
  const bytes = Buffer.from(typeof value === 'string' ? Buffer.from(value) : value);
  if (!Number.isSafeInteger(length) || length < 0 || length > bytes.length) throw new VmcraftError('EINVAL', `${operation}: expected vallen from 0 to ${bytes.length}, got ${length}`);
  checkName(operation, name);
  const encoded = length === 0 ? '""' : `0x${bytes.subarray(0, length).toString('hex')}`;
  await guarded(p, operation, () => withWritable(ctx, p, follow, async (host) => {
    await lstat(host);
    await runTool(ctx, p, operation, ['setfattr', '-h', '-n', name, '-v', encoded, '--', toolPath(host, p, operation)], runner);
  }));
}

/** Removes one extended attribute (libguestfs `removexattr`/`lremovexattr`). */
export async function removexattr(ctx: FileContext, name: string, p: GuestPath, follow: boolean, runner: Runner = runnerOf(ctx)): Promise<void> {
  const operation = follow ? 'removexattr' : 'lremovexattr';
  checkName(operation, name);
  await guarded(p, operation, () => withWritable(ctx, p, follow, async (host) => {
    await lstat(host);
    await runTool(ctx, p, operation, ['setfattr', '-h', '-x', name, '--', toolPath(host, p, operation)], runner);
  }));
}

/** An attribute name is `namespace.name`, without NUL or newline. */
function checkName(operation: string, name: string): void {
  if (!/^[^.\0\n]+\.[^\0\n]+$/.test(name)) throw new VmcraftError('EINVAL', `${operation}: expected an attribute name such as user.comment, got ${JSON.stringify(name)}`);
}

/** Runs `fn` on the host path of a regular file or directory (symlinks followed inside the guest); others are refused. */
async function withFileOrDir<T>(ctx: FileContext, p: GuestPath, operation: string, writes: boolean, fn: (host: string) => Promise<T>): Promise<T> {
  const resolve = writes ? withWritable : withHost;
  return guarded(p, operation, () => resolve(ctx, p, true, async (host) => {
    const info = await lstat(host);
    if (!info.isFile() && !info.isDirectory()) throw notRegularFile(operation, p, fileType(info));
    return fn(toolPath(host, p, operation));
  }));
}

/** The ext2-style flags of a file as lsattr shows them, dashes left out: `'e'`, `'ie'` (libguestfs `get_e2attrs`). */
export async function getE2attrs(ctx: FileContext, p: GuestPath, runner: Runner = runnerOf(ctx)): Promise<string> {
  return withFileOrDir(ctx, p, 'getE2attrs', false, async (host) => {
    const text = await runTool(ctx, p, 'getE2attrs', ['lsattr', '-d', '--', host], runner);
    return (text.split(/\s/)[0] ?? '').replace(/-/g, '');
  });
}

/** Sets (or with `clear`, clears) ext2-style flags given as letters, as chattr +/- does (libguestfs `set_e2attrs`). */
export async function setE2attrs(ctx: FileContext, p: GuestPath, attrs: string, clear: boolean, runner: Runner = runnerOf(ctx)): Promise<void> {
  if (!/^[A-Za-z]*$/.test(attrs)) throw new VmcraftError('EINVAL', `setE2attrs: expected attribute letters such as 'ai', got ${JSON.stringify(attrs)} (at ${showPath(p)})`);
  if (attrs === '') return;
  await withFileOrDir(ctx, p, 'setE2attrs', true, async (host) => {
    await runTool(ctx, p, 'setE2attrs', ['chattr', `${clear ? '-' : '+'}${attrs}`, '--', host], runner);
  });
}
