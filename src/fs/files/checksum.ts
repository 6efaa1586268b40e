/** Streamed file checksums: node's hashes and POSIX cksum's CRC. */
import { createHash } from 'node:crypto';
import { VmcraftError } from '../../core/errors.js';
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

/** Checksums a stream of bytes with one of the libguestfs algorithms (hex, or decimal for crc). */
export async function checksumOf(algorithm: ChecksumAlgorithm, data: AsyncIterable<Uint8Array>): Promise<string> {
  const sum = algorithm === 'crc' ? new PosixCksum() : createHash(HASHES[algorithm]);
  for await (const chunk of data) sum.update(chunk);
  return sum instanceof PosixCksum ? sum.digest() : sum.digest('hex');
}
