/**
 * Changing a disk's partition table with sfdisk, with libguestfs' `part_*` semantics: sectors are the
 * device's, an end sector is inclusive and a negative one counts from the
 * end of the disk (-1 is the last sector). The kernel is never asked to
 * re-read the table here (that would drop the BLKPG partitions of this
 * host): {@link refreshPartitionNodes} updates it afterwards.
 */
import { VmcraftError } from '../core/errors.js';
import type { Runner } from '../core/exec.js';
import { hostDeviceSize, type PartitionTable } from './partitions.js';

/** libguestfs' part_init types vmcraft makes, with what sfdisk calls them. */
const LABELS: Record<string, 'dos' | 'gpt'> = { msdos: 'dos', mbr: 'dos', gpt: 'gpt', efi: 'gpt' };
/** libguestfs' part_add kinds. */
const KINDS: Record<string, 'primary' | 'logical' | 'extended'> = { p: 'primary', primary: 'primary', l: 'logical', logical: 'logical', e: 'extended', extended: 'extended' };
const EXTENDED = new Set(['5', 'F', '85']);
const GUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

/** Options every writing sfdisk run gets: no re-read by the kernel, no questions. */
const WRITE = ['--no-reread', '--no-tell-kernel', '-q'];

/** The sfdisk label of a libguestfs partition table type; EINVAL for one vmcraft does not make. */
export function sfdiskLabel(parttype: string): 'dos' | 'gpt' {
  const label = LABELS[parttype];
  if (!label) throw new VmcraftError('EINVAL', `unknown partition table type ${JSON.stringify(parttype)}: one of ${Object.keys(LABELS).join(', ')}`);
  return label;
}

/** A libguestfs part_add kind (`p`, `primary`, `l`…) by its long name; EINVAL otherwise. */
export function partKind(prlogex: string): 'primary' | 'logical' | 'extended' {
  const kind = KINDS[prlogex];
  if (!kind) throw new VmcraftError('EINVAL', `unknown partition type ${JSON.stringify(prlogex)}: this should be "primary", "logical" or "extended"`);
  return kind;
}

/** A GPT GUID, checked. */
export function checkGuid(guid: string): string {
  if (!GUID.test(guid)) throw new VmcraftError('EINVAL', `${JSON.stringify(guid)} is not a GUID (8-4-4-4-12 hex digits)`);
  return guid.toUpperCase();
}

/** The sector an end sector means: inclusive; negative counts back from the end of a disk of `total` sectors. */
export function endSector(endsect: number, total: number): number {
  return endsect < 0 ? total + endsect : endsect;
}

/**
 * The sfdisk line that adds a partition from `start` to `end` (inclusive) of
 * `kind` to `table`, after checking that the kind fits where it goes: a
 * logical partition inside the extended one, a primary or extended one
 * outside it (sfdisk decides from the position alone).
 */
export function addLine(table: PartitionTable, kind: 'primary' | 'logical' | 'extended', start: number, end: number): string {
  if (start < 0) throw new VmcraftError('EINVAL', 'startsect cannot be negative');
  if (end < start) throw new VmcraftError('EINVAL', `the end sector ${end} is before the start sector ${start}`);
  const size = end - start + 1;
  if (table.type === 'gpt') return `start=${start}, size=${size}\n`;
  const extended = table.partitions.find((p) => EXTENDED.has(p.type));
  const inside = extended !== undefined && start >= extended.start && end < extended.start + extended.size;
  if (kind === 'logical' && !inside) throw new VmcraftError('EINVAL', `a logical partition must lie inside the extended partition${extended ? ` (sectors ${extended.start}-${extended.start + extended.size - 1})` : ', and there is none'}`);
  if (kind !== 'logical' && inside) throw new VmcraftError('EINVAL', `a ${kind} partition cannot lie inside the extended partition`);
  if (kind === 'extended' && extended) throw new VmcraftError('EINVAL', 'the disk already has an extended partition');
  return `start=${start}, size=${size}${kind === 'extended' ? ', type=5' : ''}\n`;
}

