/** File information: stat/lstat, the is_* tests, directory listings, readlink, space used. */
import type { Stats } from 'node:fs';
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { VmcraftError } from '../../core/errors.js';
import type { Runner } from '../../core/exec.js';
import { joinBytes } from '../cursor.js';
import { encodeName, nameBytes, showPath, type GuestPath, type NameOptions } from '../names.js';
import { guarded, runnerOf, runTool, toolPath, withHost, type FileContext } from './context.js';
import type { GuestFileType, GuestStat } from './types.js';

const DOT = Buffer.from('.');
const DOTDOT = Buffer.from('..');

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

async function statOrUndefined(ctx: FileContext, p: GuestPath, follow: boolean): Promise<Stats | undefined> {
  return withHost(ctx, p, follow, (file) => (follow ? stat(file) : lstat(file))).catch(() => undefined);
}

/**
 * Whether the path exists and is of `type` (any type when not given).
 * `follow`: a symlink (chain) ending at such a file counts too; never for `symlink`.
 */
export async function isType(ctx: FileContext, p: GuestPath, type?: GuestFileType, follow = type !== 'symlink'): Promise<boolean> {
  const s = await statOrUndefined(ctx, p, follow && type !== 'symlink');
  return s !== undefined && (type === undefined || fileType(s) === type);
}

/** File information, following a final symlink (`follow` false: of the link itself). */
export async function statPath(ctx: FileContext, p: GuestPath, follow: boolean): Promise<GuestStat> {
  return guarded(p, follow ? 'stat' : 'lstat', () => withHost(ctx, p, follow, async (file) => toGuestStat(await (follow ? stat(file) : lstat(file)))));
}

/**
 * lstat of several names in one directory (libguestfs `lstatnslist`): one
 * result per name, undefined where the name does not exist.
 */
export async function lstatList(ctx: FileContext, dir: GuestPath, names: readonly GuestPath[]): Promise<(GuestStat | undefined)[]> {
  const bytes = names.map(nameBytes);
  const bad = bytes.findIndex((n) => n.length === 0 || n.equals(DOT) || n.equals(DOTDOT) || n.includes(0x2f) || n.includes(0));
  if (bad >= 0) throw new VmcraftError('EINVAL', `Expected plain file names, got \`${String(names[bad])}\``, { path: showPath(dir) });
  return guarded(dir, 'lstatList', () => withHost(ctx, dir, true, (base) => Promise.all(bytes.map(async (n) => lstat(joinBytes([base, n])).then(toGuestStat, () => undefined)))));
}

/** The target text of a symlink, as stored. */
export async function readlinkPath(ctx: FileContext, p: GuestPath, options: NameOptions = {}): Promise<string | Buffer> {
  return guarded(p, 'readlink', () => withHost(ctx, p, false, async (file) => encodeName(await readlink(file, { encoding: 'buffer' }), options.encoding)));
}

/**
 * Names in a directory without `.` and `..` (hidden files included), sorted
 * by their bytes; text with surrogate escapes, or Buffers with `encoding: 'buffer'`.
 */
export async function ls(ctx: FileContext, dir: GuestPath, options: NameOptions = {}): Promise<(string | Buffer)[]> {
  return guarded(dir, 'ls', () => withHost(ctx, dir, true, async (file) => {
    const names = await readdir(file, { encoding: 'buffer' });
    return names.sort(Buffer.compare).map((n) => encodeName(n, options.encoding));
  }));
}

/**
 * Space used below a path in KiB, from `du -s` as libguestfs runs it
 * (symlinks not followed, hard links counted once).
 */
export async function du(ctx: FileContext, p: GuestPath, runner: Runner = runnerOf(ctx)): Promise<number> {
  return guarded(p, 'du', () => withHost(ctx, p, true, async (file) => {
    await lstat(file);
    const stdout = await runTool(ctx, p, 'du', ['du', '-s', '-k', '-P', '--', toolPath(file, p, 'du')], runner);
    return Number(stdout.split('\t')[0]);
  }));
}
