/**
 * The nbd backend: `qemu-nbd --connect` on a free /dev/nbdN. A device is free
 * when the kernel says so (size 0, no pid in sysfs) and no other session holds
 * its lock file; locks whose owner died are stale and reclaimed, and a device
 * a dead qemu-nbd left connected is disconnected before reuse.
 */
import { existsSync } from 'node:fs';
import { mkdir, open, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { VmcraftError } from '../core/errors.js';
import type { Runner } from '../core/exec.js';
import { qemuDriver } from './detect.js';
import { chainBlockdev } from './blockdev.js';
import { openError, withImageLock } from './lock.js';
import type { AttachContext, VerifiedDrive } from './types.js';

/** Where sessions of all processes take their nbd device locks. */
export const NBD_LOCK_DIR = '/run/vmcraft/nbd';

/** qemu-nbd cache and aio modes. */
export interface NbdOptions {
  cache?: 'none' | 'writeback' | 'writethrough' | 'directsync' | 'unsafe';
  aio?: 'threads' | 'native' | 'io_uring';
}

async function readSys(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').then((s) => s.trim(), () => undefined);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether the kernel has the device connected (a size, or a server pid). */
export async function nbdConnected(device: string): Promise<boolean> {
  const sys = path.join('/sys/block', path.basename(device));
  const size = Number((await readSys(path.join(sys, 'size'))) ?? '0');
  return size > 0 || (await readSys(path.join(sys, 'pid'))) !== undefined;
}

/** Takes the lock of one device; false when a live process holds it. Stale locks are removed. */
async function tryLock(device: string): Promise<boolean> {
  const lock = path.join(NBD_LOCK_DIR, `${path.basename(device)}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lock, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(await readSys(lock));
      if (owner && alive(owner)) return false;
      await rm(lock, { force: true });
    }
  }
  return false;
}

async function unlock(device: string): Promise<void> {
  await rm(path.join(NBD_LOCK_DIR, `${path.basename(device)}.lock`), { force: true });
}

/** All /dev/nbdN the kernel offers, in number order. */
async function nbdDevices(): Promise<string[]> {
  const names = (await readdir('/sys/block').catch(() => [] as string[])).filter((n) => /^nbd\d+$/.test(n));
  return names.sort((a, b) => Number(a.slice(3)) - Number(b.slice(3))).map((n) => `/dev/${n}`);
}

/** Loads the nbd module when it is not loaded yet (needs root and the module). */
export async function ensureNbdModule(runner: Runner): Promise<void> {
  if (existsSync('/sys/module/nbd')) return;
  await runner.run('modprobe', ['nbd', 'max_part=16']).catch((err: unknown) => {
    throw new VmcraftError('EUNSUPPORTED', 'the nbd kernel module is not available on this host', { cause: err });
  });
}

/**
 * Connects the drive to a free nbd device and returns it. The lock and the
 * connection are on the cleanup stack when this returns.
 */
export async function attachNbd(drive: VerifiedDrive, ctx: AttachContext, options: NbdOptions = {}): Promise<string> {
  await ensureNbdModule(ctx.runner);
  await mkdir(NBD_LOCK_DIR, { recursive: true });
  // qemu-nbd --connect binds a socket in /var/lock (→ /run/lock), missing on some minimal systems.
  await mkdir('/run/lock', { recursive: true });
  for (const device of await nbdDevices()) {
    if (!(await tryLock(device))) continue;
    // Locked by us: a device still connected now was left by a dead session (its lock was stale).
    if (await nbdConnected(device)) {
      await ctx.runner.run('qemu-nbd', ['--disconnect', device]).catch(() => undefined);
      if (await nbdConnected(device)) {
        await unlock(device);
        continue;
      }
    }
    const args = [
      `--connect=${device}`, `--format=${qemuDriver(drive.format)}`,
      ...(drive.readonly ? ['--read-only'] : []),
      ...(options.cache ? [`--cache=${options.cache}`] : []),
      ...(options.aio ? [`--aio=${options.aio}`] : []),
      // The verified chain, each image's file and format given: qemu-nbd opens no name from a header;
      // with the session's image lock (lock.ts).
      `json:${JSON.stringify(withImageLock(chainBlockdev(drive.links, drive.readonly), drive))}`,
    ];
    try {
      await ctx.runner.run('qemu-nbd', args, { timeoutMs: 60_000 });
      await waitConnected(device);
    } catch (err) {
      await ctx.runner.run('qemu-nbd', ['--disconnect', device]).catch(() => undefined);
      await unlock(device);
      if (err instanceof VmcraftError && err.code === 'ECOMMAND' && /busy|already/i.test(err.command?.stderr ?? '')) continue;
      throw openError(err, drive);
    }
    ctx.cleanup.push(`nbd device ${device}`, () => detachNbd(device, ctx.runner));
    return device;
  }
  throw new VmcraftError('EATTACH', 'no free nbd device (all are connected or locked by other sessions)');
}

async function waitConnected(device: string): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 20) {
    if (await nbdConnected(device)) return;
    await sleep(20);
  }
  throw new VmcraftError('EATTACH', `${device} did not come up after qemu-nbd --connect`);
}

/** Disconnects, checks the device is free, and drops the lock. */
export async function detachNbd(device: string, runner: Runner): Promise<void> {
  await runner.run('qemu-nbd', ['--disconnect', device]);
  for (let waited = 0; (await nbdConnected(device)) && waited < 5000; waited += 20) await sleep(20);
  if (await nbdConnected(device)) throw new VmcraftError('ECLEANUP', `${device} is still connected after qemu-nbd --disconnect`);
  await unlock(device);
}
