/**
 * The VM lock of queued runs: `<state file>.lock` on the shared storage,
 * created with O_EXCL (atomic on local filesystems and NFSv3+), holding the
 * owner's host, pid and a token, its mtime refreshed as a heartbeat. BullMQ's
 * own job lock lives in Redis and lapses when a worker stalls; this one makes
 * sure a job that comes back while its first worker still runs it waits.
 *
 * A lock is stale when its owner is a process of this host that is gone, or
 * when its heartbeat is older than `staleMs` (an owner on another host that
 * died or lost the storage). A stale lock is moved aside under a name of our
 * own before it is taken, so two workers that both found it stale cannot both
 * take it.
 */
import { randomUUID } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink, utimes } from 'node:fs/promises';
import os from 'node:os';
import { VmcraftError } from '../core/errors.js';

/** What a lock file holds. */
interface LockOwner {
  host: string;
  pid: number;
  token: string;
  since: string;
}

/** A held VM lock. */
export interface VmLock {
  readonly file: string;
  /** Aborted when the lock was found taken by another owner (its file replaced or removed). */
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

/** Options of {@link lockVm}. */
export interface LockOptions {
  /** A heartbeat older than this makes the lock stale. @default 60000 */
  staleMs?: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LockOwner;
  } catch {
    return undefined; // gone, or caught half-written: the caller tries again
  }
}

async function isStale(file: string, owner: LockOwner, staleMs: number): Promise<boolean> {
  if (owner.host === os.hostname() && !alive(owner.pid)) return true;
  const info = await stat(file).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs > staleMs;
}

/** Moves a stale lock aside; true when what was moved is the stale lock looked at (else it is put back). */
async function removeStale(file: string, owner: LockOwner): Promise<boolean> {
  const aside = `${file}.stale-${randomUUID()}`;
  if (!(await rename(file, aside).then(() => true, () => false))) return false;
  const moved = await readOwner(aside);
  if (moved?.token === owner.token) {
    await unlink(aside);
    return true;
  }
  // Another worker took the lock between our look and our move: give it back (link fails if a third one took it meanwhile).
  await link(aside, file).catch(() => undefined);
  await unlink(aside);
  return false;
}

/**
 * Takes the lock of the VM whose state file is `stateFile`; EBUSY naming the
 * owner when a live one holds it. The heartbeat runs until `release()`.
 */
export async function lockVm(stateFile: string, options: LockOptions = {}): Promise<VmLock> {
  const file = `${stateFile}.lock`;
  const staleMs = options.staleMs ?? 60_000;
  const me: LockOwner = { host: os.hostname(), pid: process.pid, token: randomUUID(), since: new Date().toISOString() };
  for (let tries = 0; ; tries++) {
    try {
      const handle = await open(file, 'wx', 0o644);
      await handle.writeFile(`${JSON.stringify(me)}\n`);
      await handle.close();
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new VmcraftError('EIO', `cannot create the lock ${file}: ${(err as Error).message}`, { path: file, cause: err });
    }
    const owner = await readOwner(file);
    if (tries < 5) {
      // Gone, or being written by its new owner: look again shortly.
      if (!owner) await new Promise((r) => setTimeout(r, 50));
      if (!owner || ((await isStale(file, owner, staleMs)) && (await removeStale(file, owner)))) continue;
    }
    throw new VmcraftError('EBUSY', `${file}: the VM is being migrated by ${owner ? `pid ${owner.pid} on ${owner.host} since ${owner.since}` : 'another worker'}`, { path: file });
  }
  const lost = new AbortController();
  const beat = setInterval(() => {
    void (async () => {
      const owner = await readOwner(file);
      if (owner?.token !== me.token) return lost.abort(new VmcraftError('EBUSY', `${file}: the VM's lock was taken by ${owner ? `pid ${owner.pid} on ${owner.host}` : 'nobody (it was removed)'}`));
      const now = new Date();
      await utimes(file, now, now).catch(() => undefined);
    })();
  }, Math.max(1000, Math.floor(staleMs / 4)));
  beat.unref();
  return {
    file,
    lost: lost.signal,
    async release() {
      clearInterval(beat);
      if ((await readOwner(file))?.token === me.token) await unlink(file).catch(() => undefined);
    },
  };
}
