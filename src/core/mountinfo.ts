/** Reads the host's mount table, so teardown can verify nothing is left mounted. */
import { readFile } from 'node:fs/promises';

/** One line of /proc/self/mountinfo. */
export interface MountInfoEntry {
  /** Where it is mounted (octal escapes decoded). */
  mountPoint: string;
  /** Filesystem type (`ext4`, `fuse`, …). */
  fsType: string;
  /** Mount source (`/dev/loop3p1`, `/dev/fuse`, …). */
  source: string;
  /** The mount's own options (`ro,nosuid,nodev,relatime`), not the filesystem's. */
  options: string;
}

/** Decodes the `\040`-style escapes the kernel uses in mount tables. */
export function decodeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/**
 * Parses /proc/self/mountinfo, e.g.
 * `42 27 0:39 / /tmp/vmcraft-x/disk0 rw,nosuid - fuse /dev/fuse rw,user_id=0`.
 */
export function parseMountInfo(text: string): MountInfoEntry[] {
  const entries: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const sep = fields.indexOf('-');
    if (sep < 5 || fields.length < sep + 3) continue;
    entries.push({
      mountPoint: decodeMountField(fields[4]!),
      fsType: fields[sep + 1]!,
      source: decodeMountField(fields[sep + 2]!),
      options: fields[5]!,
    });
  }
  return entries;
}

/** The mounts at or below `dir`, deepest first (the order to unmount them in). */
export async function mountsUnder(dir: string): Promise<MountInfoEntry[]> {
  const all = parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8'));
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return all
    .filter((m) => m.mountPoint === dir || m.mountPoint.startsWith(prefix))
    .sort((a, b) => b.mountPoint.length - a.mountPoint.length);
}
