/** Options of a GuestFS session and of its drives, normalised and validated in one place. */
import os from 'node:os';
import { VmcraftError } from '../core/errors.js';
import type { BackendChoice } from '../attach/types.js';
import type { ImageFormat } from '../attach/detect.js';
import type { LuksKey } from '../storage/types.js';
import type { NbdOptions } from '../attach/nbd.js';
import { normalizeChainPolicy, type ChainPolicy } from '../attach/references.js';

/** Options of `new GuestFS()` and `GuestFS.open()`. */
export interface GuestFSOptions {
  /** Default for every drive: attach read-only and never change one byte. @default false */
  readonly?: boolean;
  /** How images become block devices. @default 'auto' */
  backend?: BackendChoice;
  /** Parent of the session's private working directory. @default os.tmpdir() */
  tmpDir?: string;
  /** Release everything when the process gets SIGINT, SIGTERM or SIGHUP. @default true */
  handleSignals?: boolean;
  /** Time limit of one external command, in milliseconds. @default 120000 */
  commandTimeoutMs?: number;
  /**
   * LUKS passphrases tried on encrypted devices during launch: a plain string
   * is tried on every device, `{ device, key }` only on that device (session
   * name such as `/dev/sda2`, or the LUKS UUID).
   */
  keys?: (string | LuksKey)[];
  /** qemu-nbd cache and aio modes for the nbd backend (qemu-nbd's defaults when not given). */
  nbd?: NbdOptions;
  /**
   * Where the session runs: `host` attaches the images to this host's kernel
   * (fast; needs root, and device-mapper/md for LVM, LUKS and RAID); `vm` runs
   * the session inside a small QEMU VM with its own kernel (any user, any
   * layout, and the image's filesystems never meet the host kernel); `auto`
   * takes the host when it can do what the image needs and the VM otherwise,
   * and says why in a `log` event and in `metrics().mode`.
   * @default 'auto'
   */
  mode?: SessionMode;
  /** Settings of the VM in VM mode. */
  vm?: VmSettings;
}

/** Where a session runs (see {@link GuestFSOptions.mode}). */
export type SessionMode = 'host' | 'vm' | 'auto';

/** Settings of the VM that runs a session in VM mode. */
export interface VmSettings {
  /** Guest memory in MiB. @default 1024 */
  memoryMiB?: number;
  /** Guest vCPUs. @default 2 (1 on a one-CPU host) */
  cpus?: number;
  /** `kvm`, `tcg`, or `auto`: KVM when a short probe boots a kernel under it, TCG otherwise. @default 'auto' */
  accel?: 'auto' | 'kvm' | 'tcg';
  /** Give the VM a network card (user-mode networking, outgoing only) for guest commands that ask for the network. @default false */
  network?: boolean;
  /** How long the VM has to come up before launch fails with `EVM`. @default 120000 */
  bootTimeoutMs?: number;
}

/** Options of `addDrive()`. */
export interface DriveOptions {
  /** Image format; detected from the content (never from the name) when not given. */
  format?: ImageFormat;
  /** Attach this drive read-only. @default the session's `readonly` */
  readonly?: boolean;
  /**
   * Which images the drive may read besides itself. By default (`'none'`) it
   * is opened alone: an image that names a backing file or parent, a qcow2
   * data file, or a vmdk extent outside its own directory is refused with
   * `EUNSAFE`, before qemu opens anything. `{ allowDir: '/vms/web01' }` allows
   * a chain whose files all lie in that directory; the array resolveChain
   * returns (`await resolveChain(image, { chain: { allowDir } })`) allows
   * exactly that chain. qemu is then given each image of the chain with its
   * format, so it opens no file name it reads from a header.
   * @default 'none'
   */
  chain?: ChainPolicy;
  /**
   * Accept a live image: one another program (a running VM, qemu-img, another
   * session) may be writing. Without it a drive is opened with the image's
   * lock, as QEMU opens it, and refused with `EBUSY` while a writer holds the
   * image; with it the drive takes no lock (qemu's `force-share`), so it opens
   * beside a writer and does not keep writers out. Read-only drives only
   * (`EINVAL` otherwise). What you read may be inconsistent or change as you
   * read it, as with libguestfs' `--ro` on a running VM.
   * @default false
   */
  live?: boolean;
}

const BACKENDS: readonly BackendChoice[] = ['auto', 'nbd', 'fuse', 'loop', 'device'];
/** The image formats a drive's `format` option takes. */
export const FORMATS: readonly ImageFormat[] = ['qcow2', 'vmdk', 'vdi', 'vhd', 'vhdx', 'raw', 'iso', 'qed', 'parallels', 'ova', 'ovf', 'luks'];

function describe(value: unknown): string {
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\` (${typeof value})`;
}

function invalid(option: string, expected: string, value: unknown): VmcraftError {
  return new VmcraftError('EINVAL', `Expected the \`${option}\` option to be ${expected}, got ${describe(value)}`);
}

function checkBoolean(option: string, value: unknown): void {
  if (value !== undefined && typeof value !== 'boolean') throw invalid(option, 'a boolean', value);
}

const KNOWN_SESSION_OPTIONS = new Set(['readonly', 'backend', 'tmpDir', 'handleSignals', 'commandTimeoutMs', 'keys', 'nbd', 'mode', 'vm']);
const RENAMED: Record<string, string> = { readOnly: 'readonly', ro: 'readonly', timeout: 'commandTimeoutMs' };

function rejectUnknown(raw: object, known: Set<string>): void {
  for (const key of Object.keys(raw)) {
    if (known.has(key)) continue;
    const hint = RENAMED[key] ? `; did you mean \`${RENAMED[key]}\`?` : '';
    throw new VmcraftError('EINVAL', `Unknown option \`${key}\`${hint}`);
  }
}

