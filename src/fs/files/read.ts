/** Reading guest file content: whole files, lines, checksums, downloads to the host. */
import { createWriteStream } from 'node:fs';
import { copyFile, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { showPath, type GuestPath } from '../names.js';
import { checksumAlgorithm, checksumFile } from './checksum.js';
import { guarded, withHost, type FileContext } from './context.js';
import { openRegularForRead } from './regular.js';
import type { ChecksumAlgorithm } from './types.js';

/** 1 MiB chunks: node's 64 KiB default makes big copies measurably slower than cat(1). */
export const STREAM_CHUNK = 1024 * 1024;

/** The whole content of a regular file (symlinks followed inside the guest). */
export async function read(ctx: FileContext, p: GuestPath): Promise<Buffer> {
  return guarded(p, 'read', () => withHost(ctx, p, true, async (file) => {
    const handle = await openRegularForRead(file, 'read', p);
    try {
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  }));
}

/**
 * The first `length` bytes of a regular file (symlinks followed inside the
 * guest), or all of it when it is shorter: a bounded read of a file the guest
 * may have made huge (read `limit + 1` bytes to tell a file over `limit`).
 */
export async function readHead(ctx: FileContext, p: GuestPath, length: number): Promise<Buffer> {
  return guarded(p, 'read', () => withHost(ctx, p, true, async (file) => {
    const handle = await openRegularForRead(file, 'read', p);
    try {
      // Sized by the file, not by the bound: a small file under a large bound allocates little.
      const buf = Buffer.alloc(Math.min(length, (await handle.stat()).size + 1));
      let filled = 0;
      for (let n = -1; n !== 0 && filled < buf.length; filled += n) n = (await handle.read(buf, filled, buf.length - filled, filled)).bytesRead;
      return buf.subarray(0, filled);
    } finally {
      await handle.close();
    }
  }));
}

/**
 * Lines of a text file, without their LF or CRLF endings (libguestfs `read_lines`).
 *
 * `"a\r\nb\n\nc"` → `['a', 'b', '', 'c']`; an empty file → `[]`.
 */
export async function readLines(ctx: FileContext, p: GuestPath): Promise<string[]> {
  return splitLines((await read(ctx, p)).toString('utf8'));
}

/** Splits text into lines, dropping LF/CRLF endings and one final line ending. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  return text.replace(/\r?\n$/, '').split(/\r?\n/);
}

/** Checksum of a regular file, streamed: hex digest, or decimal POSIX cksum for `crc`. */
export async function checksum(ctx: FileContext, algorithm: ChecksumAlgorithm, p: GuestPath): Promise<string> {
  const algo = checksumAlgorithm(algorithm);
  return guarded(p, 'checksum', () => withHost(ctx, p, true, async (file) => (await checksumFile(algo, file, p)).checksum));
}

/** Copies a guest file to a host path (the host path is the caller's, not confined; it may be a FIFO). */
export async function download(ctx: FileContext, p: GuestPath, hostFile: string): Promise<void> {
  await guarded(p, 'download', () => withHost(ctx, p, true, async (source) => {
    await (await openRegularForRead(source, 'download', p)).close();
    await copyTo(source, p, hostFile);
  }));
}

/** Copies an opened-and-checked guest file to the caller's host path. */
async function copyTo(source: Buffer, p: GuestPath, hostFile: string): Promise<void> {
  await guarded(hostFile, `download ${showPath(p)} to`, async () => {
    const target = await stat(hostFile).catch(() => undefined);
    // To a regular file the kernel copies (copy_file_range); to a pipe or device, stream.
    if (!target || target.isFile()) return copyFile(source, hostFile);
    const handle = await openRegularForRead(source, 'download', p);
    try {
      await pipeline(handle.createReadStream({ highWaterMark: STREAM_CHUNK }), createWriteStream(hostFile, { highWaterMark: STREAM_CHUNK }));
    } finally {
      await handle.close();
    }
  });
}
