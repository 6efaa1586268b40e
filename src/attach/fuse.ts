/**
 * The FUSE backend: qemu-storage-daemon opens the image with qemu's own format
 * driver (qcow2, vmdk, vhdx…) and exports it as a raw file over FUSE; a loop
 * device on that file gives a block device. Works where the kernel has no nbd.
 */
import { readFile, writeFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { VmcraftError } from '../core/errors.js';
import { mountsUnder } from '../core/mountinfo.js';
import { processAlive, waitForExit } from '../core/processes.js';
import type { Runner } from '../core/exec.js';
import { chainBlockdev } from './blockdev.js';
import type { AttachContext, VerifiedDrive } from './types.js';

/** The qemu-storage-daemon arguments that open `drive` (its verified chain) and export it writable or not at `exportFile`. */
export function storageDaemonArgs(drive: VerifiedDrive, exportFile: string, pidFile: string): string[] {
  const ro = drive.readonly;
  const blockdev = { ...chainBlockdev(drive.links, ro), 'node-name': 'disk' };
  const exp = { type: 'fuse', id: 'export', 'node-name': 'disk', mountpoint: exportFile, writable: !ro };
  // JSON syntax: file names with commas need no escaping.
  return ['--daemonize', '--pidfile', pidFile, '--blockdev', JSON.stringify(blockdev), '--export', JSON.stringify(exp)];
}

/** Exports the drive as a raw file over FUSE and returns that file's path. */
export async function exportOverFuse(drive: VerifiedDrive, index: number, ctx: AttachContext): Promise<string> {
  const exportFile = path.join(ctx.workDir, `disk${index}.raw`);
  const pidFile = path.join(ctx.workDir, `disk${index}.pid`);
  await writeFile(exportFile, '', { mode: 0o600 });
  try {
    // --daemonize returns once the export is ready, or fails with qemu's message.
    await ctx.runner.run('qemu-storage-daemon', storageDaemonArgs(drive, exportFile, pidFile), { timeoutMs: 60_000 });
  } catch (err) {
    await rm(exportFile, { force: true });
    throw asOpenError(err, drive.path);
  }
  const pid = Number((await readFile(pidFile, 'utf8')).trim());
  ctx.cleanup.push(`qemu-storage-daemon ${pid} exporting ${drive.path}`, () => stopExport(pid, exportFile, pidFile, ctx.runner));
  return exportFile;
}

function asOpenError(err: unknown, imagePath: string): unknown {
  if (!(err instanceof VmcraftError) || err.code !== 'ECOMMAND') return err;
  const stderr = err.command?.stderr ?? '';
  const reason = stderr.split('\n').filter(Boolean).pop() ?? err.message;
  // A lock held by another user of the image (a running VM) is not a format problem.
  const code = /Failed to get .*lock/i.test(stderr) ? 'EATTACH' : 'EFORMAT';
  return new VmcraftError(code, `cannot open ${imagePath}: ${reason.replace(/^qemu-storage-daemon: /, '')}`, { cause: err, command: err.command, path: imagePath });
}

/** Stops the daemon (it flushes and unmounts its export on SIGTERM) and removes the export file. */
export async function stopExport(pid: number, exportFile: string, pidFile: string, runner: Runner): Promise<void> {
  if (await processAlive(pid)) process.kill(pid, 'SIGTERM');
  if ((await waitForExit([pid], 10_000)).length) {
    process.kill(pid, 'SIGKILL');
    await sleep(100);
  }
  if ((await mountsUnder(exportFile)).length > 0) await runner.run('umount', ['-l', exportFile]);
  await rm(exportFile, { force: true });
  await rm(pidFile, { force: true });
}
