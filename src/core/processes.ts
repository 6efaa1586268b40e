/** Host processes by /proc: whether one still runs, which ones name a path, waiting for them to end. */
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Whether a process is still running. A daemonized helper (qemu-storage-daemon,
 * ntfs-3g) is not our child, so once it exits it may linger as a zombie until
 * init reaps it: that counts as gone.
 */
export async function processAlive(pid: number): Promise<boolean> {
  const state = (await statFields(pid))?.[0];
  return state !== undefined && state !== 'Z' && state !== 'X';
}

/** The fields of /proc/PID/stat from the state on (field 3; the command name before it may hold spaces), or undefined. */
async function statFields(pid: number): Promise<string[] | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The start time of a process (field 22 of /proc/PID/stat), which tells it from a later process with the same pid. */
export async function processStartTime(pid: number): Promise<string | undefined> {
  return (await statFields(pid))?.[19];
}

/** The processes with an argument that `match` accepts. */
async function processesWhere(match: (arg: string) => boolean): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.split('\0').some(match)) pids.push(Number(entry));
  }
  return pids;
}

/** The processes that have `arg` as one of their arguments (a FUSE daemon names its mount point). */
export function processesWithArgument(arg: string): Promise<number[]> {
  return processesWhere((a) => a === arg);
}

/** The processes with an argument naming a path below `dir` (a session's daemons name files in its work directory). */
export function processesWithPathUnder(dir: string): Promise<number[]> {
  return processesWhere((a) => a.startsWith(`${dir}/`));
}

/** Waits until every process has ended, at most `timeoutMs`; returns those still running. */
export async function waitForExit(pids: number[], timeoutMs: number): Promise<number[]> {
  const deadline = performance.now() + timeoutMs;
  let alive = pids;
  // Most processes end within milliseconds of their signal: look again soon, then less often.
  for (let pause = 1; ; pause = Math.min(pause * 2, 20)) {
    alive = (await Promise.all(alive.map(async (pid) => ((await processAlive(pid)) ? pid : 0)))).filter(Boolean);
    if (alive.length === 0 || performance.now() >= deadline) return alive;
    await sleep(pause);
  }
}
