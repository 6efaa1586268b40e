/** Loop devices: a raw file (or a FUSE export of any format) becomes /dev/loopN. */
import { access, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { VmcraftError } from '../core/errors.js';
import type { Runner } from '../core/exec.js';
import type { AttachContext } from './types.js';

/** A loop device a session attached, as recorded in its work directory (`loopN.loop.json`). */
export interface LoopRecord {
  device: string;
  seq?: string;
}

/** The suffix of loop records in a work directory. */
export const LOOP_RECORD_SUFFIX = '.loop.json';

/** Attaches `file` to a free loop device, pushes its detach on the cleanup stack, returns `/dev/loopN`. */
export async function attachLoop(file: string, readonly: boolean, ctx: AttachContext): Promise<string> {
  const args = ['--find', '--show', ...(readonly ? ['--read-only'] : []), file];
  // Two processes may pick the same free device at once; losetup then fails with EBUSY: try again.
  const { stdout } = await ctx.runner.runWithRetry('losetup', args, {
    shouldRetry: (err) => /busy|no free|could not find any free/i.test(err.command?.stderr ?? ''),
  });
  const device = stdout.trim();
  if (!device.startsWith('/dev/loop')) {
    throw new VmcraftError('EATTACH', `losetup printed no device for ${file}: ${JSON.stringify(stdout)}`);
  }
  const seq = await diskSeq(device);
  ctx.cleanup.push(`loop device ${device}`, () => detachLoop(device, ctx.runner, seq));
  // If this process dies without detaching, the next session's launch finds the device here (reaper.ts).
  await writeFile(path.join(ctx.workDir, `${path.basename(device)}${LOOP_RECORD_SUFFIX}`), JSON.stringify({ device, seq } satisfies LoopRecord));
  return device;
}

/** The sysfs directory of a block device (`/dev/loop3` → `/sys/block/loop3`). */
export function sysfsDir(device: string): string {
  return path.join('/sys/block', path.basename(device));
}

/**
 * The device's disk sequence number (/sys/block/loopN/diskseq, Linux ≥ 5.15):
 * it changes on every attach, so it tells our attachment from a later one of
 * the same device by another process.
 */
export async function diskSeq(device: string): Promise<string | undefined> {
  return (await readFile(path.join(sysfsDir(device), 'diskseq'), 'utf8').catch(() => undefined))?.trim();
}

/**
 * Detaches a loop device (removing its partition nodes first) and checks that
 * our attachment is gone. `seq` is the disk sequence number it had when we
 * attached it: once the device is free another process may attach it at
 * once, and that is not ours to wait for.
 */
export async function detachLoop(device: string, runner: Runner, seq?: string): Promise<void> {
  // BLKPG partition nodes outlive a detach: remove them (retrying while busy), or the next user of this loop device sees them.
  let partitionError: unknown;
  await runner
    .runWithRetry('partx', ['-d', device], { retries: 8, shouldRetry: (err) => /busy|error deleting/i.test(err.command?.stderr ?? '') })
    .catch((err: unknown) => {
      if (!(err instanceof VmcraftError) || !/does not make sense|no partition/i.test(err.command?.stderr ?? '')) partitionError = err;
    });
  // Detach even when the partitions would not go: a leaked loop device is worse than stale nodes (attach drops those).
  await runner.runWithRetry('losetup', ['-d', device], {
    shouldRetry: (err) => /busy/i.test(err.command?.stderr ?? ''),
  });
  // losetup -d on a device something still has open only marks it for autoclear: give that holder a moment.
  if (!(await waitUntilReleased(device, seq, 10_000))) {
    throw new VmcraftError('ECLEANUP', `${device} is still attached 10 s after losetup -d (something holds it open)`);
  }
  if (partitionError) throw partitionError;
}

/**
 * Waits until the attachment with disk sequence `seq` is gone from `device`
 * (any attachment, without `seq`); false when it is still there after
 * `timeoutMs`. A new attachment of the device by another process does not count.
 */
export async function waitUntilReleased(device: string, seq: string | undefined, timeoutMs: number): Promise<boolean> {
  for (let waited = 0; (await attachedAs(device, seq)) && waited < timeoutMs; waited += 20) await sleep(20);
  return !(await attachedAs(device, seq));
}

/** Whether the device still carries the attachment with disk sequence `seq` (any attachment, without `seq`). */
export async function attachedAs(device: string, seq: string | undefined): Promise<boolean> {
  return (await isAttached(device)) && (seq === undefined || (await diskSeq(device)) === seq);
}

/** Whether a loop device still has a backing file. */
export async function isAttached(device: string): Promise<boolean> {
  try {
    await access(path.join(sysfsDir(device), 'loop', 'backing_file'));
    return true;
  } catch {
    return false;
  }
}
