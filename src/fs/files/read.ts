/** Read-side file calls on a confined guest tree. */
import { createReadStream, createWriteStream, type Stats } from 'node:fs';
import { copyFile, lstat, readdir, readFile, readlink, stat, statfs } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import picomatch from 'picomatch';
import { VmcraftError } from '../../core/errors.js';
import type { Runner } from '../../core/exec.js';
import { guestPathOf, resolveGuestPath, splitGuestPath } from '../paths.js';
import { checksumFile } from './checksum.js';
import { guarded, hostPath, type FileContext } from './context.js';
import type { ChecksumAlgorithm, GuestFileType, GuestStat, GuestStatvfs } from './types.js';
import { walk } from './walk.js';

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

function toGuestStat(s: Stats): GuestStat {
  return {
    type: fileType(s), mode: s.mode, perms: s.mode & 0o7777, size: s.size, uid: s.uid, gid: s.gid, ino: s.ino,
    nlink: s.nlink, dev: s.dev, blocks: s.blocks, blksize: s.blksize, atime: s.atime, mtime: s.mtime, ctime: s.ctime,
  };
}

/** The whole file as bytes. */
export async function read(ctx: FileContext, p: string): Promise<Buffer> {
  return guarded(p, 'read', async () => readFile(await hostPath(ctx, p)));
}

/** Lines of a text file, without their LF or CRLF endings. */
export async function readLines(ctx: FileContext, p: string): Promise<string[]> {
  const text = (await read(ctx, p)).toString('utf8');
  if (text === '') return [];
  return text.replace(/\r?\n$/, '').split(/\r?\n/);
}

async function statOrUndefined(ctx: FileContext, p: string, follow: boolean): Promise<Stats | undefined> {
  const file = await hostPath(ctx, p, follow);
  return (follow ? stat(file) : lstat(file)).catch(() => undefined);
}

/** Whether the path exists and is of `type` (any type when not given); symlinks followed unless testing for one. */
export async function isType(ctx: FileContext, p: string, type?: GuestFileType): Promise<boolean> {
  const s = await statOrUndefined(ctx, p, type !== 'symlink');
  return s !== undefined && (type === undefined || fileType(s) === type);
}

/** Names in a directory, sorted, without `.` and `..`. */
export async function ls(ctx: FileContext, dir: string): Promise<string[]> {
  return guarded(dir, 'ls', async () => (await readdir(await hostPath(ctx, dir))).sort());
}

/** File information, following a final symlink (`lstat`: of the link itself). */
export async function statPath(ctx: FileContext, p: string, follow: boolean): Promise<GuestStat> {
  return guarded(p, follow ? 'stat' : 'lstat', async () => {
    const file = await hostPath(ctx, p, follow);
    return toGuestStat(await (follow ? stat(file) : lstat(file)));
  });
}

/** The target text of a symlink, as stored. */
export async function readlinkPath(ctx: FileContext, p: string): Promise<string> {
  return guarded(p, 'readlink', async () => readlink(await hostPath(ctx, p, false)));
}

/** Checksum of a regular file. */
export async function checksum(ctx: FileContext, algorithm: ChecksumAlgorithm, p: string): Promise<string> {
  return guarded(p, 'checksum', async () => checksumFile(algorithm, await hostPath(ctx, p)));
}

/** Space used below a path in KiB, as `du -s` counts it (symlinks not followed). */
export async function du(ctx: FileContext, p: string, runner: Runner): Promise<number> {
  const file = await guarded(p, 'du', async () => {
    const resolved = await hostPath(ctx, p);
    await lstat(resolved);
    return resolved;
  });
  const { stdout } = await runner.run('du', ['-s', '-k', '-P', file]);
  return Number(stdout.split('\t')[0]);
}

/** Statistics of the filesystem holding a path. */
export async function statvfs(ctx: FileContext, p: string): Promise<GuestStatvfs> {
  return guarded(p, 'statvfs', async () => {
    const s = await statfs(await hostPath(ctx, p));
    return { bsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail, files: s.files, ffree: s.ffree, type: s.type };
  });
}

/** Every name below a directory, relative to it, sorted (libguestfs `find`). */
export async function find(ctx: FileContext, dir: string): Promise<string[]> {
  return guarded(dir, 'find', async () => {
    const start = await hostPath(ctx, dir);
    if (!(await stat(start)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    const names: string[] = [];
    for await (const e of walk(start)) names.push(e.relative);
    return names.sort();
  });
}

/** Regular files below `dir` modified after `since`, as absolute guest paths. */
export async function findModifiedSince(ctx: FileContext, dir: string, since: Date): Promise<string[]> {
  if (!(since instanceof Date) || Number.isNaN(since.getTime())) throw new VmcraftError('EINVAL', `Expected a valid Date, got \`${String(since)}\``);
  return guarded(dir, 'findModifiedSince', async () => {
    const root = ctx.rootDir();
    const start = await hostPath(ctx, dir);
    const found: string[] = [];
    for await (const e of walk(start)) {
      if (e.stats.isFile() && e.stats.mtime > since) found.push(guestPathOf(root, `${start}/${e.relative}`));
    }
    return found.sort();
  });
}

/** 1 MiB chunks: node's 64 KiB default makes big copies measurably slower than cat(1). */
export const STREAM_CHUNK = 1024 * 1024;

const GLOB_CHARS = /[*?[\]{}]/;

/** Guest paths matching a wildcard pattern (`*`, `?`, `[...]`, `{a,b}`, `**`), sorted. */
export async function globExpand(ctx: FileContext, pattern: string): Promise<string[]> {
  const parts = splitGuestPath(pattern);
  const firstGlob = parts.findIndex((c) => GLOB_CHARS.test(c));
  const root = ctx.rootDir();
  if (firstGlob < 0) return (await isType(ctx, pattern)) ? [`/${parts.join('/')}`] : [];
  const base = await resolveGuestPath(root, `/${parts.slice(0, firstGlob).join('/')}`);
  const rest = parts.slice(firstGlob);
  const isMatch = picomatch(rest.join('/'), { dot: false });
  const depth = rest.includes('**') ? Infinity : rest.length;
  const matches: string[] = [];
  try {
    for await (const e of walk(base, depth)) if (isMatch(e.relative)) matches.push(guestPathOf(root, `${base}/${e.relative}`));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err;
  }
  return matches.sort();
}

/** Streams a guest file to a host path (the host path is not confined). */
export async function download(ctx: FileContext, p: string, hostFile: string): Promise<void> {
  const source = await guarded(p, 'download', async () => {
    const file = await hostPath(ctx, p);
    if (!(await stat(file)).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EINVAL' });
    return file;
  });
  const target = await stat(hostFile).catch(() => undefined);
  // To a regular file the kernel copies (copy_file_range); to a pipe or device, stream.
  if (!target || target.isFile()) await copyFile(source, hostFile);
  else await pipeline(createReadStream(source, { highWaterMark: STREAM_CHUNK }), createWriteStream(hostFile, { highWaterMark: STREAM_CHUNK }));
}
