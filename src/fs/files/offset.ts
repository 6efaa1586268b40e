/**
 * Reading and writing parts of guest files at an offset (libguestfs `pread`,
 * `pwrite`, `download_offset`, `upload_offset`) and the canonical guest path
 * (`realpath`). Only regular files are opened (see regular.ts); symlinks are
 * followed inside the guest root.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { VmcraftError } from '../../core/errors.js';
import { showPath, type GuestPath } from '../names.js';
import { guarded, withHost, withWritable, type FileContext } from './context.js';
import { STREAM_CHUNK } from './read.js';
import { openRegularForRead, openRegularForWrite } from './regular.js';

/** libguestfs' limit on one pread/pwrite (its protocol's message size, GUESTFS_MESSAGE_MAX). */
export const PREAD_MAX = 4 * 1024 * 1024;

function checkRange(operation: string, name: string, value: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new VmcraftError('EINVAL', `${operation}: expected ${name} to be an integer from 0 to ${max}, got ${value}`);
  }
}

/** Up to `count` bytes of an opened file at `offset`: fewer at its end, none past it. */
export async function readAt(handle: FileHandle, count: number, offset: number): Promise<Buffer> {
  const buffer = Buffer.alloc(count);
  let done = 0;
  while (done < count) {
    const { bytesRead } = await handle.read(buffer, done, count - done, offset + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buffer.subarray(0, done);
}

/** Writes all of `data` into an opened file at `offset`; answers its length. */
async function writeAt(handle: FileHandle, data: Uint8Array, offset: number): Promise<number> {
  let done = 0;
  while (done < data.length) done += (await handle.write(data, done, data.length - done, offset + done)).bytesWritten;
  return done;
}

/** Runs `fn` on a handle and closes it. */
async function using<T>(handle: FileHandle, fn: (handle: FileHandle) => Promise<T>): Promise<T> {
  try {
    return await fn(handle);
  } finally {
    await handle.close();
  }
}

/** Checks pwrite's arguments and gives its content as bytes. */
function writeArgs(operation: string, content: string | Uint8Array, offset: number): Uint8Array {
  checkRange(operation, 'offset', offset);
  const data = typeof content === 'string' ? Buffer.from(content) : content;
  if (data.length > PREAD_MAX) throw new VmcraftError('EINVAL', `${operation}: content of ${data.length} bytes is over the limit of ${PREAD_MAX}`);
  return data;
}

/** Up to `count` bytes at `offset` (fewer at the end of the file, none past it). */
export async function pread(ctx: FileContext, p: GuestPath, count: number, offset: number): Promise<Buffer> {
  checkRange('pread', 'count', count, PREAD_MAX);
  checkRange('pread', 'offset', offset);
  return guarded(p, 'pread', () => withHost(ctx, p, true, async (file) => using(await openRegularForRead(file, 'pread', p), (h) => readAt(h, count, offset))));
}

/** Writes `content` into an existing regular file at `offset`, and answers how many bytes were written. */
export async function pwrite(ctx: FileContext, p: GuestPath, content: string | Uint8Array, offset: number): Promise<number> {
  const data = writeArgs('pwrite', content, offset);
  return guarded(p, 'pwrite', () => withWritable(ctx, p, true, async (file) => using(await openRegularForWrite(file, 'pwrite', p, 'keep', true), (h) => writeAt(h, data, offset))));
}

/** Up to `count` bytes of a session device (its host node `hostPath`) at `offset` (libguestfs `pread_device`). */
export async function preadDevice(name: string, hostPath: string, count: number, offset: number): Promise<Buffer> {
  checkRange('preadDevice', 'count', count, PREAD_MAX);
  checkRange('preadDevice', 'offset', offset);
  return guarded(name, 'preadDevice', async () => using(await open(hostPath, 'r'), (h) => readAt(h, count, offset)));
}

/** Writes `content` into a session device at `offset`; answers the bytes written (libguestfs `pwrite_device`). */
export async function pwriteDevice(name: string, hostPath: string, content: string | Uint8Array, offset: number): Promise<number> {
  const data = writeArgs('pwriteDevice', content, offset);
  return guarded(name, 'pwriteDevice', async () => using(await open(hostPath, 'r+'), (h) => writeAt(h, data, offset)));
}

/** Copies `size` bytes of a guest file from `offset` to the caller's host file; the range must lie within the file. */
export async function downloadOffset(ctx: FileContext, p: GuestPath, hostFile: string, offset: number, size: number): Promise<void> {
  checkRange('downloadOffset', 'offset', offset);
  checkRange('downloadOffset', 'size', size);
  await guarded(p, 'downloadOffset', () => withHost(ctx, p, true, async (file) => {
    const handle = await openRegularForRead(file, 'downloadOffset', p);
    try {
      const length = (await handle.stat()).size;
      if (offset + size > length) throw new VmcraftError('EINVAL', `downloadOffset ${showPath(p)}: ${size} bytes from offset ${offset} go past its end (${length} bytes)`, { path: showPath(p) });
      const target = createWriteStream(hostFile, { highWaterMark: STREAM_CHUNK });
      // A read stream's `end` is inclusive, so no bytes at all is an empty stream.
      const source = size === 0 ? Readable.from([]) : handle.createReadStream({ start: offset, end: offset + size - 1, highWaterMark: STREAM_CHUNK });
      await pipeline(source, target);
    } finally {
      await handle.close();
    }
  }));
}

/**
 * Writes the caller's host file into a guest file from `offset` on, without
 * truncating it; a missing guest file is created (a hole before `offset`).
 */
export async function uploadOffset(ctx: FileContext, hostFile: string, p: GuestPath, offset: number): Promise<void> {
  checkRange('uploadOffset', 'offset', offset);
  const source = createReadStream(hostFile, { highWaterMark: STREAM_CHUNK });
  await guarded(hostFile, `uploadOffset to ${showPath(p)} from`, () => new Promise<void>((resolve, reject) => source.once('open', () => resolve()).once('error', reject)));
  try {
    await guarded(p, 'uploadOffset', () => withWritable(ctx, p, true, async (file) => {
      const handle = await openRegularForWrite(file, 'uploadOffset', p, 'keep');
      try {
        await pipeline(source, handle.createWriteStream({ start: offset, highWaterMark: STREAM_CHUNK }));
      } finally {
        await handle.close();
      }
    }));
  } finally {
    source.destroy();
  }
}

/** The canonical guest path of an existing path: symlinks, `.` and `..` resolved inside the guest (libguestfs `realpath`). */
export async function realpath(ctx: FileContext, p: GuestPath): Promise<string> {
  return guarded(p, 'realpath', () => withHost(ctx, p, true, async (file, resolved) => {
    await lstat(file);
    return resolved.guestPath;
  }));
}
