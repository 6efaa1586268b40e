/**
 * Filesystem statistics as libguestfs's `statvfs` gives them (glibc's statvfs(3) fields):
 * statfs(2) from Node, the fragment size, name length and filesystem id from `stat -f`, the
 * mount flags from /proc/self/mountinfo (Node's statfs has neither).
 */
import { readFile, stat, statfs } from 'node:fs/promises';
import type { GuestPath } from '../names.js';
import { guarded, runTool, toolPath, withHost, type FileContext } from './context.js';
import type { GuestStatvfs } from './types.js';

/** statvfs(3)'s ST_* bits of the per-mount options, then of the superblock's (Linux statfs flags_by_mnt, flags_by_sb). */
const MOUNT_FLAGS: Record<string, number> = { ro: 1, nosuid: 2, nodev: 4, noexec: 8, noatime: 1024, nodiratime: 2048, relatime: 4096, nosymfollow: 8192 };
const SUPER_FLAGS: Record<string, number> = { ro: 1, sync: 16, mand: 64 };

/** A mountinfo field with its octal escapes (`\040` for a space) decoded. */
const unescape = (field: string) => field.replace(/\\([0-7]{3})/g, (_m, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));

/**
 * The ST_* flags of the mount holding `file` (statvfs's f_flag): of the mounts of its device,
 * the one whose mount point is the longest prefix of the path (the one the path is seen through).
 */
async function mountFlags(file: string): Promise<number> {
  const { dev } = await stat(file, { bigint: true });
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  let best: { length: number; flags: number } | undefined;
  for (const line of (await readFile('/proc/self/mountinfo', 'utf8')).split('\n')) {
    const [left, right] = line.split(' - ');
    const fields = left?.split(' ') ?? [];
    if (fields[2] !== `${major}:${minor}` || right === undefined) continue;
    const mountpoint = unescape(fields[4]!);
    if (!(file === mountpoint || file.startsWith(mountpoint.endsWith('/') ? mountpoint : `${mountpoint}/`))) continue;
    if (best && best.length > mountpoint.length) continue;
    let flags = 0;
    for (const o of fields[5]!.split(',')) flags |= MOUNT_FLAGS[o] ?? 0;
    for (const o of (right.split(' ')[2] ?? '').split(',')) flags |= SUPER_FLAGS[o] ?? 0;
    best = { length: mountpoint.length, flags };
  }
  return best?.flags ?? 0;
}

/**
 * statvfs(3) of the filesystem holding `p` (libguestfs `statvfs`), with the filesystem's type
 * magic besides. `fsid` is a decimal string: a 64-bit id does not fit a JavaScript number.
 */
export async function statvfs(ctx: FileContext, p: GuestPath): Promise<GuestStatvfs> {
  return guarded(p, 'statvfs', () => withHost(ctx, p, true, async (host) => {
    const file = toolPath(host, p, 'statvfs');
    const s = await statfs(file);
    const [frsize, namemax, fsid] = (await runTool(ctx, p, 'statvfs', ['stat', '-f', '-c', '%S %l %i', '--', file])).trim().split(' ');
    // GNU stat prints the two 32-bit words of f_fsid the other way round from glibc's statvfs.
    const id = BigInt(`0x${fsid}`);
    const glibcFsid = BigInt.asIntN(64, ((id & 0xffffffffn) << 32n) | (id >> 32n));
    return {
      bsize: s.bsize, frsize: Number(frsize), blocks: s.blocks, bfree: s.bfree, bavail: s.bavail,
      files: s.files, ffree: s.ffree, favail: s.ffree, fsid: glibcFsid.toString(), flag: await mountFlags(file), namemax: Number(namemax),
      type: s.type,
    };
  }));
}
