/**
 * The cleanup stack: every resource a session sets up (temp dir, daemon,
 * loop device, mount…) is pushed here the moment it exists, and released in
 * reverse order on shutdown, on an error half-way through launch, and on
 * SIGINT/SIGTERM/SIGHUP.
 */
import { VmcraftError } from './errors.js';

/** A resource on the stack, returned by {@link CleanupStack.push}. */
export interface CleanupEntry {
  /** What the resource is, for error messages ("loop device /dev/loop3"). */
  readonly label: string;
  /** Releases it. */
  readonly release: () => Promise<void>;
}

/** A LIFO stack of resources that releases them all, keeping on past failures. */
export class CleanupStack {
  #entries: CleanupEntry[] = [];

  /** Number of resources still held. */
  get size(): number {
    return this.#entries.length;
  }

  /** Labels of the resources still held, oldest first. */
  labels(): string[] {
    return this.#entries.map((e) => e.label);
  }

  /** Registers a resource that now exists. */
  push(label: string, release: () => Promise<void>): CleanupEntry {
    const entry: CleanupEntry = { label, release };
    this.#entries.push(entry);
    return entry;
  }

  /** The newest resource held under `label`, if any (a LUKS mapping or VG that a call closes or renames). */
  find(label: string): CleanupEntry | undefined {
    return this.#entries.filter((e) => e.label === label).at(-1);
  }

  /** Releases one resource early (e.g. a umount the caller asked for) and forgets it. */
  async releaseOne(entry: CleanupEntry): Promise<void> {
    const index = this.#entries.lastIndexOf(entry);
    if (index < 0) return;
    await entry.release();
    this.#entries.splice(this.#entries.lastIndexOf(entry), 1);
  }

  /** Forgets a resource without releasing it (something else released it). */
  forget(entry: CleanupEntry): void {
    const index = this.#entries.lastIndexOf(entry);
    if (index >= 0) this.#entries.splice(index, 1);
  }

  /**
   * Releases every resource, newest first. Keeps going past failures and
   * throws one `ECLEANUP` error listing all of them at the end.
   */
  async releaseAll(): Promise<void> {
    const errors: unknown[] = [];
    while (this.#entries.length > 0) {
      const entry = this.#entries.pop()!;
      try {
        await entry.release();
      } catch (err) {
        errors.push(new VmcraftError('ECLEANUP', `releasing ${entry.label}: ${(err as Error).message}`, { cause: err }));
      }
    }
    if (errors.length > 0) {
      const summary = errors.map((e) => (e as Error).message).join('; ');
      throw new VmcraftError('ECLEANUP', `${errors.length} resource(s) could not be released: ${summary}`, { errors });
    }
  }
}

/** Something that must be released when the process is asked to stop. */
export interface SignalReleasable {
  releaseOnSignal(): Promise<void>;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** How long a signal waits for the sessions' release before the process dies anyway. */
export const SIGNAL_RELEASE_LIMIT_MS = 30_000;
const live = new Set<SignalReleasable>();
let installed = false;
let handling: Promise<void> | undefined;

/** Releases every live session, within {@link SIGNAL_RELEASE_LIMIT_MS}. */
async function releaseLive(): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, SIGNAL_RELEASE_LIMIT_MS)));
  await Promise.race([Promise.allSettled([...live].map((s) => s.releaseOnSignal())), limit]);
  clearTimeout(timer);
  live.clear();
}

async function handle(signal: NodeJS.Signals): Promise<void> {
  try {
    await releaseLive();
    const othersListen = process.listenerCount(signal) > 1;
    uninstall();
    // Keep the default behaviour (die of the signal) unless the program handles it itself.
    if (!othersListen) process.kill(process.pid, signal);
  } finally {
    handling = undefined;
  }
}

function onSignal(signal: NodeJS.Signals): Promise<void> {
  // A second signal during the release waits for the same release: one release at a time.
  handling ??= handle(signal);
  return handling;
}

/**
 * Resolves once the signal being handled (if any) has been dealt with: when
 * the process dies of it, never — so an error thrown after a signal's release
 * cannot end the process (with another status) before the signal does.
 */
export function signalHandled(): Promise<void> {
  return handling ?? Promise.resolve();
}

function install(): void {
  if (installed) return;
  for (const sig of SIGNALS) process.on(sig, onSignal);
  installed = true;
}

function uninstall(): void {
  for (const sig of SIGNALS) process.off(sig, onSignal);
  installed = false;
}

/** Makes `session` be released when the process gets SIGINT, SIGTERM or SIGHUP. */
export function releaseOnSignals(session: SignalReleasable): void {
  live.add(session);
  install();
}

/** Undoes {@link releaseOnSignals} once the session has released everything itself. */
export function stopReleasingOnSignals(session: SignalReleasable): void {
  live.delete(session);
  if (live.size === 0) uninstall();
}
