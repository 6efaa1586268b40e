/**
 * Image conversion with `qemu-img convert`: progress events, abort, a temp
 * file beside the target renamed on success (never a half output), optional
 * verification, retries of transient failures, and the output's sha256.
 */
import { randomBytes } from 'node:crypto';
import { rm, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import pRetry from 'p-retry';
import { VmcraftError } from '../core/errors.js';
import { defaultRunner, type Runner } from '../core/exec.js';
import { sha256File } from '../core/hash.js';
import { detectFormat, qemuDriver, type ImageFormat } from './detect.js';
import { imageInfo } from './info.js';
import { ProgressTracker, type ProgressEvent } from './progress.js';

/** Output formats qemu-img can write. */
export type OutputFormat = 'qcow2' | 'raw' | 'vmdk' | 'vhdx' | 'vhd' | 'vdi' | 'qed' | 'parallels';

/** Options of {@link convert}. */
export interface ConvertOptions {
  /** Output format. @default 'qcow2' */
  format?: OutputFormat;
  /** Input format; detected from the content when not given. */
  sourceFormat?: ImageFormat;
  /** Compress (qcow2, vmdk streamOptimized). @default false */
  compress?: boolean;
  /** Keep the output sparse (skip zeroes). @default true */
  sparse?: boolean;
  /** qcow2/raw preallocation: `off`, `metadata`, `falloc`, `full`. */
  preallocation?: 'off' | 'metadata' | 'falloc' | 'full';
  /** qcow2 cluster size in bytes. */
  clusterSize?: number;
  /** vmdk subformat (`monolithicSparse`, `streamOptimized`…), vhd (`dynamic`/`fixed`) or vhdx (`dynamic`/`fixed`). */
  subformat?: string;
  /** Parallel coroutines (qemu-img -m, 1 to 16). */
  threads?: number;
  /** Replace an existing output. @default false */
  overwrite?: boolean;
  /** After converting: `check` the output's metadata, or `compare` its content with the input. @default false */
  verify?: false | 'check' | 'compare';
  /** Compute the output's sha256 (a full read of the output). @default true */
  checksum?: boolean;
  /** Transient failures (lock contention, EAGAIN) retried this many times. @default 2 */
  retries?: number;
  signal?: AbortSignal;
  onProgress?: (event: ProgressEvent) => void;
  runner?: Runner;
}

/** What {@link convert} produced. */
export interface ConvertResult {
  output: string;
  format: OutputFormat;
  sourceFormat: ImageFormat;
  virtualSize: number;
  /** Bytes of the output file on the host. */
  size: number;
  /** sha256 of the output (absent with `checksum: false`). */
  sha256?: string;
  durationMs: number;
  verified: false | 'check' | 'compare';
}

const DRIVER: Record<OutputFormat, string> = { qcow2: 'qcow2', raw: 'raw', vmdk: 'vmdk', vhdx: 'vhdx', vhd: 'vpc', vdi: 'vdi', qed: 'qed', parallels: 'parallels' };

/** The `-o` options for a conversion. */
function createOptions(o: ConvertOptions): string[] {
  const opts: string[] = [];
  if (o.preallocation) opts.push(`preallocation=${o.preallocation}`);
  if (o.clusterSize) opts.push(`cluster_size=${o.clusterSize}`);
  if (o.subformat) opts.push(`subformat=${o.subformat}`);
  return opts.length ? ['-o', opts.join(',')] : [];
}

/** The argv of `qemu-img convert` (exported for tests: argv without running). */
export function convertArgs(src: string, srcFormat: ImageFormat, tmp: string, o: ConvertOptions): string[] {
  const format = o.format ?? 'qcow2';
  if (o.threads !== undefined && (!Number.isInteger(o.threads) || o.threads < 1 || o.threads > 16)) {
    throw new VmcraftError('EINVAL', `Expected the \`threads\` option to be an integer from 1 to 16, got \`${o.threads}\``);
  }
  return [
    'convert', '-p', '-f', qemuDriver(srcFormat), '-O', DRIVER[format],
    ...(o.compress ? ['-c'] : []),
    ...(o.sparse === false ? ['-S', '0'] : []),
    ...(o.threads ? ['-m', String(o.threads)] : []),
    ...createOptions(o),
    src, tmp,
  ];
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}

const TRANSIENT = /Failed to get .*lock|Resource temporarily unavailable|EAGAIN/i;

/** Converts `src` to `dst`. The output appears only when complete (and verified, when asked). */
export async function convert(src: string, dst: string, options: ConvertOptions = {}): Promise<ConvertResult> {
  const runner = options.runner ?? defaultRunner;
  const format = options.format ?? 'qcow2';
  if (!(format in DRIVER)) throw new VmcraftError('EINVAL', `Expected the \`format\` option to be one of ${Object.keys(DRIVER).join(', ')}, got \`${String(format)}\``);
  if (!options.overwrite && (await exists(dst))) throw new VmcraftError('EEXIST', `${dst} exists (pass overwrite: true to replace it)`, { path: dst });
  const detected = options.sourceFormat ? undefined : await detectFormat(src);
  const sourceFormat = options.sourceFormat ?? detected!.format;
  if (sourceFormat === 'vhd' && ((detected ?? (await detectFormat(src))).subformat === 'differencing')) {
    throw new VmcraftError('EUNSUPPORTED', `${src} is a differencing VHD, which qemu reads as if its parent were empty: use flatten() instead`, { path: src });
  }
  const info = await imageInfo(src, { format: sourceFormat, runner });
  const tmp = path.join(path.dirname(dst), `.${path.basename(dst)}.vmcraft-${randomBytes(4).toString('hex')}.tmp`);
  const started = performance.now();
  try {
    await pRetry(
      async () => {
        const tracker = new ProgressTracker(info.virtualSize, (e) => options.onProgress?.(e));
        await rm(tmp, { force: true });
        await runner.run('qemu-img', convertArgs(src, sourceFormat, tmp, options), {
          signal: options.signal,
          timeoutMs: 24 * 3600_000,
          onStdout: (chunk) => tracker.feed(chunk),
        });
        tracker.finish();
      },
      {
        retries: options.retries ?? 2,
        minTimeout: 200,
        shouldRetry: (err) => err instanceof VmcraftError && err.code === 'ECOMMAND' && TRANSIENT.test(err.command?.stderr ?? ''),
      },
    );
    if (options.verify === 'check') await runner.run('qemu-img', ['check', '-q', '-f', DRIVER[format], tmp]);
    if (options.verify === 'compare') await runner.run('qemu-img', ['compare', '-q', '-f', qemuDriver(sourceFormat), '-F', DRIVER[format], src, tmp], { timeoutMs: 24 * 3600_000 });
    const sha256 = options.checksum === false ? undefined : await sha256File(tmp);
    const { size } = await stat(tmp);
    await rename(tmp, dst);
    return {
      output: dst, format, sourceFormat, virtualSize: info.virtualSize, size, ...(sha256 ? { sha256 } : {}),
      durationMs: Math.round(performance.now() - started), verified: options.verify ?? false,
    };
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
