/**
 * The copying tools: `copy-out`/`copy-in` (virt-copy-out, virt-copy-in) and `tar-out`/`tar-in`
 * (virt-tar-out, virt-tar-in), on the guest found by inspection and mounted (read-only for the
 * `-out` ones). `-` as the tar file is standard output/input, staged through a private file.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { TAR_COMPRESSIONS, type TarCompression } from '../../fs/files/tar.js';
import type { GuestFS } from '../../guestfs.js';
import type { ShellIo } from '../shell.js';
import { hostDiskUsage, withByteProgress, type ByteGauge } from './progress.js';
import type { DriveArg } from '../session-options.js';
import { addDriveOptions, allDrives, usage, withMountedGuest, type DriveFlags } from './session.js';

/**
 * The images and the other operands of a copying tool: with `-a` every operand is the
 * rest; without, the one image is the operand at `imageAt` (0: the first, -2: the second last).
 */
function imageAndRest(flags: DriveFlags, operands: readonly string[], imageAt: 0 | -2, min: number, what: string): { images: DriveArg[]; rest: string[] } {
  if (flags.add.length) {
    if (operands.length < min) throw usage(`expected ${what}`);
    return { images: flags.add, rest: [...operands] };
  }
  if (operands.length < min + 1) throw usage(`expected a disk image (-a IMAGE or the IMAGE operand) and ${what}`);
  const at = imageAt === 0 ? 0 : operands.length + imageAt;
  return { images: allDrives(flags, [operands[at]!]), rest: operands.filter((_, i) => i !== at) };
}

/**
 * How far copy-out is: the guest paths' disk usage (du), against what has landed in the host
 * directory since — the copies' private staging directories and the names they land as.
 */
async function copyOutGauge(g: GuestFS, remotes: readonly string[], localDir: string): Promise<ByteGauge> {
  let total = 0;
  for (const remote of remotes) total += (await g.du(remote)) * 1024;
  const names = new Set(remotes.map((r) => path.posix.basename(r)).filter((n) => n !== '' && n !== '/'));
  const landed = async () => {
    let bytes = 0;
    for (const name of await readdir(localDir)) if (names.has(name) || name.startsWith('.vmcraft-copy-out-')) bytes += await hostDiskUsage(path.join(localDir, name));
    return bytes;
  };
  const before = await landed();
  return { total, done: async () => (await landed()) - before };
}

/** Runs `work` with a file name in a fresh private directory, removed afterwards. */
async function withStagedFile<T>(work: (file: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-tar-'));
  try {
    return await work(path.join(dir, 'archive.tar'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function compression(value: string | undefined): TarCompression | undefined {
  if (value === undefined) return undefined;
  if (!(TAR_COMPRESSIONS as readonly string[]).includes(value)) throw usage(`--compress: unknown compression ${value} (known: ${TAR_COMPRESSIONS.join(', ')})`);
  return value as TarCompression;
}

interface TarFlags extends DriveFlags { compress?: string }

function addCopy(program: Command, io: ShellIo): void {
  addDriveOptions(program
    .command('copy-out')
    .description('copy files or directories out of a disk image into a host directory, like virt-copy-out')
    .argument('<operands...>', 'IMAGE PATH… LOCALDIR (or, with -a, PATH… LOCALDIR)'))
    .action(async (operands: string[], flags: DriveFlags) => {
      const { images, rest } = imageAndRest(flags, operands, 0, 2, 'a guest path and a local directory');
      const localDir = rest.pop()!;
      await withMountedGuest(images, flags, async (g) => {
        const copy = async () => { for (const remote of rest) await g.copyOut(remote, localDir); };
        await withByteProgress('copying', () => copyOutGauge(g, rest, localDir), flags.json, copy);
      });
      if (flags.json) io.out(JSON.stringify({ copied: rest, to: localDir }));
    });

  addDriveOptions(program
    .command('copy-in')
    .description('copy host files or directories into a directory of a disk image, like virt-copy-in')
    .argument('<operands...>', 'LOCALPATH… IMAGE REMOTEDIR (or, with -a, LOCALPATH… REMOTEDIR)'))
    .action(async (operands: string[], flags: DriveFlags) => {
      const { images, rest } = imageAndRest(flags, operands, -2, 2, 'a local path and a guest directory');
      const remoteDir = rest.pop()!;
      await withMountedGuest(images, flags, async (g) => {
        for (const local of rest) await g.copyIn(local, remoteDir);
      }, false);
      if (flags.json) io.out(JSON.stringify({ copied: rest, to: remoteDir }));
    });
}

function addTar(program: Command, io: ShellIo): void {
  const compressHelp = `the archive is compressed: ${TAR_COMPRESSIONS.join(', ')}`;
  addDriveOptions(program
    .command('tar-out')
    .description('pack a directory of a disk image into a tar file (- for standard output), like virt-tar-out')
    .argument('<operands...>', 'IMAGE DIR TARFILE (or, with -a, DIR TARFILE)')
    .option('--compress <type>', compressHelp))
    .action(async (operands: string[], flags: TarFlags) => {
      const compress = compression(flags.compress);
      const { images, rest } = imageAndRest(flags, operands, 0, 2, 'a guest directory and a tar file');
      if (rest.length !== 2) throw usage('tar-out: expected one guest directory and one tar file');
      const [dir, tarfile] = rest as [string, string];
      const options = compress ? { compress } : {};
      await withMountedGuest(images, flags, async (g) => {
        if (tarfile !== '-') return g.tarOut(dir, tarfile, options);
        return withStagedFile(async (staged) => {
          await g.tarOut(dir, staged, options);
          await pipeline(createReadStream(staged), process.stdout, { end: false });
        });
      });
      if (flags.json && tarfile !== '-') io.out(JSON.stringify({ directory: dir, tarfile }));
    });

  addDriveOptions(program
    .command('tar-in')
    .description('unpack a tar file (- for standard input) into a directory of a disk image, like virt-tar-in')
    .argument('<operands...>', 'TARFILE IMAGE DIR (or, with -a, TARFILE DIR)')
    .option('--compress <type>', compressHelp))
    .action(async (operands: string[], flags: TarFlags) => {
      const compress = compression(flags.compress);
      const { images, rest } = imageAndRest(flags, operands, -2, 2, 'a tar file and a guest directory');
      if (rest.length !== 2) throw usage('tar-in: expected one tar file and one guest directory');
      const [tarfile, dir] = rest as [string, string];
      const options = compress ? { compress } : {};
      // Standard input is read whole before the image is opened: a broken pipe changes nothing.
      const unpack = (file: string) => withMountedGuest(images, flags, (g) => g.tarIn(file, dir, options), false);
      if (tarfile === '-') await withStagedFile(async (staged) => {
        await pipeline(process.stdin, createWriteStream(staged));
        await unpack(staged);
      });
      else await unpack(tarfile);
      if (flags.json) io.out(JSON.stringify({ tarfile, directory: dir }));
    });
}

/** Adds `copy-out`, `copy-in`, `tar-out` and `tar-in` to the program. */
export function addCopyTools(program: Command, io: ShellIo): void {
  addCopy(program, io);
  addTar(program, io);
}
