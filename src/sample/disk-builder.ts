/**
 * Builds a partitioned disk image from directory trees without mounting
 * anything: each filesystem is made from its tree (`mkfs.ext4 -d`,
 * `mkfs.btrfs --rootdir`), then copied into place in a raw disk whose table
 * sfdisk writes, and the raw disk is converted to the wanted format.
 */
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Runner } from '../core/exec.js';
import { VmcraftError } from '../core/errors.js';
import { probeHost } from '../core/probe.js';
import { detachLoop, diskSeq } from '../attach/loop.js';
import { unmountFilesystem } from '../fs/mount.js';

/** One partition (or the whole disk, with `table: 'none'`) of a disk to build. */
export interface PartitionSpec {
  /** Size in MiB. */
  sizeMiB: number;
  /** Filesystem to make from `tree` (xfs, ntfs and exfat have no "from a directory" option: they are filled through a short loop mount). */
  fs: 'ext4' | 'ext2' | 'btrfs' | 'xfs' | 'ntfs' | 'vfat' | 'exfat';
  /** Directory whose content fills the filesystem. */
  tree: string;
  label?: string;
  /** Filesystem UUID (random when not given). */
  uuid?: string;
  /** GPT partition name. */
  name?: string;
  /** GPT partition GUID (random when not given). */
  partUuid?: string;
  /** MBR boot flag. */
  bootable?: boolean;
}

/** What to build. */
export interface DiskSpec {
  table: 'dos' | 'gpt' | 'none';
  partitions: PartitionSpec[];
  /** Output path; its format is `format`. */
  output: string;
  format: 'raw' | 'qcow2' | 'vmdk' | 'vhdx' | 'vdi' | 'vpc';
}

const MIB = 1024 * 1024;
const FIRST_MIB = 1;

function mkfsArgs(p: PartitionSpec, image: string): [string, string[]] {
  const label = p.label ? ['-L', p.label] : [];
  const uuid = p.uuid ? ['-U', p.uuid] : [];
  if (p.fs === 'btrfs') return ['mkfs.btrfs', ['-q', '-f', ...label, ...uuid, '--rootdir', p.tree, image]];
  if (p.fs === 'xfs') return ['mkfs.xfs', ['-q', '-f', ...label, ...(p.uuid ? ['-m', `uuid=${p.uuid}`] : []), image]];
  if (p.fs === 'ntfs') return ['mkntfs', ['-q', '-F', '-f', ...label, image]];
  if (p.fs === 'vfat') return ['mkfs.vfat', [...(p.label ? ['-n', p.label] : []), image]];
  if (p.fs === 'exfat') return ['mkfs.exfat', [...label, image]];
  return [`mkfs.${p.fs}`, ['-q', '-F', ...label, ...uuid, '-d', p.tree, image]];
}

/** Copies a tree into a filesystem image through a loop mount that is always undone. */
async function fillThroughMount(image: string, tree: string, work: string, runner: Runner, fs: string): Promise<void> {
  const mnt = path.join(work, 'mnt');
  await mkdir(mnt, { recursive: true });
  const { stdout } = await runner.run('losetup', ['--find', '--show', image]);
  const loop = stdout.trim();
  const seq = await diskSeq(loop);
  try {
    const type = fs === 'ntfs' ? 'ntfs-3g' : fs === 'exfat' && !(await probeHost()).kernelFilesystems.includes('exfat') ? 'exfat-fuse' : fs;
    await runner.run('mount', ['-t', type, loop, mnt]);
    try {
      // NTFS and exFAT have no Unix owners or modes to keep.
      await runner.run('cp', [fs === 'ntfs' || fs === 'exfat' ? '-r' : '-a', `${tree}/.`, mnt]);
    } finally {
      // A FUSE daemon (ntfs-3g, exfat-fuse) is still writing when umount returns: wait for it, or the copy below misses its last writes.
      await unmountFilesystem(mnt, runner);
    }
  } finally {
    await detachLoop(loop, runner, seq);
  }
}

async function sparseFile(file: string, bytes: number): Promise<void> {
  await writeFile(file, '');
  await truncate(file, bytes);
}

/** The sfdisk script that lays out `partitions` one after the other from 1 MiB. */
export function sfdiskScript(table: 'dos' | 'gpt', partitions: PartitionSpec[]): string {
  let startMiB = FIRST_MIB;
  const lines = [`label: ${table}`, 'unit: sectors'];
  for (const p of partitions) {
    const fields = [`start=${startMiB * 2048}`, `size=${p.sizeMiB * 2048}`, `type=${table === 'gpt' ? '0FC63DAF-8483-4772-8E79-3D69D8477DE4' : '83'}`];
    if (p.partUuid && table === 'gpt') fields.push(`uuid=${p.partUuid}`);
    if (p.name && table === 'gpt') fields.push(`name="${p.name}"`);
    if (p.bootable && table === 'dos') fields.push('bootable');
    lines.push(fields.join(', '));
    startMiB += p.sizeMiB;
  }
  return `${lines.join('\n')}\n`;
}

/** Builds the disk; nothing is mounted and the temp directory is always removed. */
export async function buildDiskImage(spec: DiskSpec, runner: Runner): Promise<void> {
  if (spec.table === 'none' && spec.partitions.length !== 1) {
    throw new VmcraftError('EINVAL', 'a disk without a partition table holds exactly one filesystem');
  }
  const work = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-build-'));
  try {
    const raw = spec.format === 'raw' ? spec.output : path.join(work, 'disk.raw');
    const total = spec.partitions.reduce((n, p) => n + p.sizeMiB, 0) + (spec.table === 'none' ? 0 : FIRST_MIB + 1);
    await sparseFile(raw, total * MIB);
    if (spec.table !== 'none') await runner.run('sfdisk', ['-q', raw], { input: sfdiskScript(spec.table, spec.partitions) });
    let offsetMiB = spec.table === 'none' ? 0 : FIRST_MIB;
    for (const [i, p] of spec.partitions.entries()) {
      const image = path.join(work, `part${i}.img`);
      await sparseFile(image, p.sizeMiB * MIB);
      const [tool, args] = mkfsArgs(p, image);
      await runner.run(tool, args);
      if (p.fs === 'xfs' || p.fs === 'ntfs' || p.fs === 'exfat') await fillThroughMount(image, p.tree, work, runner, p.fs);
      // FAT is filled with mtools: no mount needed (and this kernel may have no vfat).
      if (p.fs === 'vfat') await runner.run('sh', ['-c', 'cd "$1" && [ -z "$(ls -A)" ] || mcopy -s -i "$2" ./* ::', 'mcopy', p.tree, image]);
      await runner.run('dd', [`if=${image}`, `of=${raw}`, 'bs=1M', `seek=${offsetMiB}`, 'conv=notrunc,sparse', 'status=none']);
      await rm(image);
      offsetMiB += p.sizeMiB;
    }
    if (spec.format !== 'raw') {
      await runner.run('qemu-img', ['convert', '-f', 'raw', '-O', spec.format, raw, spec.output]);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
