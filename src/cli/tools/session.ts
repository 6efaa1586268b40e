/**
 * What the small virt-* tools share: the drive options (`-a` repeatable, `--format`,
 * `--key`, `--keys-from-stdin`, --vm/--host), the old-style operands (images first when no
 * `-a` was given) and a read-only session with the guest's filesystems mounted.
 */
import type { Command } from 'commander';
import type { GuestFS } from '../../guestfs.js';
import { VmcraftError } from '../../core/errors.js';
import { closeSession, launchSession } from '../output.js';
import { addModeOptions } from '../mode.js';
import { collect } from '../cli-options.js';
import { addDriveOptions as addDriveArgs, operandDrives, stdinKeys, type DriveArg } from '../session-options.js';

/** The drive flags every tool takes. */
export interface DriveFlags {
  /** The `-a` images, each with the `--format` given before it. */
  add: DriveArg[];
  /** The last `--format` given: the format of the images given as operands. */
  format?: string | true;
  key: string[];
  keysFromStdin?: boolean;
  chainDir?: string;
  /** `-m DEV[:MOUNTPOINT]`: mount these instead of the guest found by inspection. */
  mount?: string[];
  json?: boolean;
}

/** Adds the drive options (and --json, --vm/--host/--mode) to a tool's command. */
export function addDriveOptions(command: Command, what = 'disk image (repeatable)'): Command {
  // -h is --human-readable in these tools, as in libguestfs's: help is --help only.
  return addModeOptions(addDriveArgs(command.helpOption('--help', 'display help for command'), what)
    .option('--key <passphrase>', 'LUKS passphrase to try (repeatable)', collect, [])
    .option('--keys-from-stdin', 'read LUKS passphrases from standard input, one a line')
    .option('--chain-dir <dir>', 'let the images read backing files in this directory (by default an image is opened alone)')
    .option('-m, --mount <dev[:mountpoint]>', 'mount this filesystem (at / unless a mount point is given; repeatable) instead of the guest found by inspection', collect, [])
    .option('--json', 'print JSON'));
}

/** A usage error: exits 2 with `reason` (main.ts maps EINVAL before a session to 2). */
export function usage(reason: string): VmcraftError {
  return new VmcraftError('EINVAL', reason);
}

/**
 * Splits a tool's operands into images and the rest, as the libguestfs tools' old-style
 * syntax does: with `-a`, every operand is the rest; without, every operand but the last
 * `rest` ones is an image (`virt-ls disk.img /etc`).
 */
export function splitOperands(flags: DriveFlags, operands: readonly string[], rest: number, restName: string): { images: DriveArg[]; rest: string[] } {
  if (flags.add.length) {
    if (operands.length < rest) throw usage(`expected ${restName}`);
    return { images: flags.add, rest: [...operands] };
  }
  if (operands.length <= rest) throw usage(`expected a disk image (-a IMAGE or IMAGE operand) and ${restName}`);
  return { images: operandDrives(operands.slice(0, operands.length - rest), flags.format), rest: operands.slice(operands.length - rest) };
}

/** The images of a tool that takes several: the `-a` ones, then the operands. */
export function allDrives(flags: DriveFlags, operands: readonly string[]): DriveArg[] {
  return [...flags.add, ...operandDrives(operands, flags.format)];
}

/** What opening a session needs of a tool's flags. */
type OpenFlags = Pick<DriveFlags, 'key' | 'keysFromStdin' | 'chainDir' | 'mount'>;

/** Launches a session on the images, each in its own format (read-only unless `readonly` is false); the caller closes it. */
export async function openTool(images: DriveArg[], flags: OpenFlags, readonly = true): Promise<GuestFS> {
  const keys = [...flags.key, ...(flags.keysFromStdin ? await stdinKeys() : [])];
  return launchSession(images, { readonly, keys, quiet: true, ...(flags.chainDir ? { chain: { allowDir: flags.chainDir } } : {}) });
}

/** Runs `work` on a session, then closes it. */
export async function withTool<T>(images: DriveArg[], flags: OpenFlags, work: (g: GuestFS) => Promise<T>, readonly = true): Promise<T> {
  const g = await openTool(images, flags, readonly);
  try {
    return await work(g);
  } finally {
    await closeSession(g);
  }
}

/** Runs `work` on a session with the guest's root and its fstab mounted (read-only unless `readonly` is false), then closes it. */
export async function withMountedGuest<T>(images: DriveArg[], flags: OpenFlags, work: (g: GuestFS) => Promise<T>, readonly = true): Promise<T> {
  return withTool(images, flags, async (g) => {
    if (flags.mount?.length) {
      for (const spec of flags.mount) {
        const [device, mountpoint = '/'] = spec.split(':');
        await (readonly ? g.mountRo(device!, mountpoint) : g.mount(device!, mountpoint));
      }
      return work(g);
    }
    const [root] = await g.inspectOs();
    if (!root) throw new VmcraftError('EINSPECT', 'no operating system found in the image (these tools mount the guest found by inspection)');
    await g.mountRoot(root);
    return work(g);
  }, readonly);
}

/**
 * Mounts every filesystem that holds files in turn at / (read-only with `readonly`) and runs
 * `work` on it; swap and unknown content are skipped, as virt-df and virt-sparsify do, and
 * with `skipUnmountable` a filesystem that does not mount too (virt-df). Returns the results.
 */
export async function eachFilesystem<T>(g: GuestFS, work: (device: string) => Promise<T>, options: { readonly?: boolean; skipUnmountable?: boolean } = {}): Promise<T[]> {
  const results: T[] = [];
  for (const { device, vfsType } of g.listFilesystems()) {
    if (vfsType === 'swap' || vfsType === 'unknown') continue;
    const mounted = (options.readonly ? g.mountRo(device, '/') : g.mount(device, '/')).then(() => true);
    if (!(await (options.skipUnmountable ? mounted.catch(() => false) : mounted))) continue;
    try {
      results.push(await work(device));
    } finally {
      await g.umountAll();
    }
  }
  return results;
}
