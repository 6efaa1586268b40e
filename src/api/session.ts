/**
 * The session every call of the API runs on: its lifecycle (drives are added,
 * `launch()` attaches them and finds their block devices, `shutdown()`/`close()`
 * release everything in reverse order) and the state the calls share — the
 * cleanup stack, the runner (for traces), metrics, the devices, the mount
 * table and the inspected roots. The calls themselves live in src/api/calls/
 * and are installed on GuestFS from the API table.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CleanupStack, releaseOnSignals, signalHandled, stopReleasingOnSignals } from '../core/cleanup.js';
import { VmcraftError } from '../core/errors.js';
import { Runner, type TraceEvent } from '../core/exec.js';
import { Metrics, type PhaseEvent, type PhaseMetric } from '../core/metrics.js';
import { probeHost, type HostCapabilities } from '../core/probe.js';
import { createWorkDir } from '../core/workdir.js';
import { reapStaleSessions, registerSession } from '../attach/reaper.js';
import { attachDrive, verifyDrive } from '../attach/index.js';
import type { AttachedDrive, DriveSpec, VerifiedDrive } from '../attach/types.js';
import { VM_MODE_HINT } from '../storage/kernel.js';
import { createLayers, scanStorage } from '../storage/scan.js';
import type { BlockDevice, LayerContext } from '../storage/types.js';
import type { FileContext } from '../fs/files/context.js';
import type { OsInfo } from '../inspect/types.js';
import type { ArgSpec } from './args.js';
import { MountTable, type MountEntry } from './mount-table.js';
import { normalizeDriveOptions, normalizeOptions, type DriveOptions, type GuestFSOptions, type NormalizedOptions } from './options.js';

/** How long a release waits for the calls under way before it tears down anyway. */
const CALLS_DONE_LIMIT_MS = 10_000;

/** Where a session is in its life. */
export type SessionState = 'config' | 'launching' | 'launched' | 'closed';

/** Events of a GuestFS session. */
export interface GuestFSEvents {
  /** Every external command run, with its timing. */
  trace: [TraceEvent];
  /** Something worth telling a user (a warning, a fallback taken). */
  log: [{ level: 'info' | 'warn'; message: string }];
  /** Progress of a long operation. */
  progress: [{ operation: string; percent: number }];
  /** A timed phase (launch, attach, scan, inspect, mount, command, shutdown) finished; the same timings add up in `metrics()`. */
  phase: [PhaseEvent];
}

/**
 * A session that runs elsewhere (VM mode): the table's asynchronous calls are
 * sent to it; the synchronous ones answer from the state it sends back.
 * @internal
 */
export interface RemoteSession {
  call(entry: { readonly name: string; readonly args: readonly ArgSpec[] }, args: readonly unknown[]): Promise<unknown>;
}

/** What a session that runs elsewhere sends back after its calls, for the synchronous calls here. @internal */
export interface SessionMirror {
  devices: BlockDevice[];
  roots: [string, OsInfo][];
  mounts: MountEntry[];
}

/** Where a session runs, and why (the `mode` metric's note). */
export interface ModeChoice {
  mode: 'host' | 'vm';
  reason: string;
}

/**
 * Where a session with `asked` runs on this host: `auto` takes the VM when
 * the host cannot attach or mount at all, the host otherwise (a layer whose
 * kernel support is missing moves it to the VM later, during the launch).
 */
export function chooseMode(asked: 'host' | 'vm' | 'auto', host: HostCapabilities): ModeChoice {
  if (asked !== 'auto') return { mode: asked, reason: `mode ${asked} was asked for` };
  if (!host.root) return { mode: 'vm', reason: 'not root: host mode needs root to attach images and mount filesystems' };
  if (!host.kernel.loop && !host.kernel.nbd) return { mode: 'vm', reason: 'this host has neither loop devices nor nbd to attach images with' };
  return { mode: 'host', reason: 'the host can attach and mount the images' };
}

