/** The partition layer: partition nodes of a disk, and its partition table. */
import { readdir, readFile } from 'node:fs/promises';
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

/** Size of a host block device in bytes, from sysfs (512-byte sectors). */
export async function hostDeviceSize(hostPath: string): Promise<number> {
  const base = path.basename(hostPath);
  const partMatch = /^(.*\d)p\d+$/.exec(base);
  const dir = partMatch ? path.join('/sys/block', partMatch[1]!, base) : path.join('/sys/block', base);
  return Number((await readFile(path.join(dir, 'size'), 'utf8')).trim()) * 512;
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
    if ((await hostPartitions(disk.hostPath)).length === 0) {
      await ctx.runner.run('partx', ['-a', disk.hostPath]);
    }
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
  },
};

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
