/** File information: stat/lstat, the is_* tests, directory listings, readlink, space used. */
import type { Stats } from 'node:fs';
import { lstat, readdir, readlink, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { VmcraftError } from '../../core/errors.js';
import type { Runner } from '../../core/exec.js';
import { guarded, hostPath, runnerOf, runTool, type FileContext } from './context.js';
import type { GuestFileType, GuestStat, GuestStatvfs } from './types.js';

/** The file type of a Stats. */
export function fileType(s: Stats): GuestFileType {
  if (s.isFile()) return 'file';
  if (s.isDirectory()) return 'directory';
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isBlockDevice()) return 'block';
  if (s.isCharacterDevice()) return 'char';
  if (s.isFIFO()) return 'fifo';
  return 'socket';
}

/** A node Stats as a {@link GuestStat}. */
export function toGuestStat(s: Stats): GuestStat {
  return {
    type: fileType(s), mode: s.mode, perms: s.mode & 0o7777, size: s.size, uid: s.uid, gid: s.gid, ino: s.ino,
    nlink: s.nlink, dev: s.dev, rdev: s.rdev, blocks: s.blocks, blksize: s.blksize, atime: s.atime, mtime: s.mtime, ctime: s.ctime,
  };
}

async function statOrUndefined(ctx: FileContext, p: string, follow: boolean): Promise<Stats | undefined> {
  const file = await hostPath(ctx, p, follow);
  return (follow ? stat(file) : lstat(file)).catch(() => undefined);
}

/**
 * Whether the path exists and is of `type` (any type when not given).
 * `follow`: a symlink (chain) ending at such a file counts too; never for `symlink`.
 */
export async function isType(ctx: FileContext, p: string, type?: GuestFileType, follow = type !== 'symlink'): Promise<boolean> {
  const s = await statOrUndefined(ctx, p, follow && type !== 'symlink');
  return s !== undefined && (type === undefined || fileType(s) === type);
}

/** File information, following a final symlink (`follow` false: of the link itself). */
export async function statPath(ctx: FileContext, p: string, follow: boolean): Promise<GuestStat> {
  return guarded(p, follow ? 'stat' : 'lstat', async () => {
    const file = await hostPath(ctx, p, follow);
    return toGuestStat(await (follow ? stat(file) : lstat(file)));
  });
}

/**
 * lstat of several names in one directory (libguestfs `lstatnslist`): one
 * result per name, undefined where the name does not exist.
 */
export async function lstatList(ctx: FileContext, dir: string, names: readonly string[]): Promise<(GuestStat | undefined)[]> {
  const bad = names.find((n) => n === '' || n === '.' || n === '..' || n.includes('/') || n.includes('\0'));
  if (bad !== undefined) throw new VmcraftError('EINVAL', `Expected plain file names, got \`${bad}\``, { path: dir });
  return guarded(dir, 'lstatList', async () => {
    const base = await hostPath(ctx, dir);
    return Promise.all(names.map(async (n) => lstat(path.join(base, n)).then(toGuestStat, () => undefined)));
  });
}

/** The target text of a symlink, as stored. */
export async function readlinkPath(ctx: FileContext, p: string): Promise<string> {
  return guarded(p, 'readlink', async () => readlink(await hostPath(ctx, p, false)));
}

/** Names in a directory, sorted, without `.` and `..` (hidden files included). */
export async function ls(ctx: FileContext, dir: string): Promise<string[]> {
  return guarded(dir, 'ls', async () => (await readdir(await hostPath(ctx, dir))).sort());
}

/** Statistics of the filesystem holding a path. */
export async function statvfs(ctx: FileContext, p: string): Promise<GuestStatvfs> {
  return guarded(p, 'statvfs', async () => {
    const s = await statfs(await hostPath(ctx, p));
    return { bsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail, files: s.files, ffree: s.ffree, type: s.type };
  });
}

/**
 * Space used below a path in KiB, from `du -s` as libguestfs runs it
 * (symlinks not followed, hard links counted once).
 */
export async function du(ctx: FileContext, p: string, runner: Runner = runnerOf(ctx)): Promise<number> {
  const file = await guarded(p, 'du', async () => {
    const resolved = await hostPath(ctx, p);
    await lstat(resolved);
    return resolved;
  });
  const stdout = await runTool(ctx, p, 'du', ['du', '-s', '-k', '-P', '--', file], runner);
  return Number(stdout.split('\t')[0]);
}