/** A session: its lifecycle and the state the API's calls share. */
export class Session extends EventEmitter<GuestFSEvents> {
  /** @internal */ readonly options: NormalizedOptions;
  /** @internal */ readonly cleanup = new CleanupStack();
  /** @internal */ readonly runner: Runner;
  /** @internal */ readonly timings = new Metrics((event) => this.emit('phase', event));
  /** @internal */ protected state: SessionState = 'config';
  /** @internal */ protected drives: DriveSpec[] = [];
  /** @internal The attached drives, in drive order. */ attached: AttachedDrive[] = [];
  /** @internal Every device found (drives, partitions, LVs, md arrays, LUKS mappings). */ devices: BlockDevice[] = [];
  /** @internal */ workDir = '';
  /** @internal */ host?: HostCapabilities;
  /** @internal Storage layers of this session (md and LVM keep state between activations). */
  readonly layers = createLayers();
  /** @internal What is mounted where in the guest. */
  readonly mountTable = new MountTable(this);
  /** @internal The roots the last inspectOs() found, with what it found. */
  roots = new Map<string, OsInfo>();
  /** @internal In VM mode, the session in the VM that the calls go to. */
  remote?: RemoteSession;
  #mode?: 'host' | 'vm';
  readonly #signalHook = { releaseOnSignal: () => this.shutdown().catch(() => undefined) };
  /** Calls (and a launch) running now; a release waits for them. */
  #running = 0;
  #idle: (() => void)[] = [];
  /** The release under way: `shutdown()`, `close()`, a failed launch and a signal share it. */
  #releasing?: Promise<void>;

  /** Creates a session; add drives, then {@link Session.launch}. */
  constructor(options: GuestFSOptions = {}) {
    super();
    this.options = normalizeOptions(options);
    this.runner = new Runner({
      timeoutMs: this.options.commandTimeoutMs,
      onTrace: (event) => this.emit('trace', event),
    });
  }

  /** Whether the session's drives are read-only by default. */
  get readonly(): boolean {
    return this.options.readonly;
  }

  /** Where the session runs, once launched: `host` or `vm` (see {@link GuestFSOptions.mode}). */
  get mode(): 'host' | 'vm' | undefined {
    return this.#mode;
  }

  /** The session's state: `config` → `launching` → `launched` → `closed`. */
  get status(): SessionState {
    return this.state;
  }

  /**
   * Adds a disk image to the session (before launch). Drives are named
   * `/dev/sda`, `/dev/sdb`, … in the order they are added.
   * Its chain is checked at launch (`EUNSAFE`: see {@link DriveOptions.chain}).
   * @throws VmcraftError `ELAUNCHED` after launch, `ECLOSED` after close, `EINVAL` for bad options
   * (`live` on a writable drive).
   */
  addDrive(imagePath: string, options: DriveOptions = {}): this {
    if (this.state === 'closed') throw new VmcraftError('ECLOSED', 'the session is closed');
    if (this.state !== 'config') throw new VmcraftError('ELAUNCHED', 'drives can only be added before launch()');
    if (typeof imagePath !== 'string' || imagePath === '') {
      throw new VmcraftError('EINVAL', `Expected the image path to be a non-empty string, got \`${String(imagePath)}\``);
    }
    const { format, readonly = this.options.readonly, live, chain } = normalizeDriveOptions(options, this.options.readonly);
    this.drives.push({ path: path.resolve(imagePath), readonly, ...(format ? { format } : {}), ...(live ? { live } : {}), ...(chain ? { chain } : {}) });
    return this;
  }

