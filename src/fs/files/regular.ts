/**
 * Opening guest files for their content. Only regular files are opened: a
 * guest's device nodes name the HOST's devices (a guest's /dev/sda node is the
 * host's disk here, unlike in libguestfs's appliance), opening some devices
 * has effects of its own, and a FIFO would block. The final component is
 * opened with O_NOFOLLOW, so a symlink put there after resolution is refused.
 *
 * Streams made from these handles must keep `autoClose` (the default):
 * FileHandle.close() waits for every stream still holding the handle.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import type { GuestPath } from '../names.js';
import { errnoError, notRegularFile } from './context.js';
import { fileType } from './stat.js';

const { O_RDONLY, O_WRONLY, O_CREAT, O_TRUNC, O_APPEND, O_NOFOLLOW, O_NONBLOCK } = constants;

/** How {@link openRegularForWrite} treats the existing content. */
export type WriteMode = 'truncate' | 'append' | 'keep';

function checkRegular(info: Stats, operation: string, guestPath: GuestPath): void {
  if (info.isDirectory()) throw errnoError('EISDIR', 'is a directory');
  if (!info.isFile()) throw notRegularFile(operation, guestPath, fileType(info));
}

/** Checks the opened file is the regular file that was looked at; closes it otherwise. */
async function verified(handle: FileHandle, before: Stats | undefined, operation: string, guestPath: GuestPath): Promise<FileHandle> {
  try {
    const after = await handle.stat();
    checkRegular(after, operation, guestPath);
    if (before && (after.ino !== before.ino || after.dev !== before.dev)) throw errnoError('EAGAIN', 'the file changed while it was opened');
    return handle;
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/** Opens an existing regular file for reading. */
export async function openRegularForRead(file: string | Buffer, operation: string, guestPath: GuestPath): Promise<FileHandle> {
  const before = await lstat(file);
  checkRegular(before, operation, guestPath);
  return verified(await open(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK), before, operation, guestPath);
}

/** Opens a regular file for writing, creating it (mode 0644) unless `mustExist`. */
export async function openRegularForWrite(
  file: string | Buffer,
  operation: string,
  guestPath: GuestPath,
  mode: WriteMode,
  mustExist = false,
): Promise<FileHandle> {
  const before = await lstat(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' && !mustExist) return undefined;
    throw err;
  });
  if (before) checkRegular(before, operation, guestPath);
  const flags = O_WRONLY | O_NOFOLLOW | O_NONBLOCK | (mustExist ? 0 : O_CREAT)
    | (mode === 'truncate' ? O_TRUNC : 0) | (mode === 'append' ? O_APPEND : 0);
  return verified(await open(file, flags, 0o644), before, operation, guestPath);
}
