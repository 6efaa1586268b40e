/**
 * Writing guest file content. Each call checks that the target may be written
 * before touching anything, and only ever opens regular files.
 */
import { lstat, open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { VmcraftError } from '../../core/errors.js';
import { showPath, type GuestPath } from '../names.js';
import { guarded, notRegularFile, withWritable, type FileContext } from './context.js';
import { STREAM_CHUNK } from './read.js';
import { openRegularForWrite, type WriteMode } from './regular.js';
import { fileType } from './stat.js';

// The write side in one place, for callers of the file layer (src/api/calls/guest.ts imports rmFile from here).
export { chmodPath, chownPath } from './attrs.js';
export { cp, cpA, lnS, mkdirPath, mv, rmdirPath, rmFile, rmRf } from './tree.js';

async function writeContent(ctx: FileContext, p: GuestPath, operation: string, mode: WriteMode, data: string | Uint8Array): Promise<void> {
  await guarded(p, operation, () => withWritable(ctx, p, true, async (file) => {
    const handle = await openRegularForWrite(file, operation, p, mode);
    try {
      await handle.writeFile(data);
    } finally {
      await handle.close();
    }
  }));
}

/** Creates or replaces a file with `data` (libguestfs `write`); a new file gets mode 0644. */
export async function write(ctx: FileContext, p: GuestPath, data: string | Uint8Array): Promise<void> {
  await writeContent(ctx, p, 'write', 'truncate', data);
}

/** Appends `data` to a file, creating it when missing (libguestfs `write_append`). */
export async function writeAppend(ctx: FileContext, p: GuestPath, data: string | Uint8Array): Promise<void> {
  await writeContent(ctx, p, 'writeAppend', 'append', data);
}

/**
 * Creates an empty file or sets an existing one's times to now. Like
 * libguestfs, only for regular files: a symlink, directory or device is refused.
 */
export async function touch(ctx: FileContext, p: GuestPath): Promise<void> {
  await guarded(p, 'touch', () => withWritable(ctx, p, false, async (target) => {
    const info = await lstat(target).catch(() => undefined);
    if (info && !info.isFile()) throw notRegularFile('touch', p, fileType(info));
    const handle = await openRegularForWrite(target, 'touch', p, 'keep');
    try {
      const now = new Date();
      await handle.utimes(now, now);
    } finally {
      await handle.close();
    }
  }));
}

/** Sets the size of an existing regular file: cut, or extended with zeros (libguestfs `truncate_size`). */
export async function truncatePath(ctx: FileContext, p: GuestPath, size = 0): Promise<void> {
  if (!Number.isSafeInteger(size) || size < 0) throw new VmcraftError('EINVAL', `Expected a size of 0 or more, got \`${size}\``);
  await guarded(p, 'truncate', () => withWritable(ctx, p, true, async (file) => {
    const handle = await openRegularForWrite(file, 'truncate', p, 'keep', true);
    try {
      await handle.truncate(size);
    } finally {
      await handle.close();
    }
  }));
}

/** Streams a host file (or FIFO; not confined) into a guest file, created or replaced. */
export async function upload(ctx: FileContext, hostFile: string, p: GuestPath): Promise<void> {
  const source = await guarded(hostFile, `upload to ${showPath(p)} from`, () => open(hostFile, 'r'));
  try {
    const target = await guarded(p, 'upload', () => withWritable(ctx, p, true, (file) => openRegularForWrite(file, 'upload', p, 'truncate')));
    try {
      const options = { highWaterMark: STREAM_CHUNK };
      await guarded(p, 'upload', () => pipeline(source.createReadStream(options), target.createWriteStream(options)));
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}
