/**
 * Creating a blank disk image (libguestfs `disk_create`): `qemu-img create`
 * with its arguments checked first, as libguestfs checks them, and an
 * existing file never overwritten.
 */
import { lstat } from 'node:fs/promises';
import { VmcraftError } from '../core/errors.js';
import type { Runner } from '../core/exec.js';

/** Formats `GuestFS.diskCreate` makes. */
export type CreateFormat = 'raw' | 'qcow2' | 'vmdk' | 'vhdx';
export const CREATE_FORMATS: readonly CreateFormat[] = ['raw', 'qcow2', 'vmdk', 'vhdx'];

/** Options of `GuestFS.diskCreate`, as libguestfs' `disk_create` optargs. */
export interface DiskCreateOptions {
  /** A backing file (qcow2 only); its format must be given too, and the size must be -1 (the backing file's). */
  backingFile?: string;
  /** The backing file's format (qemu driver name: `raw`, `qcow2`…). */
  backingFormat?: string;
  /** `off`/`sparse` (default), `full`; qcow2 also `metadata`. raw and qcow2 only. */
  preallocation?: 'off' | 'sparse' | 'metadata' | 'full';
  /** qcow2 version: `0.10` (v2) or `1.1` (v3). */
  compat?: '0.10' | '1.1';
  /** qcow2 cluster size: a power of two from 512 to 2 MiB. */
  clusterSize?: number;
}

/** Backing formats qemu-img takes with `-F` (a format named explicitly, never probed). */
const BACKING_FORMATS = new Set(['raw', 'qcow2', 'qed', 'vmdk', 'vdi', 'vpc', 'vhdx', 'parallels']);

const bad = (message: string) => new VmcraftError('EINVAL', `diskCreate: ${message}`);

/** Checks the arguments and builds the `qemu-img create` argv (everything but the program). */
export function diskCreateArgs(file: string, format: CreateFormat, size: number, options: DiskCreateOptions = {}): string[] {
  const { backingFile, backingFormat, preallocation, compat, clusterSize } = options;
  if (!(CREATE_FORMATS as readonly string[]).includes(format)) throw bad(`unsupported format ${JSON.stringify(format)} (one of ${CREATE_FORMATS.join(', ')})`);
  if (backingFile !== undefined) {
    if (format !== 'qcow2') throw bad(`a backing file needs format qcow2, not ${format}`);
    if (size !== -1) throw bad('with a backing file the size must be -1 (the backing file\'s size)');
    // qemu-img would probe the backing file's format from its content: a raw file that looks like qcow2 is the classic hole.
    if (backingFormat === undefined) throw bad('a backing file needs its format (backingFormat): it is never probed');
    if (!BACKING_FORMATS.has(backingFormat)) throw bad(`invalid backingFormat ${JSON.stringify(backingFormat)} (one of ${[...BACKING_FORMATS].join(', ')})`);
  } else {
    if (backingFormat !== undefined) throw bad('backingFormat without backingFile');
    if (!Number.isSafeInteger(size) || size < 0) throw bad(`invalid size ${size}`);
  }
  const opts: string[] = [];
  if (preallocation !== undefined) {
    const allowed = format === 'raw' ? ['off', 'sparse', 'full'] : format === 'qcow2' ? ['off', 'sparse', 'metadata', 'full'] : [];
    if (!allowed.includes(preallocation)) throw bad(`invalid preallocation ${JSON.stringify(preallocation)} for ${format}${allowed.length ? ` (one of ${allowed.join(', ')})` : ''}`);
    // libguestfs: raw 'full' is posix_fallocate (qemu's falloc); 'sparse' is qemu's 'off'.
    opts.push(`preallocation=${preallocation === 'sparse' ? 'off' : format === 'raw' && preallocation === 'full' ? 'falloc' : preallocation}`);
  }
  if (compat !== undefined) {
    if (format !== 'qcow2') throw bad(`compat is for qcow2, not ${format}`);
    if (compat !== '0.10' && compat !== '1.1') throw bad(`invalid compat ${JSON.stringify(compat)} (0.10 or 1.1)`);
    opts.push(`compat=${compat}`);
  }
  if (clusterSize !== undefined) {
    if (format !== 'qcow2') throw bad(`clusterSize is for qcow2, not ${format}`);
    if (!Number.isInteger(clusterSize) || clusterSize < 512 || clusterSize > 2 * 1024 * 1024 || (clusterSize & (clusterSize - 1)) !== 0) throw bad(`invalid clusterSize ${clusterSize} (a power of two from 512 to 2097152)`);
    opts.push(`cluster_size=${clusterSize}`);
  }
  const argv = ['create', '-q', '-f', format];
  if (backingFile !== undefined) argv.push('-b', backingFile, '-F', backingFormat!);
  if (opts.length) argv.push('-o', opts.join(','));
  // `--` keeps a file name starting with '-' a file name.
  argv.push('--', file);
  if (backingFile === undefined) argv.push(String(size));
  return argv;
}

/**
 * Creates a blank disk image with `qemu-img create`.
 * @throws VmcraftError `EEXIST` when `file` exists (it is never overwritten), `EINVAL` for bad arguments, `ECOMMAND` when qemu-img fails
 */
export async function createDisk(runner: Runner, file: string, format: CreateFormat, size: number, options: DiskCreateOptions = {}): Promise<void> {
  const argv = diskCreateArgs(file, format, size, options);
  if (await lstat(file).then(() => true, () => false)) throw new VmcraftError('EEXIST', `diskCreate: ${file} exists (it is never overwritten)`, { path: file });
  await runner.run('qemu-img', argv);
}