  /**
   * Adds a new, empty, writable drive of `size` bytes (libguestfs
   * `add_drive_scratch`): a sparse raw file in a private temporary directory,
   * removed when the session is closed. Partition it and make filesystems on
   * it after launch.
   * @throws VmcraftError as {@link Session.addDrive}, `EINVAL` for a bad size
   */
  addDriveScratch(size: number): this {
    if (this.state === 'closed') throw new VmcraftError('ECLOSED', 'the session is closed');
    if (this.state !== 'config') throw new VmcraftError('ELAUNCHED', 'drives can only be added before launch()');
    if (!Number.isSafeInteger(size) || size <= 0) throw new VmcraftError('EINVAL', `Expected the scratch drive's size to be a positive number of bytes, got \`${String(size)}\``);
    const dir = mkdtempSync(path.join(this.options.tmpDir ?? os.tmpdir(), 'vmcraft-scratch-'));
    this.cleanup.push(`scratch drive ${dir}`, () => rm(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'scratch.img');
    writeFileSync(file, '', { mode: 0o600 });
    truncateSync(file, size);
    return this.addDrive(file, { format: 'raw', readonly: false });
  }

  /**
   * Attaches every drive and finds the block devices on them. On failure
   * half-way, everything already set up is released before the error is thrown.
   */
  async launch(): Promise<void> {
    if (this.state === 'closed') throw new VmcraftError('ECLOSED', 'the session is closed');
    if (this.state !== 'config') throw new VmcraftError('ELAUNCHED', 'the session is already launched');
    if (this.drives.length === 0) throw new VmcraftError('EINVAL', 'add at least one drive before launch()');
    this.state = 'launching';
    this.runner.preload();
    if (this.options.handleSignals) releaseOnSignals(this.#signalHook);
    this.#running++;
    try {
      await this.timings.time('launch', async () => {
        const decided = performance.now();
        const host = (this.host = await probeHost());
        const choice = chooseMode(this.options.mode, host);
        if (choice.mode === 'vm') return this.#launchInVm(choice.reason, decided);
        try {
          await this.#launchOnHost(host);
          this.#chose('host', choice.reason, decided);
        } catch (err) {
          if (this.options.mode !== 'auto' || !(err instanceof VmcraftError && err.code === 'EUNSUPPORTED' && err.feature)) throw err;
          // What the host set up goes; the VM starts from the drives alone.
          await this.cleanup.releaseAll();
          this.attached = [];
          this.devices = [];
          await this.#launchInVm(err.message.replace(VM_MODE_HINT, ''), decided);
        }
      });
      if (this.state === 'launching') this.state = 'launched';
    } catch (err) {
      this.#settled();
      await this.#releaseAfterFailedLaunch(err);
      throw err;
    }
    this.#settled();
    // A close() or a signal while launching: its release waited for this launch.
    if ((this.state as SessionState) === 'closed') {
      await this.#releasing;
      throw new VmcraftError('ECLOSED', 'the session was closed while it launched');
    }
  }

  /** Host mode: attach every drive to this host and find the block devices on them. */
  async #launchOnHost(host: HostCapabilities): Promise<void> {
    if (!host.root) throw new VmcraftError('EUNSUPPORTED', `vmcraft needs root to attach loop devices and mount filesystems${VM_MODE_HINT}`, { feature: 'root' });
    await this.#prepareWorkDir();
    const ctx = { runner: this.runner, cleanup: this.cleanup, workDir: this.workDir };
    await this.timings.time('attach', async () => {
      for (const [index, drive] of this.drives.entries()) {
        this.attached.push(await attachDrive(drive, index, this.options.backend, host, ctx, this.options.nbd));
      }
    });
    this.devices = await this.timings.time('scan', () => scanStorage(this.attached, this.layerContext(), this.layers));
  }

  /** VM mode: the drives verified here, then opened by QEMU and served by the agent of a VM. */
  async #launchInVm(reason: string, decided: number): Promise<void> {
    this.#chose('vm', reason, decided);
    await this.#prepareWorkDir();
    const drives = await Promise.all(this.drives.map((d) => verifyDrive(d)));
    this.remote = await this.startVm(drives);
  }

