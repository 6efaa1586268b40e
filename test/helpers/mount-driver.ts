/** Which kernel driver a mount went through, from /proc/self/mountinfo. */
import { readFile } from 'node:fs/promises';

/** The filesystem type and options the kernel reports for the mount of a host device (mountinfo fields after " - "). */
export async function mountOf(hostDevice: string): Promise<{ fstype: string; options: string[] } | undefined> {
  for (const line of (await readFile('/proc/self/mountinfo', 'utf8')).split('\n')) {
    const [before, after] = line.split(' - ');
    const [fstype, source] = (after ?? '').split(' ');
    if (source === hostDevice && fstype) return { fstype, options: (before ?? '').split(' ')[5]?.split(',') ?? [] };
  }
  return undefined;
}
