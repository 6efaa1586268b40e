/**
 * The read-only small tools: `ls` (virt-ls), `cat` (virt-cat), `df` (virt-df) and
 * `filesystems` (virt-filesystems). Each opens its images read-only, prints the
 * libguestfs tool's own lines (or JSON with --json) and leaves the images as they were.
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { GuestFS } from '../../guestfs.js';
import type { ChecksumAlgorithm } from '../../fs/files/types.js';
import type { ShellIo } from '../shell.js';
import { addDriveOptions, allDrives, eachFilesystem, splitOperands, usage, withMountedGuest, withTool, type DriveFlags } from './session.js';
import { dfLines, lsLine, tableLines, humanSize, type DfRow, type LsEntry } from './format.js';

const CHECKSUMS: readonly ChecksumAlgorithm[] = ['crc', 'md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];

interface LsFlags extends DriveFlags { long?: boolean; recursive?: boolean; checksums?: string | true; timeDays?: boolean; csv?: boolean; human?: boolean }

/** `dir` + `name` as virt-ls joins them (no doubled slash under `/`). */
function fullPath(dir: string, name: string): string {
  return dir.endsWith('/') ? `${dir}${name}` : `${dir}/${name}`;
}

/** One entry with what -lR shows of it: the checksum of a regular file, the target of a symlink. */
async function lsEntry(g: GuestFS, guestPath: string, checksum: ChecksumAlgorithm | undefined): Promise<LsEntry> {
  const stat = await g.lstat(guestPath);
  return {
    path: guestPath,
    stat,
    ...(checksum && stat.type === 'file' ? { checksum: await g.checksum(checksum, guestPath) } : {}),
    ...(stat.type === 'symlink' ? { link: await g.readlink(guestPath) } : {}),
  };
}

/**
 * virt-ls's visit order: the directory itself, then its entries (sorted), then each
 * subdirectory's in turn. Symlinks are listed, never followed.
 */
async function* visit(g: GuestFS, dir: string, checksum: ChecksumAlgorithm | undefined, self = true): AsyncGenerator<LsEntry> {
  if (self) yield await lsEntry(g, dir, checksum);
  const entries: LsEntry[] = [];
  for (const name of (await g.ls(dir)).sort()) entries.push(await lsEntry(g, fullPath(dir, name), checksum));
  yield* entries;
  for (const entry of entries) if (entry.stat.type === 'directory') yield* visit(g, entry.path, checksum, false);
}

/** The JSON of an entry: stat fields by name, times as ISO strings. */
function entryJson(entry: LsEntry): Record<string, unknown> {
  const { stat } = entry;
  return { path: entry.path, type: stat.type, perms: stat.perms, size: stat.size, uid: stat.uid, gid: stat.gid, mtime: stat.mtime.toISOString(), ...(entry.checksum !== undefined ? { checksum: entry.checksum } : {}), ...(entry.link !== undefined ? { link: entry.link } : {}) };
}

function checksumOf(flags: LsFlags): ChecksumAlgorithm | undefined {
  if (flags.checksums === undefined) return undefined;
  const name = flags.checksums === true ? 'md5' : flags.checksums.toLowerCase();
  if (!(CHECKSUMS as readonly string[]).includes(name)) throw usage(`--checksums: unknown checksum type ${name} (known: ${CHECKSUMS.join(', ')})`);
  return name as ChecksumAlgorithm;
}

async function lsDir(g: GuestFS, dir: string, flags: LsFlags, io: ShellIo, checksum: ChecksumAlgorithm | undefined): Promise<unknown> {
  if (flags.long && flags.recursive) {
    const lines: unknown[] = [];
    for await (const entry of visit(g, dir, checksum)) {
      if (flags.json) lines.push(entryJson(entry));
      else io.out(lsLine(entry, { csv: flags.csv ?? false, human: flags.human ?? false, checksums: checksum !== undefined, timeDays: flags.timeDays ?? false }));
    }
    return lines;
  }
  if (flags.long) {
    if (flags.json) return Promise.all((await g.ls(dir)).sort().map(async (name) => entryJson(await lsEntry(g, fullPath(dir, name), undefined))));
    process.stdout.write(await g.ll(dir));
    return undefined;
  }
  const names = flags.recursive ? await g.find(dir) : await g.ls(dir);
  if (!flags.json) for (const name of names) io.out(name);
  return names;
}

