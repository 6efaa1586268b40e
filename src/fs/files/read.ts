/** Reading guest file content: whole files, lines, checksums, downloads to the host. */
import { createWriteStream } from 'node:fs';
import { copyFile, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { checksumAlgorithm, checksumOf } from './checksum.js';
import { guarded, hostPath, type FileContext } from './context.js';
import { openRegularForRead } from './regular.js';
import type { ChecksumAlgorithm } from './types.js';

// Kept for src/guestfs/files.ts, which imports the read side from here.
export { du, isType, ls, readlinkPath, statPath, statvfs } from './stat.js';
export { find, findModifiedSince } from './search.js';
export { globExpand } from './glob.js';

/** 1 MiB chunks: node's 64 KiB default makes big copies measurably slower than cat(1). */
export const STREAM_CHUNK = 1024 * 1024;

/** The whole content of a regular file (symlinks followed inside the guest). */
export async function read(ctx: FileContext, p: string): Promise<Buffer> {
  return guarded(p, 'read', async () => {
    const handle = await openRegularForRead(await hostPath(ctx, p), 'read', p);
    try {
      return await handle.readFile();
    } finally {
      await handle.close();
    }
  });
}

/**
 * Lines of a text file, without their LF or CRLF endings (libguestfs `read_lines`).
 *
 * `"a\r\nb\n\nc"` → `['a', 'b', '', 'c']`; an empty file → `[]`.
 */
export async function readLines(ctx: FileContext, p: string): Promise<string[]> {
  return splitLines((await read(ctx, p)).toString('utf8'));
}

/** Splits text into lines, dropping LF/CRLF endings and one final line ending. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  return text.replace(/\r?\n$/, '').split(/\r?\n/);
}

/** Checksum of a regular file, streamed: hex digest, or decimal POSIX cksum for `crc`. */
export async function checksum(ctx: FileContext, algorithm: ChecksumAlgorithm, p: string): Promise<string> {
  const algo = checksumAlgorithm(algorithm);
  return guarded(p, 'checksum', async () => {
    const handle = await openRegularForRead(await hostPath(ctx, p), 'checksum', p);
    try {
      return await checksumOf(algo, handle.createReadStream({ highWaterMark: STREAM_CHUNK }));
    } finally {
      await handle.close();
    }
  });
}

/** Copies a guest file to a host path (the host path is the caller's, not confined; it may be a FIFO). */
export async function download(ctx: FileContext, p: string, hostFile: string): Promise<void> {
  const source = await guarded(p, 'download', async () => {
    const file = await hostPath(ctx, p);
    await (await openRegularForRead(file, 'download', p)).close();
    return file;
  });
  await guarded(hostFile, `download ${p} to`, async () => {
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