/** The entry of partition `partnum`; ENOENT when the table has none. */
export function entryOf(table: PartitionTable, device: string, partnum: number) {
  if (partnum <= 0) throw new VmcraftError('EINVAL', 'partition number must be >= 1');
  const entry = table.partitions.find((p) => p.number === partnum);
  if (!entry) throw new VmcraftError('ENOENT', `${device} has no partition ${partnum}`);
  return entry;
}

/** Requires a table of the type a call works on. */
export function requireTable(table: PartitionTable, device: string, want: 'gpt' | 'msdos', call: string): void {
  if (table.type !== want) throw new VmcraftError('EINVAL', `${call}: ${device} has a ${table.type} partition table, not ${want}`);
}

/** Writes a new, empty partition table (and wipes the signatures the old one or a whole-disk filesystem left). */
export async function initTable(runner: Runner, hostDisk: string, label: 'dos' | 'gpt'): Promise<void> {
  // first-lba 34 on GPT, as parted (libguestfs' tool) makes it: sfdisk would reserve up to 2048.
  await runner.run('sfdisk', [...WRITE, '--wipe', 'always', hostDisk], { input: `label: ${label}\n${label === 'gpt' ? 'first-lba: 34\n' : ''}` });
}

/** Appends a partition described by {@link addLine}. */
export async function appendPartition(runner: Runner, hostDisk: string, line: string): Promise<void> {
  await runner.run('sfdisk', [...WRITE, '--wipe', 'never', '--append', hostDisk], { input: line });
}

/** Deletes partition `partnum`. */
export async function deletePartition(runner: Runner, hostDisk: string, partnum: number): Promise<void> {
  await runner.run('sfdisk', [...WRITE, '--delete', hostDisk, String(partnum)]);
}

/** Moves the end of partition `partnum` (its start stays) to `end`, inclusive. */
export async function resizePartition(runner: Runner, hostDisk: string, partnum: number, start: number, end: number): Promise<void> {
  if (end < start) throw new VmcraftError('EINVAL', `the end sector ${end} is before the partition's start ${start}`);
  await runner.run('sfdisk', [...WRITE, '--wipe', 'never', '-N', String(partnum), hostDisk], { input: `${start}, ${end - start + 1}\n` });
}

/** One of sfdisk's per-partition setters (`--part-label`, `--part-type`, `--part-uuid`). */
export async function setPartitionField(runner: Runner, hostDisk: string, field: 'label' | 'type' | 'uuid', partnum: number, value: string): Promise<void> {
  await runner.run('sfdisk', [...WRITE, `--part-${field}`, hostDisk, String(partnum), value]);
}

/** Sets the MBR boot flags of exactly `bootable` (the others are cleared), as parted's msdos boot flag does. */
export async function setBootFlags(runner: Runner, hostDisk: string, bootable: readonly number[]): Promise<void> {
  await runner.run('sfdisk', [...WRITE, '--activate', hostDisk, ...(bootable.length ? bootable.map(String) : ['-'])]);
}

/**
 * Moves the GPT backup header to the end of a disk that grew: what
 * libguestfs' part_expand_gpt does with `sgdisk -e`, done by sfdisk, which
 * (unlike sgdisk) can be kept from asking the kernel to re-read the table.
 */
export async function expandGpt(runner: Runner, hostDisk: string): Promise<void> {
  await runner.run('sfdisk', [...WRITE, '--relocate', 'gpt-bak-std', hostDisk]);
}

/** The size of a host disk in 512-byte sectors (loop devices: the device's sectors). */
export async function diskSectors(hostDisk: string, sectorSize: number): Promise<number> {
  return Math.floor((await hostDeviceSize(hostDisk)) / sectorSize);
}
