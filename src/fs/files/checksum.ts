/** Streamed file checksums: node's hashes and POSIX cksum's CRC. */
import { createHash } from 'node:crypto';
import { VmcraftError } from '../../core/errors.js';
import type { GuestPath } from '../names.js';
import { openRegularForRead } from './regular.js';
import type { ChecksumAlgorithm } from './types.js';

const HASHES: Record<Exclude<ChecksumAlgorithm, 'crc'>, string> = {
  md5: 'md5', sha1: 'sha1', sha224: 'sha224', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512',
};

/** The CRC table of POSIX cksum (polynomial 0x04C11DB7, most significant bit first). */
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n << 24;
  for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
  return c >>> 0;
});

/** Incremental POSIX cksum: feed the data, then the length, then complement. */
export class PosixCksum {
  #crc = 0;
  #length = 0;

  /** Adds bytes. */
  update(data: Uint8Array): void {
    let crc = this.#crc;
    for (let i = 0; i < data.length; i++) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ data[i]!) & 0xff]!) >>> 0;
    this.#crc = crc;
    this.#length += data.length;
  }

  /** The checksum as `cksum` prints it (decimal). */
  digest(): string {
    let crc = this.#crc;
    for (let len = this.#length; len > 0; len = Math.floor(len / 256)) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ (len & 0xff)) & 0xff]!) >>> 0;
    return String((~crc) >>> 0);
  }
}

/**
 * Checks an algorithm name (case-insensitive, like libguestfs) and returns it in lower case.
 *
 * @throws VmcraftError `EINVAL` for an unknown algorithm.
 */
export function checksumAlgorithm(name: string): ChecksumAlgorithm {
  const lower = String(name).toLowerCase();
  if (lower !== 'crc' && !(lower in HASHES)) {
    throw new VmcraftError('EINVAL', `unknown checksum algorithm \`${String(name)}\` (known: crc, ${Object.keys(HASHES).join(', ')})`);
  }
  return lower as ChecksumAlgorithm;
}

/** Read size of {@link checksumFile}: one read for most files, few for big ones. */
const CHUNK = 256 * 1024;

/** A file's checksum and its size in bytes (cksum prints both). */
export interface FileSum {
  checksum: string;
  size: number;
}

/**
 * Checksums a guest regular file in-process (no tool per file): hex digest,
 * or decimal POSIX cksum for `crc`. `buffer` is scratch space a caller
 * checksumming many files reuses.
 */
export async function checksumFile(algorithm: ChecksumAlgorithm, file: string | Buffer, guestPath: GuestPath, buffer: Buffer = Buffer.allocUnsafe(CHUNK)): Promise<FileSum> {
  const sum = algorithm === 'crc' ? new PosixCksum() : createHash(HASHES[algorithm]);
  const handle = await openRegularForRead(file, 'checksum', guestPath);
  let size = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      sum.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return { checksum: sum instanceof PosixCksum ? sum.digest() : sum.digest('hex'), size };
}
