/** Low-level probing of a block device with `blkid -p` (no cache, no udev). */
import type { Runner } from '../core/exec.js';

/** What blkid found on a device: filesystem, partition table and partition entry facts. */
export interface ProbeInfo {
  /** Content type: `ext4`, `xfs`, `btrfs`, `swap`, `crypto_LUKS`, `LVM2_member`, `linux_raid_member`, … */
  type?: string;
  uuid?: string;
  label?: string;
  /** Partition table type on a whole device: `dos` or `gpt`. */
  ptType?: string;
  /** Partition table UUID (GPT disk GUID, or the MBR disk signature). */
  ptUuid?: string;
  /** Partition entry facts, for a partition. */
  partEntry?: { scheme: string; number: number; uuid?: string; type?: string; name?: string; offsetSectors: number; sizeSectors: number };
  /** Every key blkid printed. */
  raw: Record<string, string>;
}

/**
 * Parses `blkid -p -o export` output, e.g.
 * ```
 * DEVNAME=/dev/loop0p1
 * UUID=0f3c…
 * TYPE=ext4
 * PART_ENTRY_SCHEME=gpt
 * PART_ENTRY_NUMBER=1
 * ```
 */
export function parseBlkidExport(text: string): ProbeInfo {
  const raw: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) raw[line.slice(0, eq)] = line.slice(eq + 1);
  }
  const info: ProbeInfo = { raw };
  if (raw.TYPE) info.type = raw.TYPE;
  if (raw.UUID) info.uuid = raw.UUID;
  if (raw.LABEL) info.label = raw.LABEL;
  if (raw.PTTYPE) info.ptType = raw.PTTYPE;
  if (raw.PTUUID) info.ptUuid = raw.PTUUID;
  if (raw.PART_ENTRY_SCHEME) {
    info.partEntry = {
      scheme: raw.PART_ENTRY_SCHEME,
      number: Number(raw.PART_ENTRY_NUMBER ?? 0),
      offsetSectors: Number(raw.PART_ENTRY_OFFSET ?? 0),
      sizeSectors: Number(raw.PART_ENTRY_SIZE ?? 0),
      ...(raw.PART_ENTRY_UUID ? { uuid: raw.PART_ENTRY_UUID } : {}),
      ...(raw.PART_ENTRY_TYPE ? { type: raw.PART_ENTRY_TYPE } : {}),
      ...(raw.PART_ENTRY_NAME ? { name: raw.PART_ENTRY_NAME } : {}),
    };
  }
  return info;
}

/** Probes a device; a device with nothing recognisable gives `{ raw: {} }`. */
export async function probeDevice(hostDevice: string, runner: Runner): Promise<ProbeInfo> {
  // Exit code 2: nothing found. -c /dev/null: never read or write the host's blkid cache.
  const { stdout } = await runner.run('blkid', ['-p', '-o', 'export', '-c', '/dev/null', hostDevice], { okExitCodes: [0, 2] });
  return parseBlkidExport(stdout);
}
