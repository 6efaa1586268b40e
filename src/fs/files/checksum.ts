/** Streamed file checksums: node's hashes and POSIX cksum's CRC. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { VmcraftError } from '../../core/errors.js';
import type { ChecksumAlgorithm } from './types.js';

const HASHES: Record<Exclude<ChecksumAlgorithm, 'crc'>, string> = {
  md5: 'md5', sha1: 'sha1', sha224: 'sha224', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512',
};

/** The CRC table of POSIX cksum (polynomial 0x04C11DB7, most significant bit first). */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n << 24;
  for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
  return c >>> 0;
});

/** Incremental POSIX cksum: feed the data, then the length, then complement. */
export class PosixCksum {
  #crc = 0;
  #length = 0;

  update(data: Uint8Array): void {
    let crc = this.#crc;
    for (const byte of data) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
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

/** Checksums a host file with one of the libguestfs algorithms (hex, or decimal for crc). */
export async function checksumFile(algorithm: ChecksumAlgorithm, file: string): Promise<string> {
  if (algorithm !== 'crc' && !(algorithm in HASHES)) {
    throw new VmcraftError('EINVAL', `unknown checksum algorithm \`${String(algorithm)}\` (known: crc, ${Object.keys(HASHES).join(', ')})`);
  }
  const sum = algorithm === 'crc' ? new PosixCksum() : createHash(HASHES[algorithm]);
  for await (const chunk of createReadStream(file)) sum.update(chunk as Buffer);
  return sum instanceof PosixCksum ? sum.digest() : sum.digest('hex');
}