function addLs(program: Command, io: ShellIo): void {
  addDriveOptions(program
    .command('ls')
    .description('list files in a directory of a disk image, like virt-ls')
    .argument('<operands...>', 'IMAGE… DIR… (images first when no -a is given; then the last operand is the directory)')
    .option('-l, --long', 'long listing (ls -la; with -R: one line per file: type, mode, size, path)')
    .option('-R, --recursive', 'recursive listing')
    .option('--checksums [type]', 'with -lR: the checksum of every regular file (md5 unless a type is given: crc, sha1, sha256…)')
    .option('--time-days', 'with -lR: days since the last access, modification and change')
    .option('--csv', 'with -lR: comma-separated values')
    .option('-h, --human-readable', 'with -lR: sizes like 4.0K, 12M'))
    .action(async (operands: string[], flags: LsFlags & { humanReadable?: boolean }) => {
      const opts = { ...flags, human: flags.humanReadable ?? false };
      const lR = opts.long && opts.recursive;
      if (!lR && (opts.csv || opts.human || opts.timeDays || opts.checksums !== undefined)) throw usage('ls: --csv, -h, --time-days and --checksums can only be combined with -lR');
      if (opts.csv && opts.human) throw usage('ls: you cannot use -h and --csv together');
      const checksum = checksumOf(opts);
      const { images, rest: dirs } = splitOperands(opts, operands, 1, 'a directory');
      const results = await withMountedGuest(images, opts, async (g) => {
        const out: Record<string, unknown> = {};
        for (const dir of dirs) out[dir] = await lsDir(g, dir, opts, io, checksum);
        return out;
      });
      if (opts.json) io.out(JSON.stringify(dirs.length === 1 ? results[dirs[0]!] : results, null, 2));
    });
}

function addCat(program: Command, io: ShellIo): void {
  addDriveOptions(program
    .command('cat')
    .description('print files of a disk image, like virt-cat')
    .argument('<operands...>', 'IMAGE… FILE (images first when no -a is given; then the last operand is the file) or, with -a, FILE…'))
    .action(async (operands: string[], flags: DriveFlags) => {
      const { images, rest: files } = splitOperands(flags, operands, 1, 'a file');
      await withMountedGuest(images, flags, async (g) => {
        const json: Record<string, string> = {};
        for (const file of files) {
          const content = await g.read(file);
          if (flags.json) json[file] = content.toString('utf8');
          else process.stdout.write(content);
        }
        if (flags.json) io.out(JSON.stringify(json, null, 2));
      });
    });
}

interface DfFlags extends DriveFlags { humanReadable?: boolean; inodes?: boolean; csv?: boolean }

/** Every mountable filesystem's statvfs, each mounted read-only at / in turn (as virt-df does). */
async function dfRows(g: GuestFS, name: string): Promise<DfRow[]> {
  return eachFilesystem(g, async (device) => {
    const { type: _magic, ...stat } = await g.statvfs('/');
    return { name, device, ...stat };
  }, { readonly: true, skipUnmountable: true });
}

function addDf(program: Command, io: ShellIo): void {
  addDriveOptions(program
    .command('df')
    .description('free space on the filesystems of disk images, like virt-df')
    .argument('[images...]', 'disk images (drives of one guest)')
    .option('-h, --human-readable', 'sizes like 4.0K, 12G')
    .option('-i, --inodes', 'inodes instead of blocks')
    .option('--csv', 'comma-separated values'))
    .action(async (operands: string[], flags: DfFlags) => {
      const images = allDrives(flags, operands);
      if (images.length === 0) throw usage('df: expected a disk image (-a IMAGE or IMAGE operand)');
      if (flags.csv && flags.humanReadable) throw usage('df: you cannot use -h and --csv together');
      // virt-df names a guest given by -a after its first disk's file name.
      const name = `${path.basename(images[0]!.path)}${images.length > 1 ? '+' : ''}`;
      const rows = await withTool(images, flags, (g) => dfRows(g, name));
      if (flags.json) io.out(JSON.stringify(rows.map(({ name: _n, ...row }) => row), null, 2));
      else for (const line of dfLines(rows, { human: flags.humanReadable ?? false, inodes: flags.inodes ?? false, csv: flags.csv ?? false })) io.out(line);
    });
}

