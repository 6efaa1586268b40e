/** The partition layer: partition nodes of a disk, and its partition table. */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { VmcraftError } from '../core/errors.js';
import type { Runner } from '../core/exec.js';
import { sysfsDir } from '../attach/loop.js';
import { probeDevice } from './blkid.js';
import type { BlockDevice, LayerContext, StorageLayer } from './types.js';

/** Partition node names of a host disk from sysfs (`loop3` → [`loop3p1`, …]), sorted by number. */
export async function hostPartitions(hostDisk: string): Promise<{ node: string; number: number }[]> {
  const base = path.basename(hostDisk);
  const entries = await readdir(sysfsDir(hostDisk));
  const prefix = /\d$/.test(base) ? `${base}p` : base;
  return entries
    .filter((e) => e.startsWith(prefix) && /^\d+$/.test(e.slice(prefix.length)))
    .map((e) => ({ node: `/dev/${e}`, number: Number(e.slice(prefix.length)) }))
    .sort((a, b) => a.number - b.number);
}

/**
 * Size of a host block device in bytes, from sysfs (512-byte sectors), found
 * by its device number: the node's name is not its sysfs name for dm devices
 * (/dev/mapper/vg-root is dm-3).
 */
export async function hostDeviceSize(hostPath: string): Promise<number> {
  const { rdev } = await stat(hostPath);
  // Linux's dev_t encoding (glibc's major()/minor()).
  const major = Math.floor(rdev / 256) & 0xfff;
  const minor = (rdev & 0xff) | (Math.floor(rdev / 4096) & 0xfff00);
  return Number((await readFile(`/sys/dev/block/${major}:${minor}/size`, 'utf8')).trim()) * 512;
}

/** MBR partition types of an extended partition (a container of logical partitions). */
const EXTENDED_TYPES = new Set(['0x5', '0xf', '0x85']);

/** One line of `partx -g -r -o NR,START,SECTORS,TYPE` (512-byte sectors). */
export interface PartxEntry { number: number; start: number; sectors: number; type: string }

/** Parses `partx -g -r -o NR,START,SECTORS,TYPE` output, e.g. `2 8192 24576 0x5`. */
export function parsePartxList(text: string): PartxEntry[] {
  return text.split('\n').filter((l) => l.trim()).map((line) => {
    const [number, start, sectors, type] = line.trim().split(/\s+/);
    return { number: Number(number), start: Number(start), sectors: Number(sectors), type: type ?? '' };
  });
}

/**
 * The partitions to register, as the kernel's own msdos parser would: an
 * extended partition as 2 sectors (room for a boot loader, none for a
 * filesystem), but ending before the next partition, since BLKPG (unlike the
 * kernel's parser) refuses overlaps and a logical partition may start right
 * after its EBR (The Sleuth Kit's test images, some old partitioners).
 */
export function blkpgLayout(entries: readonly PartxEntry[]): PartxEntry[] {
  return entries.map((e) => {
    if (!EXTENDED_TYPES.has(e.type.toLowerCase())) return e;
    const next = Math.min(...entries.filter((o) => o.start > e.start).map((o) => o.start));
    return { ...e, sectors: Math.max(1, Math.min(2, e.sectors, next - e.start)) };
  });
}

/**
 * Adds the partition nodes of a disk with `partx -a`; when the kernel refuses
 * one (an overlap), drops them and adds each with `addpart` in the
 * {@link blkpgLayout}, warning about any the kernel still refuses.
 */
async function addPartitionNodes(disk: BlockDevice, ctx: LayerContext): Promise<void> {
  try {
    await ctx.runner.run('partx', ['-a', disk.hostPath]);
    return;
  } catch (err) {
    if (!(err instanceof VmcraftError && err.code === 'ECOMMAND')) throw err;
  }
  if ((await hostPartitions(disk.hostPath)).length > 0) await ctx.runner.run('partx', ['-d', disk.hostPath]);
  const entries = parsePartxList((await ctx.runner.run('partx', ['-g', '-r', '-o', 'NR,START,SECTORS,TYPE', disk.hostPath])).stdout);
  for (const e of blkpgLayout(entries)) await addNode(disk, e, ctx);
}

/** Adds one partition node with `addpart` (BLKPG), warning when the kernel refuses it (an overlap). */
async function addNode(disk: BlockDevice, e: PartxEntry, ctx: LayerContext): Promise<void> {
  try {
    await ctx.runner.run('addpart', [disk.hostPath, String(e.number), String(e.start), String(e.sectors)]);
  } catch (err) {
    if (!(err instanceof VmcraftError && err.code === 'ECOMMAND')) throw err;
    ctx.warn(`${disk.name}${e.number} (sectors ${e.start}-${e.start + e.sectors - 1}) overlaps another partition: the kernel refuses it, so it is not available`);
  }
}

/** The partition layer: any disk with a partition table. */
export const partitionLayer: StorageLayer = {
  name: 'partitions',
  detect: (device) => (device.kind === 'disk' || device.kind === 'md') && device.probe.ptType !== undefined,
  async activate(disk: BlockDevice, ctx: LayerContext): Promise<BlockDevice[]> {
    // The kernel may not parse partition tables itself (HOST.md): partx adds the nodes with BLKPG.
    // Nodes already there on a freshly attached loop device were left by its previous user (BLKPG
    // partitions outlive a detach): drop them first, or this disk would show that disk's partitions.
    if (disk.kind === 'disk' && disk.hostPath.startsWith('/dev/loop') && (await hostPartitions(disk.hostPath)).length > 0) {
      await ctx.runner.run('partx', ['-d', disk.hostPath]);
    }
    if ((await hostPartitions(disk.hostPath)).length === 0) await addPartitionNodes(disk, ctx);
    return partitionDevices(disk, ctx);
  },
};

