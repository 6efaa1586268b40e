/**
 * The qemu-storage-daemon processes of a session (FUSE exports, image locks):
 * started in the background with their pid file in the session's work
 * directory, which is how the reaper finds them when the session's process
 * died, and stopped with SIGTERM.
 */
import { readFile, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Runner } from '../core/exec.js';
import { processAlive, waitForExit } from '../core/processes.js';

/**
 * Starts qemu-storage-daemon with `args` and returns its pid. `--daemonize`
 * returns once its block nodes and exports are open, or fails (`ECOMMAND`)
 * with qemu's message (lock.ts's openError tells what it means).
 */
export async function startStorageDaemon(args: string[], pidFile: string, runner: Runner): Promise<number> {
  await runner.run('qemu-storage-daemon', ['--daemonize', '--pidfile', pidFile, ...args], { timeoutMs: 60_000 });
  return Number((await readFile(pidFile, 'utf8')).trim());
}

/** Stops a daemon (SIGTERM: it flushes and closes its exports; SIGKILL after 10 s) and removes its pid file. */
export async function stopStorageDaemon(pid: number, pidFile: string): Promise<void> {
  if (await processAlive(pid)) process.kill(pid, 'SIGTERM');
  if ((await waitForExit([pid], 10_000)).length) {
    process.kill(pid, 'SIGKILL');
    await sleep(100);
  }
  await rm(pidFile, { force: true });
}
