/**
 * Finds what a session may have left behind under a directory: loop devices
 * backed by files there, mounts below it, qemu-storage-daemon and augtool
 * processes naming it, and vmcraft work directories in it. Tests give each
 * session a private tmpDir and images under it, so the checks cannot see
 * other tests' sessions.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { execa } from 'execa';
import { mountsUnder } from '../../src/core/mountinfo.js';

/** Everything found under a directory that a closed session must not leave. */
export interface Leftovers {
  loopDevices: string[];
  mounts: string[];
  daemons: number[];
  workDirs: string[];
}

async function loopDevicesUnder(dir: string): Promise<string[]> {
  const { stdout } = await execa('losetup', ['--list', '--json', '--output', 'NAME,BACK-FILE']);
  const list = stdout ? (JSON.parse(stdout) as { loopdevices: { name: string; 'back-file': string | null }[] }).loopdevices : [];
  return list.filter((l) => (l['back-file'] ?? '').includes(dir)).map((l) => l.name);
}

async function daemonsNaming(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const exe = await readlink(`/proc/${entry}/exe`);
      const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8');
      if ((exe.endsWith('qemu-storage-daemon') || exe.endsWith('augtool')) && cmdline.includes(dir)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** Lists the leftovers under `dir` (session tmpDir and image directory). */
export async function findLeftovers(dir: string): Promise<Leftovers> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  return {
    loopDevices: await loopDevicesUnder(dir),
    mounts: (await mountsUnder(dir)).map((m) => m.mountPoint),
    daemons: await daemonsNaming(dir),
    workDirs: entries.filter((e) => e.startsWith('vmcraft-')),
  };
}

/** The value of findLeftovers when nothing is left. */
export const NOTHING_LEFT: Leftovers = { loopDevices: [], mounts: [], daemons: [], workDirs: [] };
