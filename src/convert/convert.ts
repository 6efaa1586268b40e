/**
 * Image conversion with `qemu-img convert`: progress events, abort, a temp
 * file beside the target renamed on success (never a half output), optional
 * verification, retries of transient failures, and the output's sha256.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, realpath, rm, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { VmcraftError, fromFsError } from '../core/errors.js';
import { defaultRunner, type Runner } from '../core/exec.js';
import { lazy } from '../core/lazy.js';
import { sha256File } from '../core/hash.js';
import { chainFilename } from '../attach/blockdev.js';
import { registerSession } from '../attach/reaper.js';
import type { ChainPolicy } from '../attach/references.js';
import { resolveChain, type ChainLink } from '../attach/chain.js';
import { detectFormat, qemuDriver, type ImageFormat } from '../attach/detect.js';
import { layerInfo } from './info.js';
import { ProgressTracker, type ProgressEvent } from './progress.js';

/** Output formats qemu-img can write. */
export type OutputFormat = 'qcow2' | 'raw' | 'vmdk' | 'vhdx' | 'vhd' | 'vdi' | 'qed' | 'parallels';

/** Options of {@link convert}. */
export interface ConvertOptions {
  /** Output format. @default 'qcow2' */
  format?: OutputFormat;
  /** Input format; detected from the content when not given. */
  sourceFormat?: ImageFormat;
  /**
   * Which images the input may read besides itself: its backing chain, whose
   * data goes into the output. @default 'none' (the input alone; one with a
   * backing file is refused with `EUNSAFE`)
   */
  chain?: ChainPolicy;
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

/** The argv of `qemu-img convert` of a verified chain (exported for tests: argv without running). */
export function convertArgs(chain: readonly ChainLink[], tmp: string, o: ConvertOptions): string[] {
  const format = o.format ?? 'qcow2';
  if (o.threads !== undefined && (!Number.isInteger(o.threads) || o.threads < 1 || o.threads > 16)) {
    throw new VmcraftError('EINVAL', `Expected the \`threads\` option to be an integer from 1 to 16, got \`${o.threads}\``);
  }
  return [
    'convert', '-p', '-f', qemuDriver(chain[0]!.format), '-O', DRIVER[format],
    ...(o.compress ? ['-c'] : []),
    ...(o.sparse === false ? ['-S', '0'] : []),
    ...(o.threads ? ['-m', String(o.threads)] : []),
    ...createOptions(o),
    chainFilename(chain, true), tmp,
  ];
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}

const TRANSIENT = /Failed to get .*lock|Resource temporarily unavailable|EAGAIN/i;
const loadPRetry = lazy(() => import('p-retry'));

/**
 * Checks the arguments before any work: formats, the target's directory,
 * overwriting, converting onto itself; returns the input's chain, verified
 * against the `chain` option.
 */
async function preflight(src: string, dst: string, options: ConvertOptions): Promise<ChainLink[]> {
  const format = options.format ?? 'qcow2';
  if (!(format in DRIVER)) throw new VmcraftError('EINVAL', `Expected the \`format\` option to be one of ${Object.keys(DRIVER).join(', ')}, got \`${String(format)}\``);
  const dir = await stat(path.dirname(dst)).catch((err: unknown) => {
    throw fromFsError(err, path.dirname(dst), 'cannot write into');
  });
  if (!dir.isDirectory()) throw new VmcraftError('ENOTDIR', `${path.dirname(dst)} is not a directory`, { path: dst });
  if (await exists(dst)) {
    if (!options.overwrite) throw new VmcraftError('EEXIST', `${dst} exists (pass overwrite: true to replace it)`, { path: dst });
    if ((await realpath(dst)) === (await realpath(src).catch(() => src))) throw new VmcraftError('EINVAL', `cannot convert ${src} onto itself`, { path: dst });
  }
  const detected = options.sourceFormat ? undefined : await detectFormat(src);
  const sourceFormat = options.sourceFormat ?? detected!.format;
  if (sourceFormat === 'vhd' && (detected ?? (await detectFormat(src))).subformat === 'differencing') {
    throw new VmcraftError('EUNSUPPORTED', `${src} is a differencing VHD, which qemu reads as if its parent were empty: use flatten() instead`, { path: src });
  }
  return resolveChain(src, { format: sourceFormat, ...(options.chain ? { chain: options.chain } : {}) });
}

/**
 * The virtual size of the top image: a raw file's own size, a qcow2's from its
 * header (bytes 24-31), else what qemu-img info says. Reading it directly
 * keeps a second qemu-img process off the common paths.
 */
async function virtualSizeOf(top: ChainLink, runner: Runner): Promise<number> {
  const { path: src, format } = top;
  const info = await stat(src);
  if ((format === 'raw' || format === 'iso') && info.isFile()) return info.size;
  if (format === 'qcow2') {
    const handle = await open(src, 'r');
    try {
      const header = Buffer.alloc(32);
      if ((await handle.read(header, 0, 32, 0)).bytesRead === 32) return Number(header.readBigUInt64BE(24));
    } finally {
      await handle.close();
    }
  }
  return (await layerInfo(top, runner)).virtualSize;
}

/**
 * Moves what qemu-img wrote into `work` (the image, and the extent files of
 * descriptor-based vmdk subformats) next to `dst`: extents first, the image
 * last, so that the output appears only when it is whole.
 */
async function publish(work: string, dst: string, overwrite: boolean): Promise<void> {
  const main = path.basename(dst);
  const extents = (await readdir(work)).filter((f) => f !== main);
  for (const f of extents) {
    const target = path.join(path.dirname(dst), f);
    if (!overwrite && (await exists(target))) throw new VmcraftError('EEXIST', `${target} exists (pass overwrite: true to replace it)`, { path: target });
  }
  for (const f of extents) await rename(path.join(work, f), path.join(path.dirname(dst), f));
  await rename(path.join(work, main), dst);
}

/**
 * Converts `src` to `dst` with \`qemu-img convert\`, the input format always
 * given (detected from the content when not passed) and its chain (only what
 * the `chain` option allows) given to qemu image by image. qemu-img writes into a
 * temp directory beside the target that is renamed into place on success, so
 * an error or an abort never leaves a partial output (the directory is in the
 * session registry, so one left by a killed process is removed by the next launch); `dst` is never replaced
 * unless `overwrite` is set. The sha256 is that of `dst` itself (for a
 * descriptor-based vmdk, of the descriptor).
 */
export async function convert(src: string, dst: string, options: ConvertOptions = {}): Promise<ConvertResult> {
  const runner = options.runner ?? defaultRunner;
  const format = options.format ?? 'qcow2';
  const chain = await preflight(src, dst, options);
  const sourceFormat = chain[0]!.format;
  const work = path.join(path.dirname(dst), `.${path.basename(dst)}.vmcraft-${randomBytes(4).toString('hex')}`);
  const tmp = path.join(work, path.basename(dst));
  const started = performance.now();
  // One tracker across retries keeps the events in order: a retry reports again only past the furthest point.
  const tracker = new ProgressTracker(undefined, (e) => options.onProgress?.(e));
  // The virtual size is found beside the conversion, so a qemu-img info's tens of milliseconds are not
  // added to every run; when that fails, its error (a corrupt header) is the one reported.
  const stop = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal;
  // Registered before it exists, like a session's work directory: if this process is killed, the next launch removes it.
  const unregister = await registerSession(work).catch(() => undefined); // without root there is no registry to write
  try {
    await mkdir(work);
    const { default: pRetry } = await loadPRetry();
    const conversion = pRetry(
      async () => {
        await rm(tmp, { force: true });
        await runner.run('qemu-img', convertArgs(chain, tmp, options), { signal, timeoutMs: 24 * 3600_000, onStdout: (chunk) => tracker.feed(chunk), dieWithParent: true });
      },
      {
        retries: options.retries ?? 2,
        minTimeout: 200,
        shouldRetry: (err) => err instanceof VmcraftError && err.code === 'ECOMMAND' && TRANSIENT.test(err.command?.stderr ?? ''),
      },
    );
    conversion.catch(() => undefined); // awaited below, after the info
    let virtualSize: number;
    try {
      virtualSize = await virtualSizeOf(chain[0]!, runner);
    } catch (err) {
      stop.abort();
      await conversion.catch(() => undefined);
      throw err;
    }
    tracker.setTotal(virtualSize);
    await conversion;
    tracker.finish();
    if (options.verify === 'check') await runner.run('qemu-img', ['check', '-q', '-f', DRIVER[format], tmp], { signal: options.signal, timeoutMs: 24 * 3600_000 });
    if (options.verify === 'compare') await runner.run('qemu-img', ['compare', '-q', '-f', qemuDriver(sourceFormat), '-F', DRIVER[format], chainFilename(chain, true), tmp], { signal: options.signal, timeoutMs: 24 * 3600_000 });
    const sha256 = options.checksum === false ? undefined : await sha256File(tmp);
    const { size } = await stat(tmp);
    await publish(work, dst, options.overwrite ?? false);
    return {
      output: dst, format, sourceFormat, virtualSize, size, ...(sha256 ? { sha256 } : {}),
      durationMs: Math.round(performance.now() - started), verified: options.verify ?? false,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
    await unregister?.();
  }
}
