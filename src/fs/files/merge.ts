/**
 * Moving an unpacked tree into place, as tar would have unpacked it there,
 * without ever writing through a symlink that is already at the destination
 * (a guest's, when tarIn fills a guest directory; one a guest's archive made
 * earlier, when copyOut fills the caller's).
 */
import type { Stats } from 'node:fs';
import { chmod, chown, lstat, readdir, rename, rmdir, unlink, utimes } from 'node:fs/promises';

const SLASH = Buffer.from('/');
const join = (dir: Buffer, name: Buffer) => Buffer.concat([dir, SLASH, name]);

/** lstat, or undefined for a missing path. */
async function lstatIfAny(file: Buffer): Promise<Stats | undefined> {
  return lstat(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
}

/**
 * Moves the entries of the directory `from` into the directory `to`: a
 * directory meets an existing real directory by merging (taking the moved
 * one's owner, mode and times); anything else replaces what is there, a
 * symlink included — renamed over, never written through. Each directory
 * descended into at the destination was just checked with lstat to be a
 * real one. Where rename(2) cannot cross a mount point, `crossDevice` copies
 * the entry (the destination is then free).
 */
export async function moveInto(from: Buffer, to: Buffer, crossDevice: (src: Buffer, dst: Buffer) => Promise<void>): Promise<void> {
  for (const name of await readdir(from, { encoding: 'buffer' })) {
    const src = join(from, name);
    const dst = join(to, name);
    const moved = await lstat(src);
    const there = await lstatIfAny(dst);
    if (moved.isDirectory() && there?.isDirectory()) {
      await moveInto(src, dst, crossDevice);
      await chown(dst, moved.uid, moved.gid);
      await chmod(dst, moved.mode & 0o7777);
      await utimes(dst, moved.atime, moved.mtime);
      continue;
    }
    if (there?.isDirectory()) await rmdir(dst);
    else if (there) await unlink(dst);
    await rename(src, dst).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EXDEV') throw err;
      await crossDevice(src, dst);
    });
  }
}

/**
 * Removes the device nodes below a directory (symlinks not followed) and
 * answers their paths relative to it: a guest's node made on the host would
 * name the HOST's device (`/dev/sda`'s numbers are the host's disk there).
 */
export async function dropDeviceNodes(dir: Buffer, relative = ''): Promise<string[]> {
  const dropped: string[] = [];
  for (const entry of await readdir(dir, { encoding: 'buffer', withFileTypes: true })) {
    const full = join(dir, entry.name);
    const shown = `${relative}${entry.name.toString('utf8')}`;
    if (entry.isDirectory()) dropped.push(...(await dropDeviceNodes(full, `${shown}/`)));
    else if (entry.isBlockDevice() || entry.isCharacterDevice()) {
      await unlink(full);
      dropped.push(shown);
    }
  }
  return dropped;
}
