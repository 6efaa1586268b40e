/**
 * guestfish's session options that need more than commander gives: a
 * `--format` that applies to the `-a` options after it (`--format` alone goes
 * back to detecting), `-m dev[:mountpoint[:options[:fstype]]]`, and
 * `--keys-from-stdin`.
 */
import type { Command } from 'commander';
import type { ImageFormat } from '../attach/detect.js';
import { FORMATS } from '../api/options.js';
import type { GuestFS } from '../guestfs.js';
import { keysFromText } from '../pipeline/keys.js';
import { readStdin } from './read.js';
import { usageExit } from './toplevel.js';

/** One `-a` option: the image and the `--format` in force where it was given. */
export interface DriveArg {
  path: string;
  format?: ImageFormat;
}

/**
 * Adds `-a` and `--format [format]` to `command`, as libguestfs's tools take them:
 * commander parses options in order, so each `-a` takes the format the last `--format`
 * set (checked against the formats; `--format auto` or a bare `--format` goes back to
 * detecting it from the content). The one per-drive parser of the CLI: guestfish,
 * inspect, customize and the small tools use it.
 */
export function addDriveOptions(command: Command, what = 'add a disk image (repeat for several drives)'): Command {
  let format: ImageFormat | undefined;
  command.on('option:format', (value: string | null | undefined) => {
    format = driveFormat(value ?? undefined);
  });
  return command
    .option('-a, --add <image>', what, (path: string, drives: DriveArg[]) => [...drives, { path, ...(format ? { format } : {}) }], [] as DriveArg[])
    .option('--format [format]', `the format of the images added (-a) after it: ${FORMATS.join(', ')}; auto (or --format alone) goes back to detecting it from the content (the default)`);
}

/** A `--format` value as a drive's format: undefined for auto (detection); a usage error for an unknown one. */
export function driveFormat(value: string | boolean | undefined): ImageFormat | undefined {
  if (value === undefined || value === true || value === false || value === '' || value === 'auto') return undefined;
  if (!FORMATS.includes(value as ImageFormat)) usageExit(`--format: unknown format '${value}' (one of auto, ${FORMATS.join(', ')})`);
  return value as ImageFormat;
}

/** Images given as operands (the old-style syntax): they take the `--format` in force after the last option (`format`, the option's value). */
export function operandDrives(paths: readonly string[], format: string | boolean | undefined): DriveArg[] {
  const f = driveFormat(format);
  return paths.map((path) => ({ path, ...(f ? { format: f } : {}) }));
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
/** `--keys-from-stdin`: the passphrases on standard input, one a line (read to its end). */
export async function stdinKeys(): Promise<string[]> {
  return keysFromText(await readStdin());
}
