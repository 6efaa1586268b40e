/** What a session may leave in the kernel: nbd connections, dm devices, md arrays, mounts of its images. */
import { readdir, readFile } from 'node:fs/promises';
import { Runner } from '../../src/core/exec.js';

/** Kernel-level leftovers in the VM (nothing else runs there, so system-wide checks are exact). */
export interface KernelLeftovers { nbd: string[]; dm: string[]; md: string[]; mounts: string[] }

export async function kernelLeftovers(): Promise<KernelLeftovers> {
  const blocks = await readdir('/sys/block');
  const nbd: string[] = [];
  for (const b of blocks.filter((n) => n.startsWith('nbd'))) {
    if (Number(await readFile(`/sys/block/${b}/size`, 'utf8')) > 0) nbd.push(b);
  }
  const { stdout } = await new Runner().run('dmsetup', ['ls'], { okExitCodes: [0, 1] });
  const dm = stdout.split('\n').filter((l) => l.trim() && !/No devices found/.test(l));
  const md = blocks.filter((n) => /^md\d+$/.test(n));
  const mounts = (await readFile('/proc/self/mounts', 'utf8')).split('\n').filter((l) => /vmcraft-[A-Za-z0-9]{6,}\//.test(l) || /^\/dev\/(nbd|mapper|md)/.test(l));
  return { nbd, dm, md, mounts };
}

export const NO_KERNEL_LEFTOVERS: KernelLeftovers = { nbd: [], dm: [], md: [], mounts: [] };
