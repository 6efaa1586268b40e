/**
 * Checksums of every regular file below a directory (libguestfs
 * `checksums_out`, what virt-ls --checksums uses), computed in-process over
 * one walk: no tool per file, several files hashed at once.
 */
import { writeFile } from 'node:fs/promises';
import { lazy } from '../../core/lazy.js';
import { nameBytes, showPath, type GuestPath, type NameOptions } from '../names.js';
import { checksumAlgorithm, checksumFile } from './checksum.js';
import { guarded, type FileContext } from './context.js';
import { sortNames, walkGuestDir } from './search.js';
import type { ChecksumAlgorithm } from './types.js';

/** Files hashed at once. */
const CONCURRENCY = 16;
const loadPLimit = lazy(() => import('p-limit'));

/** The checksum of one file below the directory. */
export interface GuestChecksum<P extends string | Buffer = string | Buffer> {
  /** Path relative to the directory: text (surrogate escapes) or Buffer with `encoding: 'buffer'`. */
  path: P;
  /** Hex digest, or decimal POSIX cksum for `crc`. */
  checksum: string;
  /** Size in bytes. */
  size: number;
}

/**
 * Checksums every regular file below `dir` (symlinks are not followed),
 * sorted by path. A file that cannot be read is told to `ctx.warn` and left out.
 */
export async function checksums(ctx: FileContext, algorithm: ChecksumAlgorithm, dir: GuestPath, options: NameOptions = {}): Promise<GuestChecksum[]> {
  const algo = checksumAlgorithm(algorithm);
  const { default: pLimit } = await loadPLimit();
  const limit = pLimit(CONCURRENCY);
  const buffers: Buffer[] = [];
  const sums = new Map<string | Buffer, GuestChecksum>();
  await walkGuestDir(ctx, dir, 'checksums', options, () => (e) => {
    if (e.type !== 'file') return;
    return limit(async () => {
      const buffer = buffers.pop();
      const where = `${showPath(dir).replace(/\/+$/, '')}/${showPath(e.relative)}`;
      try {
        const { checksum, size } = await checksumFile(algo, e.host, where, buffer);
        sums.set(e.relative, { path: e.relative, checksum, size });
      } catch (err) {
        ctx.warn?.(`checksums: cannot read ${where} (${(err as NodeJS.ErrnoException).code ?? String(err)}); left out`);
      } finally {
        if (buffer) buffers.push(buffer);
      }
    });
  });
  return sortNames([...sums.keys()]).map((p) => sums.get(p)!);
}

/** A name as GNU sha256sum prints it: `\` and newlines escaped, the line then starting with `\`. */
function coreutilsLine(sum: GuestChecksum, crc: boolean): Buffer {
  const name = Buffer.concat([Buffer.from('./'), nameBytes(sum.path)]);
  if (crc) return Buffer.concat([Buffer.from(`${sum.checksum} ${sum.size} `), name, Buffer.from('\n')]);
  const escape = !crc && (name.includes(0x5c) || name.includes(0x0a) || name.includes(0x0d));
  const shown = escape ? Buffer.from(name.toString('latin1').replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r'), 'latin1') : name;
  return Buffer.concat([Buffer.from(`${escape ? '\\' : ''}${sum.checksum}  `), shown, Buffer.from('\n')]);
}

/**
 * Writes the checksums of every regular file below `dir` to the host file
 * `sumsfile` (libguestfs `checksums_out`), one line per file as
 * `cd dir && find -type f | xargs sha256sum` prints it (`HASH  ./path`;
 * `CRC SIZE ./path` for crc), sorted by path, names as their raw bytes.
 */
export async function checksumsOut(ctx: FileContext, algorithm: ChecksumAlgorithm, dir: GuestPath, sumsfile: string): Promise<void> {
  const crc = checksumAlgorithm(algorithm) === 'crc';
  const sums = await checksums(ctx, algorithm, dir, { encoding: 'buffer' });
  await guarded(sumsfile, `checksumsOut ${showPath(dir)} to`, () => writeFile(sumsfile, Buffer.concat(sums.map((s) => coreutilsLine(s, crc)))));
}
