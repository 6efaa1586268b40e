/**
 * The FUSE backend: qemu-storage-daemon opens the image with qemu's own format
 * driver (qcow2, vmdk, vhdx…) and exports it as a raw file over FUSE; a loop
 * device on that file gives a block device. Works where the kernel has no nbd.
 */
import { writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { mountsUnder } from '../core/mountinfo.js';
import type { Runner } from '../core/exec.js';
import { chainBlockdev } from './blockdev.js';
import { startStorageDaemon, stopStorageDaemon } from './daemon.js';
import { openError, withImageLock } from './lock.js';
import type { AttachContext, VerifiedDrive } from './types.js';

/** The qemu-storage-daemon arguments that open `drive` (its verified chain) and export it writable or not at `exportFile`. */
export function storageDaemonArgs(drive: VerifiedDrive, exportFile: string): string[] {
  const ro = drive.readonly;
  const blockdev = withImageLock({ ...chainBlockdev(drive.links, ro), 'node-name': 'disk' }, drive);
  const exp = { type: 'fuse', id: 'export', 'node-name': 'disk', mountpoint: exportFile, writable: !ro };
  // JSON syntax: file names with commas need no escaping.
  return ['--blockdev', JSON.stringify(blockdev), '--export', JSON.stringify(exp)];
}

/** Exports the drive as a raw file over FUSE and returns that file's path. */
export async function exportOverFuse(drive: VerifiedDrive, index: number, ctx: AttachContext): Promise<string> {
  const exportFile = path.join(ctx.workDir, `disk${index}.raw`);
  const pidFile = path.join(ctx.workDir, `disk${index}.pid`);
  await writeFile(exportFile, '', { mode: 0o600 });
  let pid: number;
  try {
    pid = await startStorageDaemon(storageDaemonArgs(drive, exportFile), pidFile, ctx.runner);
  } catch (err) {
    await rm(exportFile, { force: true });
    throw openError(err, drive);
  }
  ctx.cleanup.push(`qemu-storage-daemon ${pid} exporting ${drive.path}`, () => stopExport(pid, exportFile, pidFile, ctx.runner));
  return exportFile;
}

/** Stops the daemon (it flushes and unmounts its export on SIGTERM) and removes the export file. */
export async function stopExport(pid: number, exportFile: string, pidFile: string, runner: Runner): Promise<void> {
  await stopStorageDaemon(pid, pidFile);
  if ((await mountsUnder(exportFile)).length > 0) await runner.run('umount', ['-l', exportFile]);
  await rm(exportFile, { force: true });
}
