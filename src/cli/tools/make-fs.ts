/**
 * `make-fs` (virt-make-fs): a new disk image holding a filesystem made from a host directory or
 * tar file, sized to fit the content unless --size says. Made of the table's calls: diskCreate,
 * partDisk, mkfs, then copyIn (a directory's entries) or tarIn (a tarball).
 */
import { readdir, lstat, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { GuestFS } from '../../guestfs.js';
import type { TarCompression } from '../../fs/files/tar.js';
import type { ShellIo } from '../shell.js';
import { addModeOptions } from '../mode.js';
import { usage, withTool, type DriveFlags } from './session.js';
import { withByteProgress, type ByteGauge } from './progress.js';

const MiB = 2 ** 20;
const UNITS: Record<string, number> = { '': 1, b: 1, k: 2 ** 10, m: MiB, g: 2 ** 30, t: 2 ** 40 };

/** `100M`, `+20M`, `1G` → bytes and whether it adds to the content's size (virt-make-fs --size). */
export function parseSize(text: string): { bytes: number; extra: boolean } {
  const m = /^(\+?)(\d+)([bkmgt]?)$/i.exec(text);
  if (!m) throw usage(`make-fs: --size: expected N or +N with an optional K, M, G or T suffix, got ${text}`);
  return { bytes: Number(m[2]) * UNITS[m[3]!.toLowerCase()]!, extra: m[1] === '+' };
}

/** Bytes a host tree takes, counting a block for every entry (what a filesystem needs for it). */
async function treeSize(file: string): Promise<number> {
  const info = await lstat(file);
  if (!info.isDirectory()) return info.size + 4096;
  let total = 4096;
  for (const name of await readdir(file)) total += await treeSize(path.join(file, name));
  return total;
}

/** How a tarball is compressed, by its name (virt-make-fs asks file(1); the name is what users give). */
function tarCompression(file: string): TarCompression | undefined {
  const table: [RegExp, TarCompression][] = [[/\.(tgz|tar\.gz)$/i, 'gzip'], [/\.(txz|tar\.xz)$/i, 'xz'], [/\.(tbz2?|tar\.bz2)$/i, 'bzip2'], [/\.tar\.zst$/i, 'zstd']];
  return table.find(([re]) => re.test(file))?.[1];
}

/** How far filling the new filesystem is: its used bytes (statvfs) grown since it was empty, against `content` (else its free space). */
async function filledGauge(g: GuestFS, content: number | undefined): Promise<ByteGauge> {
  const used = async () => { const s = await g.statvfs('/'); return (s.blocks - s.bfree) * s.bsize; };
  const before = await used();
  const { bavail, bsize } = await g.statvfs('/');
  return { total: content ?? bavail * bsize, done: async () => (await used()) - before };
}

interface MakeFsFlags extends Omit<DriveFlags, 'add' | 'key' | 'format'> { format?: string; type: string; size?: string; partition?: string | true; label?: string }

/** The image's size: the content's with room for the filesystem's own structures, unless --size says. */
function imageSize(content: number, flags: MakeFsFlags, partitioned: boolean): number {
  const asked = flags.size === undefined ? undefined : parseSize(flags.size);
  if (asked && !asked.extra) return asked.bytes;
  // Metadata and journal grow with the content; a small filesystem still needs a journal and inode tables.
  const base = content + Math.ceil(content / 5) + 16 * MiB + (asked?.bytes ?? 0) + (partitioned ? 2 * MiB : 0);
  return Math.ceil(base / MiB) * MiB;
}

/** Adds `make-fs` to the program. */
export function addMakeFs(program: Command, io: ShellIo): void {
  addModeOptions(program
    .command('make-fs')
    .description('make a disk image holding a filesystem with the content of a host directory or tar file, like virt-make-fs')
    .argument('<input>', 'a host directory, or a tar file (.tar, .tar.gz, .tar.xz, .tar.bz2, .tar.zst)')
    .argument('<output>', 'the new disk image')
    .option('-t, --type <fstype>', 'filesystem type', 'ext2')
    .option('-s, --size <size>', 'image size: N (exactly), +N (the content plus N); K, M, G suffixes')
    .option('--partition [type]', 'partition the disk first: mbr (the default) or gpt')
    .option('--label <label>', 'filesystem label')
    .option('-F, --format <format>', 'output image format: raw (the default) or qcow2')
    .option('--json', 'print JSON'))
    .action(async (input: string, output: string, flags: MakeFsFlags) => {
      const format = flags.format ?? 'raw';
      if (format !== 'raw' && format !== 'qcow2') throw usage(`make-fs: --format: raw or qcow2, got ${format}`);
      const parttype = flags.partition === undefined ? undefined : flags.partition === true ? 'mbr' : flags.partition;
      if (parttype !== undefined && parttype !== 'mbr' && parttype !== 'gpt') throw usage(`make-fs: --partition: mbr or gpt, got ${parttype}`);
      if (flags.size !== undefined) parseSize(flags.size);
      const inputStat = await stat(input).catch(() => undefined);
      if (!inputStat) throw usage(`make-fs: ${input}: no such file or directory`);
      if (await stat(output).catch(() => undefined)) throw usage(`make-fs: ${output} exists: make-fs makes a new image`);
      const compress = inputStat.isDirectory() ? undefined : tarCompression(input);
      if (compress && (flags.size === undefined || parseSize(flags.size).extra)) throw usage('make-fs: a compressed tar file needs --size N (its unpacked size is not known ahead)');
      const content = inputStat.isDirectory() ? await treeSize(input) : inputStat.size;
      const size = imageSize(content, flags, parttype !== undefined);
      await new GuestFS().diskCreate(output, format, size);
      // A half-made image is removed, as virt-make-fs does: the output is there only when it is whole.
      const device = await withTool([{ path: output, format }], { key: [] }, async (g) => {
        const disk = g.listDevices()[0]!;
        if (parttype) await g.partDisk(disk, parttype);
        const target = parttype ? g.listPartitions()[0]! : disk;
        await g.mkfs(flags.type, target, flags.label ? { label: flags.label } : {});
        await g.mount(target, '/');
        const fill = async () => {
          if (!inputStat.isDirectory()) await g.tarIn(input, '/', compress ? { compress } : {});
          else for (const name of await readdir(input)) await g.copyIn(path.join(input, name), '/');
        };
        // A compressed tarball's unpacked size is not known: the bar goes to the filesystem's free space then.
        await withByteProgress('copying', () => filledGauge(g, compress ? undefined : content), flags.json, fill);
        return target;
      }, false).catch(async (err: unknown) => {
        await rm(output, { force: true });
        throw err;
      });
      if (flags.json) io.out(JSON.stringify({ output, format, size, type: flags.type, device }));
    });
}