interface FsFlags extends DriveFlags { long?: boolean; all?: boolean; csv?: boolean; extra?: boolean; filesystems?: boolean; partitions?: boolean; lvs?: boolean; devices?: boolean; humanReadable?: boolean }

/** One row of virt-filesystems --long. */
interface FsRow { name: string; type: string; vfs?: string; label?: string; size: number; parent?: string }

async function fsRows(g: GuestFS, flags: FsFlags): Promise<FsRow[]> {
  const any = flags.filesystems || flags.partitions || flags.lvs || flags.devices;
  const want = (kind: boolean | undefined) => flags.all || kind;
  const rows: FsRow[] = [];
  if (want(flags.filesystems) || !any) {
    for (const { device, vfsType } of g.listFilesystems()) {
      if (!flags.extra && !flags.all && (vfsType === 'swap' || vfsType === 'unknown')) continue;
      rows.push({ name: device, type: 'filesystem', vfs: vfsType, label: vfsType === 'unknown' ? '' : g.vfsLabel(device), size: await g.blockdevGetSize64(device) });
    }
  }
  if (want(flags.partitions)) for (const p of g.listPartitions()) rows.push({ name: p, type: 'partition', size: await g.blockdevGetSize64(p), parent: g.partToDev(p) });
  if (want(flags.lvs)) for (const lv of g.lvs()) rows.push({ name: lv, type: 'lv', size: await g.blockdevGetSize64(lv) });
  if (want(flags.devices)) for (const d of g.listDevices()) rows.push({ name: d, type: 'device', size: await g.blockdevGetSize64(d) });
  return rows;
}

function addFilesystems(program: Command, io: ShellIo): void {
  addDriveOptions(program
    .command('filesystems')
    .description('list the filesystems, partitions, logical volumes and devices of disk images, like virt-filesystems')
    .argument('[images...]', 'disk images (drives of one guest)')
    .option('-l, --long', 'columns: Name, Type, VFS, Label, Size, Parent')
    .option('--all', 'everything: filesystems (swap and unknown too), partitions, LVs and devices')
    .option('--csv', 'with --long: comma-separated values')
    .option('--extra', 'with the filesystems: swap and unknown content too')
    .option('--filesystems', 'filesystems (the default)')
    .option('--partitions', 'partitions')
    .option('--lvs', 'LVM logical volumes')
    .option('--devices', 'block devices (whole disks)')
    .option('-h, --human-readable', 'with --long: sizes like 4.0K, 12G'))
    .action(async (operands: string[], flags: FsFlags) => {
      const images = allDrives(flags, operands);
      if (images.length === 0) throw usage('filesystems: expected a disk image (-a IMAGE or IMAGE operand)');
      if (flags.csv && flags.humanReadable) throw usage('filesystems: you cannot use -h and --csv together');
      const rows = await withTool(images, flags, (g) => fsRows(g, flags));
      if (flags.json) return io.out(JSON.stringify(rows, null, 2));
      if (!flags.long) return rows.forEach((r) => io.out(r.name));
      const showFs = rows.some((r) => r.type === 'filesystem');
      const cells = (r: FsRow) => [r.name, r.type, ...(showFs ? [r.vfs ?? '-', r.label || '-'] : []), flags.humanReadable ? humanSize(r.size) : String(r.size), r.parent ?? '-'];
      const head = ['Name', 'Type', ...(showFs ? ['VFS', 'Label'] : []), 'Size', 'Parent'];
      for (const line of tableLines([head, ...rows.map(cells)], flags.csv)) io.out(line);
    });
}

/** Adds `ls`, `cat`, `df` and `filesystems` to the program. */
export function addReadTools(program: Command, io: ShellIo): void {
  addLs(program, io);
  addCat(program, io);
  addDf(program, io);
  addFilesystems(program, io);
}