  async #prepareWorkDir(): Promise<void> {
    for (const line of await reapStaleSessions(this.runner)) this.emit('log', { level: 'warn', message: line });
    this.workDir = await createWorkDir(this.cleanup, this.options.tmpDir, registerSession);
  }

  #chose(mode: 'host' | 'vm', reason: string, since: number): void {
    this.#mode = mode;
    this.timings.note('mode', performance.now() - since, `${mode}: ${reason}`);
    // A choice worth telling: auto's, or the VM (a host session asked for as such is what it always was).
    if (this.options.mode !== 'host') this.emit('log', { level: 'info', message: `mode ${mode}: ${reason}` });
  }

  /**
   * Starts the VM of a VM-mode session with its verified drives and returns
   * the session in it; the VM is on the cleanup stack. GuestFS provides it
   * (VM mode lives above this layer).
   * @internal
   */
  protected startVm(_drives: readonly VerifiedDrive[]): Promise<RemoteSession> {
    return Promise.reject(new VmcraftError('EUNSUPPORTED', 'this session class has no VM mode'));
  }

  /** @internal Takes the state a session in a VM sent back. */
  mirror(state: SessionMirror): void {
    this.devices = state.devices;
    this.roots = new Map(state.roots);
    this.mountTable.mirror(state.mounts);
  }

  /**
   * Runs one call of the API (installed from the table): a
   * release waits for the calls under way, and a call that fails while the
   * session is being released fails only once the release is over, so a
   * program dying of that error never cuts the release short. So a cleanup
   * entry must never call a call of the table: it would wait for the release
   * that waits for it.
   * @internal
   */
  track<T>(call: () => T): T {
    const result = call();
    if (!(result instanceof Promise)) return result;
    this.#running++;
    return result.then(
      (value: unknown) => {
        this.#settled();
        return value;
      },
      async (err: unknown) => {
        this.#settled();
        await this.#releasing?.catch(() => undefined);
        await signalHandled();
        throw err;
      },
    ) as T;
  }

  #settled(): void {
    if (--this.#running > 0) return;
    for (const wake of this.#idle.splice(0)) wake();
  }

  /** Resolves when no call is under way, or after `limitMs`. */
  async #callsDone(limitMs: number): Promise<void> {
    if (this.#running === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.#idle.push(resolve);
      timer = setTimeout(resolve, limitMs);
    });
    clearTimeout(timer);
  }

  async #releaseAfterFailedLaunch(err: unknown): Promise<void> {
    try {
      await this.#release();
    } catch (cleanupError) {
      if (err instanceof Error) Object.assign(err, { cleanupError });
    }
  }

  /** One release at a time: a second caller gets the release under way. */
  #release(): Promise<void> {
    this.#releasing ??= this.#releaseOnce().finally(() => (this.#releasing = undefined));
    return this.#releasing;
  }

  async #releaseOnce(): Promise<void> {
    // New calls are refused from here on; those under way finish (or fail at their next call) first.
    this.state = 'closed';
    await this.#callsDone(CALLS_DONE_LIMIT_MS);
    try {
      await this.timings.time('shutdown', () => this.cleanup.releaseAll());
    } finally {
      this.attached = [];
      this.devices = [];
      this.remote = undefined;
      this.mountTable.clear();
      stopReleasingOnSignals(this.#signalHook);
    }
  }

  /**
   * Unmounts, detaches and removes everything the session set up, newest
   * first, keeping on past failures (reported together as `ECLEANUP`).
   * Idempotent.
   */
  async shutdown(): Promise<void> {
    if (this.state === 'closed' && this.cleanup.size === 0 && !this.#releasing) return;
    await this.#release();
  }

  /** Same as {@link Session.shutdown}; the session cannot be used afterwards. Idempotent. */
  async close(): Promise<void> {
    await this.shutdown();
  }

  /** Makes `await using g = await GuestFS.open(…)` close the session. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Time spent per phase (launch, attach, scan, inspect, mount…), in milliseconds. */
  metrics(): Record<string, PhaseMetric> {
    return this.timings.snapshot();
  }

  /** Labels of the resources the session holds now, oldest first (for diagnostics). */
  resources(): string[] {
    return this.cleanup.labels();
  }

  /** @internal What storage layers need from this session. */
  layerContext(): LayerContext {
    return {
      runner: this.runner,
      cleanup: this.cleanup,
      workDir: this.workDir,
      readonly: this.attached.every((d) => d.readonly),
      keys: this.options.keys,
      kernel: { deviceMapper: this.host?.kernel.deviceMapper ?? false, md: this.host?.kernel.md ?? false },
      warn: (message) => this.warn(message),
    };
  }

  /** @internal What the file operations need from this session. */
  fileContext(): FileContext {
    return {
      rootDir: () => this.mountTable.rootDir(),
      runner: this.runner,
      warn: (message) => this.warn(message),
      assertWritable: (guestPath) => {
        if (this.mountTable.isReadonlyPath(guestPath)) throw new VmcraftError('EREADONLY', `cannot write ${guestPath}: it is on a read-only mount or session`, { path: guestPath });
      },
    };
  }

  /** @internal Tells the user something through a `log` warning. */
  warn(message: string): void {
    this.emit('log', { level: 'warn', message });
  }

  /** @internal Throws unless the session is launched. */
  assertLaunched(): void {
    if (this.state === 'launched') return;
    if (this.state === 'closed') throw new VmcraftError('ECLOSED', 'the session is closed');
    throw new VmcraftError('ENOTLAUNCHED', 'call launch() first');
  }

  /** @internal A session device by name (`/dev/sda1`); ENOENT when there is none. */
  device(name: string): BlockDevice {
    this.assertLaunched();
    const found = this.devices.find((d) => d.name === name);
    if (!found) throw new VmcraftError('ENOENT', `no such device ${name} (devices: ${this.devices.map((d) => d.name).join(', ')})`);
    return found;
  }
}
