/**
 * Sessions of processes that died without cleaning up (SIGKILL, a crash, the
 * OOM killer): each session registers its work directory (and each conversion
 * its temp directory beside the target) in /run/vmcraft/sessions under its
 * owner's pid and start time; the next launch
 * of any session finds the entries whose owner is gone and releases what is
 * left below their work directories — guest mounts, the storage layers'
 * recorded teardown commands (LVM, LUKS, md), loop devices recorded there,
 * qemu-storage-daemon exports and image locks — then the directory itself. nbd devices are
 * reclaimed by the next nbd attach through their lock files.
 */
import { readdir, readFile, readlink, rename, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ownDirectory } from '../core/workdir.js';
import type { Runner } from '../core/exec.js';
import { mountsUnder } from '../core/mountinfo.js';
import { processAlive, processesWithPathUnder, processStartTime, waitForExit } from '../core/processes.js';
import { recordedTeardowns, runTeardown } from '../core/teardown.js';
import { attachedAs, LOOP_RECORD_SUFFIX, type LoopRecord } from './loop.js';

/**
 * Where sessions register their work directories: $VMCRAFT_SESSION_DIR, by
 * default /run/vmcraft/sessions for root (one registry per host) and a
 * private directory of each other user (their VM-mode sessions).
 */
export function sessionDir(): string {
  if (process.env.VMCRAFT_SESSION_DIR) return process.env.VMCRAFT_SESSION_DIR;
  const uid = process.getuid?.() ?? 0;
  return uid === 0 ? '/run/vmcraft/sessions' : path.join(process.env.XDG_RUNTIME_DIR || os.tmpdir(), `vmcraft-sessions-${uid}`);
}

/** Registers a session's work directory (before it is created) for this process; returns the unregistration. */
export async function registerSession(workDir: string): Promise<() => Promise<void>> {
  await ownDirectory(sessionDir());
  const entry = path.join(sessionDir(), `${process.pid}.${await processStartTime(process.pid)}.${path.basename(workDir)}`);
  await symlink(workDir, entry);
  return () => rm(entry, { force: true });
}

/** Sends a signal to a process that may have ended meanwhile. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // gone already
  }
}

/** Releases what a dead session left below `workDir`; returns what was released. */
async function reap(workDir: string, runner: Runner): Promise<string[]> {
  const done: string[] = [];
  const files = await readdir(workDir).catch(() => [] as string[]);
  // Guest filesystems first (deepest first), then the loop devices under them, then the exports under those.
  for (const m of await mountsUnder(workDir)) {
    if (m.fsType === 'fuse' && files.includes(path.basename(m.mountPoint))) continue; // an export file: its daemon goes below
    if (await runner.run('umount', [m.mountPoint]).then(() => true, () => false)) done.push(`mount ${m.mountPoint}`);
  }
  // The storage layers' teardown commands (LVM, LUKS, md), newest first: they sit on the loop and nbd devices.
  for (const command of await recordedTeardowns(workDir)) {
    if (await runTeardown(command, runner).then(() => true, () => false)) done.push(`${command.file} ${command.args.slice(0, 3).join(' ')}`);
  }
  for (const f of files.filter((n) => n.endsWith(LOOP_RECORD_SUFFIX))) {
    const { device, seq } = JSON.parse(await readFile(path.join(workDir, f), 'utf8')) as LoopRecord;
    if (!(await attachedAs(device, seq))) continue;
    await runner.run('partx', ['-d', device]).catch(() => undefined);
    if (await runner.run('losetup', ['-d', device]).then(() => true, () => false)) done.push(`loop device ${device}`);
  }
  // The daemons (exports, image locks) name their pid file, and exports their mount point, in the work directory.
  for (const pid of await processesWithPathUnder(workDir)) {
    if (!(await processAlive(pid))) continue;
    signal(pid, 'SIGTERM');
    if ((await waitForExit([pid], 5000)).length) signal(pid, 'SIGKILL');
    done.push(`qemu-storage-daemon ${pid}`);
  }
  for (const m of await mountsUnder(workDir)) await runner.run('umount', ['-l', m.mountPoint]).catch(() => undefined);
  if ((await mountsUnder(workDir)).length === 0) await rm(workDir, { recursive: true, force: true });
  return done;
}

/**
 * Finds the sessions whose process is gone and releases what they left; an
 * entry is claimed by renaming it, so two launches never reap the same one.
 * Returns one line per session reaped.
 */
export async function reapStaleSessions(runner: Runner): Promise<string[]> {
  const reports: string[] = [];
  const registry = sessionDir();
  for (const name of await readdir(registry).catch(() => [] as string[])) {
    const [base, reaper] = name.split('.reaping-');
    const [pid, start] = base!.split('.');
    if (!pid || (await processStartTime(Number(pid))) === start) continue;
    if (reaper && (await processAlive(Number(reaper)))) continue; // another launch is reaping it
    const claimed = path.join(registry, `${base}.reaping-${process.pid}`);
    if (!(await rename(path.join(registry, name), claimed).then(() => true, () => false))) continue;
    // Reaping is best effort: whatever goes wrong here must not fail the launch that found it.
    try {
      const workDir = await readlink(claimed);
      const done = await reap(workDir, runner);
      if ((await mountsUnder(workDir)).length === 0) await rm(claimed, { force: true });
      reports.push(`released what process ${pid} (gone) left in ${workDir}${done.length ? `: ${done.join(', ')}` : ''}`);
    } catch (err) {
      reports.push(`could not release everything process ${pid} (gone) left (${claimed}): ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return reports;
}
