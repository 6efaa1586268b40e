/** Sessions the stages open on the disks they are given, and the guest root they work on. */
import { VmcraftError } from '../../core/errors.js';
import { GuestFS } from '../../guestfs.js';
import type { OsInfo } from '../../inspect/types.js';
import type { StageContext } from '../stage.js';
import type { DiskRef } from '../types.js';

/** A disk a stage opens: the images it reads, top first, are its `files`. */
export type OpenableDisk = Pick<DiskRef, 'path' | 'format'> & { files: readonly { path: string }[] };

/** Opens `disks` (formats given, never probed; each reads exactly the chain its `files` list), runs `fn`, and closes the session whatever happens. */
export async function withDisks<T>(ctx: StageContext, disks: readonly OpenableDisk[], readonly: boolean, fn: (g: GuestFS) => Promise<T>): Promise<T> {
  // No signal handlers of its own: the run's AbortSignal stops a pipeline (a session torn down under a running stage would not).
  const g = new GuestFS({ readonly, tmpDir: ctx.workDir, keys: ctx.plan.keys, handleSignals: false, ...(ctx.mode ? { mode: ctx.mode } : {}) });
  if (ctx.onTrace) g.on('trace', ctx.onTrace);
  for (const disk of disks) g.addDrive(disk.path, { format: disk.format, chain: disk.files });
  let result: T;
  try {
    await g.launch();
    result = await fn(g);
  } catch (err) {
    // The stage's error is the one to report; a failure to release the session rides along with it.
    await g.close().catch((cleanupError: unknown) => {
      if (err instanceof Error) Object.assign(err, { cleanupError });
    });
    throw err;
  }
  await g.close();
  return result;
}

/** Inspects the session and returns the OS the pipeline works on: the first root found (a note when there are several). */
export async function guestRoot(ctx: StageContext, g: GuestFS): Promise<OsInfo> {
  const roots = await g.inspectOs();
  if (roots.length === 0) throw new VmcraftError('EINSPECT', `no operating system found on ${ctx.plan.name}'s disks`);
  if (roots.length > 1) ctx.note(`${roots.length} operating systems found (${roots.join(', ')}): working on ${roots[0]}`);
  return g.inspectOsInfo(roots[0]!);
}

/** Whether qemu cannot read this disk's chain by itself (a differencing VHD): FLATTEN merges it. */
export function needsMerge(format: string, chainLength: number): boolean {
  return format === 'vhd' && chainLength > 1;
}

/** Whether a dry run can open these disks: an OVA is not unpacked and a VHD chain not merged before the real run. */
export function openableBeforeRun(disks: DiskRef[]): boolean {
  return disks.every((d) => d.format !== 'ova' && !needsMerge(d.format, d.files.length));
}
