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
  /** Every value blkid printed, decoded, under its `-o export` name (`LABEL`, `PTTYPE`, `PART_ENTRY_NAME`…). */
  raw: Record<string, string>;
}

/**
 * Undoes blkid's udev encoding (`\xNN` for every byte that is not a safe
 * character, the backslash included), giving back the exact UTF-8 value.
 */
export function decodeBlkidValue(value: string): string {
  if (!value.includes('\\x')) return value;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; ) {
    if (value.startsWith('\\x', i) && /^[0-9a-fA-F]{2}$/.test(value.slice(i + 2, i + 4))) {
      bytes.push(parseInt(value.slice(i + 2, i + 4), 16));
      i += 4;
    } else {
      const char = String.fromCodePoint(value.codePointAt(i)!);
      bytes.push(...Buffer.from(char, 'utf8'));
      i += char.length;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The `-o export` name of a `-o udev` key: `ID_FS_LABEL_ENC` → `LABEL`, `ID_PART_TABLE_TYPE` → `PTTYPE`. */
function exportName(key: string): string {
  const name = key.replace(/^ID_(?:FS_|IOLIMIT_)?/, '').replace(/_ENC$/, '');
  return name.startsWith('PART_TABLE_') ? `PT${name.slice('PART_TABLE_'.length)}` : name;
}

/**
 * Parses `blkid -p -o udev` output. udev mode is used because it is the only
 * one that encodes values losslessly (`-o export` backslash-escapes spaces and
 * quotes and turns non-ASCII bytes into ambiguous `M-` sequences), e.g.
 * ```
 * ID_FS_LABEL=Test_Volume
 * ID_FS_LABEL_ENC=Test\x20Volume
 * ID_FS_TYPE=ext4
 * ID_PART_ENTRY_SCHEME=gpt
 * ID_PART_ENTRY_NUMBER=1
 * ```
 * A `*_ENC` value wins over its lossy twin (`ID_FS_LABEL` has `_` for spaces).
 */
export function parseBlkidUdev(text: string): ProbeInfo {
  const raw: Record<string, string> = {};
  const encoded = new Set<string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    const name = exportName(key);
    if (encoded.has(name)) continue;
    if (key.endsWith('_ENC')) encoded.add(name);
    raw[name] = decodeBlkidValue(line.slice(eq + 1));
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
  const { stdout } = await runner.run('blkid', ['-p', '-o', 'udev', '-c', '/dev/null', hostDevice], { okExitCodes: [0, 2] });
  return parseBlkidUdev(stdout);
}