/** Session options with defaults applied. */
export type NormalizedOptions = Required<Omit<GuestFSOptions, 'tmpDir' | 'keys' | 'nbd' | 'vm'>> & { tmpDir?: string; keys: LuksKey[]; nbd: NbdOptions; vm: Required<VmSettings> };

const NBD_CACHE = ['none', 'writeback', 'writethrough', 'directsync', 'unsafe'];
const NBD_AIO = ['threads', 'native', 'io_uring'];

function normalizeNbd(nbd: unknown): NbdOptions {
  if (nbd === undefined) return {};
  const { cache, aio, ...rest } = nbd as NbdOptions;
  if (Object.keys(rest).length) throw new VmcraftError('EINVAL', `Unknown \`nbd\` option(s) ${Object.keys(rest).join(', ')} (known: cache, aio)`);
  if (cache !== undefined && !NBD_CACHE.includes(cache)) throw invalid('nbd.cache', `one of ${NBD_CACHE.join(', ')}`, cache);
  if (aio !== undefined && !NBD_AIO.includes(aio)) throw invalid('nbd.aio', `one of ${NBD_AIO.join(', ')}`, aio);
  return { ...(cache ? { cache } : {}), ...(aio ? { aio } : {}) };
}

function normalizeKeys(keys: unknown): LuksKey[] {
  if (keys === undefined) return [];
  if (!Array.isArray(keys)) throw invalid('keys', 'an array of passphrases or { device, key } objects', keys);
  return keys.map((k) => {
    if (typeof k === 'string') return { key: k };
    if (k && typeof k === 'object' && typeof (k as LuksKey).key === 'string') {
      const { device, key } = k as LuksKey;
      return device === undefined ? { key } : { device, key };
    }
    throw new VmcraftError('EINVAL', `Expected each of \`keys\` to be a string or { device, key }, got a ${typeof k}`);
  });
}

const MODES: readonly SessionMode[] = ['host', 'vm', 'auto'];
const ACCELS = ['auto', 'kvm', 'tcg'] as const;

function positiveInteger(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) <= 0) throw invalid(option, 'a positive integer', value);
  return value as number;
}

function normalizeVm(vm: unknown): Required<VmSettings> {
  if (vm !== undefined && (vm === null || typeof vm !== 'object')) throw invalid('vm', 'an object', vm);
  const { memoryMiB, cpus, accel = 'auto', network = false, bootTimeoutMs, ...rest } = (vm ?? {}) as VmSettings;
  if (Object.keys(rest).length) throw new VmcraftError('EINVAL', `Unknown \`vm\` option(s) ${Object.keys(rest).join(', ')} (known: memoryMiB, cpus, accel, network, bootTimeoutMs)`);
  if (!ACCELS.includes(accel)) throw invalid('vm.accel', `one of ${ACCELS.join(', ')}`, accel);
  checkBoolean('vm.network', network);
  return {
    memoryMiB: positiveInteger('vm.memoryMiB', memoryMiB, 1024),
    cpus: positiveInteger('vm.cpus', cpus, Math.min(2, os.availableParallelism())),
    accel,
    network,
    bootTimeoutMs: positiveInteger('vm.bootTimeoutMs', bootTimeoutMs, 120_000),
  };
}

/** Validates session options (quoting the bad value) and applies the defaults. */
export function normalizeOptions(raw: GuestFSOptions = {}): NormalizedOptions {
  const options: GuestFSOptions = { __proto__: null, ...raw } as GuestFSOptions;
  rejectUnknown(options, KNOWN_SESSION_OPTIONS);
  const { readonly = false, backend = 'auto', tmpDir, handleSignals = true, commandTimeoutMs = 120_000, mode = 'auto' } = options;
  if (!MODES.includes(mode)) throw invalid('mode', `one of ${MODES.join(', ')}`, mode);
  checkBoolean('readonly', readonly);
  checkBoolean('handleSignals', handleSignals);
  if (!BACKENDS.includes(backend)) throw invalid('backend', `one of ${BACKENDS.join(', ')}`, backend);
  if (tmpDir !== undefined && (typeof tmpDir !== 'string' || tmpDir === '')) throw invalid('tmpDir', 'a directory path', tmpDir);
  if (!Number.isInteger(commandTimeoutMs) || commandTimeoutMs <= 0) throw invalid('commandTimeoutMs', 'a positive integer', commandTimeoutMs);
  return { readonly, backend, handleSignals, commandTimeoutMs, mode, vm: normalizeVm(options.vm), keys: normalizeKeys(options.keys), nbd: normalizeNbd(options.nbd), ...(tmpDir ? { tmpDir } : {}) };
}

/** Validates drive options; `sessionReadonly` is the session's default for `readonly`. */
export function normalizeDriveOptions(raw: DriveOptions = {}, sessionReadonly = false): DriveOptions {
  const options: DriveOptions = { __proto__: null, ...raw } as DriveOptions;
  rejectUnknown(options, new Set(['format', 'readonly', 'live', 'chain']));
  if (options.chain !== undefined) normalizeChainPolicy(options.chain);
  checkBoolean('readonly', options.readonly);
  checkBoolean('live', options.live);
  if (options.live && !(options.readonly ?? sessionReadonly)) {
    throw new VmcraftError('EINVAL', 'The `live` option only goes with a read-only drive (`readonly: true`): two writers on one image corrupt it');
  }
  if (options.format !== undefined && !FORMATS.includes(options.format)) throw invalid('format', `one of ${FORMATS.join(', ')}`, options.format);
  return options;
}