/** The partitions the kernel has for a disk now, probed, under their session names. */
async function partitionDevices(disk: BlockDevice, ctx: LayerContext): Promise<BlockDevice[]> {
  const parts = await hostPartitions(disk.hostPath);
  return Promise.all(
      parts.map(async (p) => ({
        name: `${disk.name}${p.number}`,
        hostPath: p.node,
        kind: 'partition' as const,
        drive: disk.drive,
        partNumber: p.number,
        parent: disk.name,
        probe: await probeDevice(p.node, ctx.runner),
      })),
  );
}

/** Start and size (512-byte sectors) of the kernel's partition node `node`, from sysfs. */
async function nodeExtent(node: string): Promise<{ start: number; sectors: number }> {
  const dir = path.join('/sys/class/block', path.basename(node));
  const [start, sectors] = await Promise.all(['start', 'size'].map(async (f) => Number((await readFile(path.join(dir, f), 'utf8')).trim())));
  return { start: start!, sectors: sectors! };
}

/**
 * After the partition table of `disk` (now `table`) was changed: the
 * kernel's partition nodes follow it with BLKPG, one by one (partx -u works
 * in number order, so a renumbered logical partition would overlap its own
 * old node): nodes that moved or went are deleted, nodes that only changed
 * size are resized, new ones added. The partitions come back probed again.
 */
export async function refreshPartitionNodes(disk: BlockDevice, table: PartitionTable, ctx: LayerContext): Promise<BlockDevice[]> {
  const scale = table.sectorSize / 512;
  const want = blkpgLayout(table.partitions.map((p) => ({ number: p.number, start: p.start * scale, sectors: p.size * scale, type: table.type === 'msdos' ? `0x${p.type.toLowerCase()}` : p.type })));
  const kept = new Map<number, number>();
  for (const node of await hostPartitions(disk.hostPath)) {
    const have = await nodeExtent(node.node);
    const wanted = want.find((e) => e.number === node.number);
    if (wanted && wanted.start === have.start) kept.set(node.number, have.sectors);
    else await ctx.runner.run('delpart', [disk.hostPath, String(node.number)]);
  }
  for (const e of want) {
    const sectors = kept.get(e.number);
    if (sectors === undefined) await addNode(disk, e, ctx);
    else if (sectors !== e.sectors) await ctx.runner.run('resizepart', [disk.hostPath, String(e.number), String(e.sectors)]);
  }
  return partitionDevices(disk, ctx);
}

/** One entry of a partition table. */
export interface PartitionEntry {
  /** Partition number (1-based). */
  number: number;
  /** First sector (512-byte units, or the table's sector size). */
  start: number;
  /** Size in sectors. */
  size: number;
  /** GPT type GUID (upper case) or MBR type id as hex (`83`). */
  type: string;
  /** GPT partition GUID (upper case). */
  uuid?: string;
  /** GPT partition name. */
  name?: string;
  /** MBR boot flag. */
  bootable: boolean;
}

/** A partition table as sfdisk reads it. */
export interface PartitionTable {
  /** `msdos` or `gpt` (libguestfs names: sfdisk says `dos`). */
  type: 'msdos' | 'gpt';
  /** Disk GUID (GPT) or disk identifier (MBR, `0x…`). */
  id: string;
  sectorSize: number;
  partitions: PartitionEntry[];
}

interface SfdiskJson {
  partitiontable: {
    label: string;
    id: string;
    sectorsize?: number;
    partitions?: { node: string; start: number; size: number; type: string; uuid?: string; name?: string; bootable?: boolean }[];
  };
}

/**
 * Parses `sfdisk --json` output, e.g.
 * `{"partitiontable":{"label":"gpt","id":"AD57…","device":"/dev/loop0","unit":"sectors",
 *   "sectorsize":512,"partitions":[{"node":"/dev/loop0p1","start":2048,"size":40960,
 *   "type":"0FC63DAF-8483-4772-8E79-3D69D8477DE4","uuid":"EF95…","name":"root"}]}}`
 */
export function parseSfdiskJson(text: string): PartitionTable {
  const table = (JSON.parse(text) as SfdiskJson).partitiontable;
  const type = table.label === 'gpt' ? 'gpt' : table.label === 'dos' ? 'msdos' : undefined;
  if (!type) throw new VmcraftError('EUNSUPPORTED', `unsupported partition table type ${table.label}`);
  return {
    type,
    id: table.id,
    sectorSize: table.sectorsize ?? 512,
    partitions: (table.partitions ?? []).map((p) => ({
      number: Number(/(\d+)$/.exec(p.node)?.[1] ?? 0),
      start: p.start,
      size: p.size,
      type: p.type.toUpperCase(),
      bootable: p.bootable === true,
      ...(p.uuid ? { uuid: p.uuid.toUpperCase() } : {}),
      ...(p.name ? { name: p.name } : {}),
    })),
  };
}

/** Reads the partition table of a host disk; EINVAL when it has none. */
export async function readPartitionTable(hostDisk: string, sessionName: string, runner: Runner): Promise<PartitionTable> {
  try {
    const { stdout } = await runner.run('sfdisk', ['--json', hostDisk]);
    return parseSfdiskJson(stdout);
  } catch (err) {
    if (err instanceof VmcraftError && err.code === 'ECOMMAND') {
      throw new VmcraftError('EINVAL', `${sessionName} has no partition table`, { cause: err });
    }
    throw err;
  }
}
