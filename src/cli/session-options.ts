/**
 * guestfish's session options that need more than commander gives: a
 * `--format` that applies to the `-a` options after it (`--format` alone goes
 * back to detecting), `-m dev[:mountpoint[:options[:fstype]]]`, and
 * `--keys-from-stdin`.
 */
import type { Command } from 'commander';
import type { ImageFormat } from '../attach/detect.js';
import type { GuestFS } from '../guestfs.js';
import { usageExit } from './toplevel.js';

/** One `-a` option: the image and the `--format` in force where it was given. */
export interface DriveArg {
  path: string;
  format?: ImageFormat;
}

const FORMATS: readonly ImageFormat[] = ['qcow2', 'vmdk', 'vdi', 'vhd', 'vhdx', 'raw', 'iso', 'ova', 'ovf', 'qed', 'parallels', 'luks'];

/**
 * Adds `-a` and `--format [format]` to `program`, guestfish's way: commander
 * parses options in order, so each `-a` takes the format the last `--format`
 * set (a value checked against the formats; none resets to detection).
 */
export function addDriveOptions(program: Command): Command {
  let format: ImageFormat | undefined;
  program.on('option:format', (value: string | null | undefined) => {
    if (value && !FORMATS.includes(value as ImageFormat)) usageExit(`--format: unknown format '${value}' (one of ${FORMATS.join(', ')})`);
    format = (value || undefined) as ImageFormat | undefined;
  });
  return program
    .option('-a, --add <image>', 'add a disk image (repeat for several drives)', (path: string, drives: DriveArg[]) => [...drives, { path, ...(format ? { format } : {}) }], [] as DriveArg[])
    .option('--format [format]', `the format of the images added (-a) after it: ${FORMATS.join(', ')}; --format alone goes back to detecting it from the content (the default)`);
}

/** One `-m` option. */
export interface MountArg {
  device: string;
  mountpoint: string;
  options?: string;
  fstype?: string;
}

/** `-m dev[:mountpoint[:options[:fstype]]]` as guestfish takes it; the mount point defaults to /. */
export function parseMount(spec: string, previous: MountArg[]): MountArg[] {
  const [device, mountpoint, options, fstype, ...extra] = spec.split(':');
  if (!device || extra.length) usageExit(`-m ${spec}: expected dev[:mountpoint[:options[:fstype]]]`);
  if (mountpoint && !mountpoint.startsWith('/')) usageExit(`-m ${spec}: the mount point must be an absolute path`);
  return [...previous, { device, mountpoint: mountpoint || '/', ...(options ? { options } : {}), ...(fstype ? { fstype } : {}) }];
}

/** Mounts the `-m` filesystems in order (read-only ones with `ro` added, as guestfish does). */
export async function mountAll(g: GuestFS, mounts: readonly MountArg[], readonly: boolean): Promise<void> {
  for (const m of mounts) {
    const options = [readonly ? 'ro' : '', m.options ?? ''].filter(Boolean).join(',');
    await g.mountVfs(options, m.fstype ?? '', m.device, m.mountpoint);
  }
}

/** `--keys-from-stdin`: every line of standard input is a passphrase to try (no echo, no prompt). */
export { keysFromText } from '../pipeline/keys.js';
