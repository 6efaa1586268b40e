/**
 * The lifecycle of a session: drives are added, `launch()` attaches them and
 * finds their block devices, `shutdown()`/`close()` release everything in
 * reverse order. Owns the cleanup stack, the runner (for traces) and metrics.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { CleanupStack, releaseOnSignals, stopReleasingOnSignals } from '../core/cleanup.js';
import { VmcraftError } from '../core/errors.js';
import { Runner, type TraceEvent } from '../core/exec.js';
import { Metrics, type PhaseEvent, type PhaseMetric } from '../core/metrics.js';
import { probeHost, type HostCapabilities } from '../core/probe.js';
import { createWorkDir } from '../core/workdir.js';
import { reapStaleSessions, registerSession } from '../attach/reaper.js';
import { attachDrive } from '../attach/index.js';
import type { AttachedDrive, DriveSpec } from '../attach/types.js';
import { createLayers, scanStorage } from '../storage/scan.js';
import type { BlockDevice, LayerContext } from '../storage/types.js';
import { normalizeDriveOptions, normalizeOptions, type DriveOptions, type GuestFSOptions, type NormalizedOptions } from './options.js';

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

/** The state every layer of the GuestFS façade shares. */
export class GuestFSBase extends EventEmitter<GuestFSEvents> {
  /** @internal */ protected readonly options: NormalizedOptions;
  /** @internal */ protected readonly cleanup = new CleanupStack();
  /** @internal */ protected readonly runner: Runner;
  /** @internal */ protected readonly timings = new Metrics((event) => this.emit('phase', event));
  /** @internal */ protected state: SessionState = 'config';
  /** @internal */ protected drives: DriveSpec[] = [];
  /** @internal */ protected attached: AttachedDrive[] = [];
  /** @internal */ protected devices: BlockDevice[] = [];
  /** @internal */ protected workDir = '';
  /** @internal */ protected host?: HostCapabilities;
  /** @internal Storage layers of this session (md and LVM keep state between activations). */
  protected readonly layers = createLayers();
  readonly #signalHook = { releaseOnSignal: () => this.shutdown().catch(() => undefined) };

  /** Creates a session; add drives, then {@link GuestFSBase.launch}. */
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
   * Attaches every drive and finds the block devices on them. On failure
   * half-way, everything already set up is released before the error is thrown.
   */
  async launch(): Promise<void> {
    if (this.state === 'closed') throw new VmcraftError('ECLOSED', 'the session is closed');
    if (this.state !== 'config') throw new VmcraftError('ELAUNCHED', 'the session is already launched');
    if (this.drives.length === 0) throw new VmcraftError('EINVAL', 'add at least one drive before launch()');
    this.state = 'launching';
    if (this.options.handleSignals) releaseOnSignals(this.#signalHook);
    try {
      await this.timings.time('launch', async () => {
        const host = (this.host = await probeHost());
        if (!host.root) throw new VmcraftError('EUNSUPPORTED', 'vmcraft needs root to attach loop devices and mount filesystems');
        for (const line of await reapStaleSessions(this.runner)) this.emit('log', { level: 'warn', message: line });
        this.workDir = await createWorkDir(this.cleanup, this.options.tmpDir, registerSession);
        const ctx = { runner: this.runner, cleanup: this.cleanup, workDir: this.workDir };
        await this.timings.time('attach', async () => {
          for (const [index, drive] of this.drives.entries()) {
            this.attached.push(await attachDrive(drive, index, this.options.backend, host, ctx, this.options.nbd));
          }
        });
        this.devices = await this.timings.time('scan', () => scanStorage(this.attached, this.layerContext(), this.layers));
      });
      this.state = 'launched';
    } catch (err) {
      await this.#releaseAfterFailedLaunch(err);
      throw err;
    }
  }

  async #releaseAfterFailedLaunch(err: unknown): Promise<void> {
    try {
      await this.#release();
    } catch (cleanupError) {
      if (err instanceof Error) Object.assign(err, { cleanupError });
    }
  }

  async #release(): Promise<void> {
    this.state = 'closed';
    try {
      await this.timings.time('shutdown', () => this.cleanup.releaseAll());
    } finally {
      this.attached = [];
      this.devices = [];
      stopReleasingOnSignals(this.#signalHook);
    }
  }

  /**
   * Unmounts, detaches and removes everything the session set up, newest
   * first, keeping on past failures (reported together as `ECLEANUP`).
   * Idempotent.
   */
  async shutdown(): Promise<void> {
    if (this.state === 'closed' && this.cleanup.size === 0) return;
    await this.#release();
  }

  /** Same as {@link GuestFSBase.shutdown}; the session cannot be used afterwards. Idempotent. */
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
  protected layerContext(): LayerContext {
    return {
      runner: this.runner,
      cleanup: this.cleanup,
      workDir: this.workDir,
      readonly: this.attached.every((d) => d.readonly),
      keys: this.options.keys,
      warn: (message) => this.emit('log', { level: 'warn', message }),
    };
  }

  /** @internal Throws unless the session is launched. */
  protected assertLaunched(): void {
    if (this.state === 'launched') return;
    if (this.state === 'closed') throw new VmcraftError('ECLOSED', 'the session is closed');
    throw new VmcraftError('ENOTLAUNCHED', 'call launch() first');
  }

  /** @internal A session device by name (`/dev/sda1`); ENOENT when there is none. */
  protected device(name: string): BlockDevice {
    this.assertLaunched();
    const found = this.devices.find((d) => d.name === name);
    if (!found) throw new VmcraftError('ENOENT', `no such device ${name} (devices: ${this.devices.map((d) => d.name).join(', ')})`);
    return found;
  }
}
