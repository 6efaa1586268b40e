/**
 * The partition-table editing calls (libguestfs `part_*`), done with sfdisk
 * on the session's host device. After each change the kernel's partition
 * nodes and the session's device list follow the table
 * (src/api/device-refresh.ts), so `/dev/sda1`… stay right.
 */
import { VmcraftError } from '../../core/errors.js';
import { addLine, appendPartition, checkGuid, deletePartition, diskSectors, endSector, entryOf, expandGpt, initTable, partKind, requireTable, resizePartition, setBootFlags, setPartitionField, sfdiskLabel } from '../../storage/part-edit.js';
import type { PartitionTable } from '../../storage/partitions.js';
import type { BlockDevice } from '../../storage/types.js';
import { a } from '../args.js';
import { assertNotMounted, partitionTableChanged, wholeDisk } from '../device-refresh.js';
import { defineCall, type Guest } from '../entry.js';
import { diskTable } from './devices.js';

const v = '0.2.0';

const device = a.device('device', { doc: 'a whole device of this session (`/dev/sda`)' });
const partnum = a.int('partnum', { doc: 'partition number, from 1' });
const parttype = a.string('parttype', { values: ['gpt', 'efi', 'msdos', 'mbr'], doc: '`gpt` (or `efi`), `msdos` (or `mbr`)' });
const sectorDoc = 'in device sectors; negative counts back from the end of the disk (-1 is the last sector)';

/** The session device of partition `partnum` of `disk`, if the kernel has it. */
function partitionDevice(g: Guest, disk: BlockDevice, partnum: number): BlockDevice | undefined {
  return g.devices.find((d) => d.kind === 'partition' && d.parent === disk.name && d.partNumber === partnum);
}

/**
 * Runs `change` on the host disk of `device` with its current table, then
 * brings the kernel and the session up to date.
 */
async function editTable(g: Guest, device: string, change: (hostDisk: string, table: PartitionTable, disk: BlockDevice) => Promise<void>): Promise<void> {
  const disk = wholeDisk(g, device);
  const table = await diskTable(g, device);
  try {
    await change(disk.hostPath, table, disk);
  } finally {
    // Even a change that failed half-way may have written: the session sees what is there.
    await partitionTableChanged(g, disk);
  }
}

/** A partition that must not be mounted while its extent changes. */
function notMounted(g: Guest, disk: BlockDevice, partnum: number, call: string): void {
  const part = partitionDevice(g, disk, partnum);
  if (part) assertNotMounted(g, part, call);
}

/** Sets one sfdisk field of partition `partnum` on a table of type `want`; `value` checks and gives it. */
function setEntryField(g: Guest, device: string, partnum: number, want: 'gpt' | 'msdos', call: string, field: 'label' | 'type' | 'uuid', value: () => string): Promise<void> {
  return editTable(g, device, async (host, table) => {
    requireTable(table, device, want, call);
    entryOf(table, device, partnum);
    await setPartitionField(g.runner, host, field, partnum, value());
  });
}

async function addPartition(g: Guest, device: string, prlogex: string, startsect: number, endsect: number): Promise<void> {
  const kind = partKind(prlogex);
  await editTable(g, device, async (host, table) => {
    const end = endSector(endsect, await diskSectors(host, table.sectorSize));
    await appendPartition(g.runner, host, addLine(table, kind, startsect, end));
  });
}

/** The calls of this module, in table order. */
export const PARTITION_CALLS = [
  defineCall({
    name: 'partInit', libguestfs: 'part_init', group: 'partitions', since: v, writes: true,
    summary: 'create an empty partition table',
    doc: 'Wipes the old table (and any whole-disk filesystem signature). vmcraft makes `gpt` and `msdos` tables (libguestfs also names parted\'s rarer ones). `EBUSY` while a filesystem of the disk is mounted.',
    args: [device, parttype], returns: 'void', ts: 'Promise<void>',
    impl: async (g, name, type) => {
      const label = sfdiskLabel(type);
      const disk = wholeDisk(g, name);
      assertNotMounted(g, disk, 'partInit');
      await initTable(g.runner, disk.hostPath, label);
      await partitionTableChanged(g, disk);
    },
  }),
  defineCall({
    name: 'partAdd', libguestfs: 'part_add', group: 'partitions', since: v, writes: true,
    summary: 'add a partition to the device',
    doc: [
      '`prlogex` is `p`/`primary`, `l`/`logical` or `e`/`extended` (MBR; on GPT every partition is a plain one).',
      'Sectors are exact, never aligned for you; `endsect` is inclusive. A logical partition must lie inside the extended one.',
      'Unlike parted (libguestfs\' tool), a GPT partition gets no name: set one with `partSetName`.',
    ].join('\n'),
    args: [device, a.string('prlogex', { values: ['p', 'primary', 'l', 'logical', 'e', 'extended'] }), a.int64('startsect', { doc: 'first sector' }), a.int64('endsect', { doc: `last sector, ${sectorDoc}` })],
    returns: 'void', ts: 'Promise<void>',
    impl: (g, name, prlogex, start, end) => addPartition(g, name, prlogex, start, end),
  }),
  defineCall({
    name: 'partDisk', libguestfs: 'part_disk', group: 'partitions', since: v, writes: true,
    summary: 'partition a whole disk with a single partition',
    doc: 'A new table with one primary partition from sector 128 to 128 sectors before the end, as libguestfs makes it.',
    args: [device, parttype], returns: 'void', ts: 'Promise<void>',
    impl: async (g, name, type) => {
      await g.partInit(name, type);
      await addPartition(g, name, 'p', 128, -128);
    },
  }),
  defineCall({
    name: 'partDel', libguestfs: 'part_del', group: 'partitions', since: v, writes: true,
    summary: 'delete a partition',
    doc: 'Logical partitions after it are renumbered (MBR), as the table itself does. `EBUSY` while it is mounted.',
    args: [device, partnum], returns: 'void', ts: 'Promise<void>',
    impl: (g, name, n) =>
      editTable(g, name, async (host, table, disk) => {
        entryOf(table, name, n);
        notMounted(g, disk, n, 'partDel');
        await deletePartition(g.runner, host, n);
      }),
  }),
  defineCall({
    name: 'partResize', libguestfs: 'part_resize', group: 'partitions', since: v, writes: true,
    summary: 'resize a partition',
    doc: 'Moves its end sector; the start stays. The filesystem inside is not resized (`resize2fs` and the like do that). `EBUSY` while it is mounted.',
    args: [device, partnum, a.int64('endsect', { doc: `new last sector, ${sectorDoc}` })], returns: 'void', ts: 'Promise<void>',
    impl: (g, name, n, endsect) =>
      editTable(g, name, async (host, table, disk) => {
        const entry = entryOf(table, name, n);
        notMounted(g, disk, n, 'partResize');
        await resizePartition(g.runner, host, n, entry.start, endSector(endsect, await diskSectors(host, table.sectorSize)));
      }),
  }),
  defineCall({
    name: 'partExpandGpt', libguestfs: 'part_expand_gpt', group: 'partitions', since: v, writes: true,
    summary: 'move the backup gpt header to the end of the disk',
    doc: 'After the disk grew (a `qemu-img resize`), so the new space can be partitioned.',
    args: [device], returns: 'void', ts: 'Promise<void>',
    impl: (g, name) =>
      editTable(g, name, async (host, table) => {
        requireTable(table, name, 'gpt', 'partExpandGpt');
        await expandGpt(g.runner, host);
      }),
  }),
  defineCall({
    name: 'partSetName', libguestfs: 'part_set_name', group: 'partitions', since: v, writes: true,
    summary: 'set the gpt name of a partition', doc: 'GPT only (`EINVAL` for an MBR table, which has no names).',
    args: [device, partnum, a.string('name')], returns: 'void', ts: 'Promise<void>',
    impl: (g, name, n, label) =>
      setEntryField(g, name, n, 'gpt', 'partSetName', 'label', () => {
        if (label.includes('\n') || label.length > 36) throw new VmcraftError('EINVAL', `partSetName: a GPT name is at most 36 characters on one line, got ${JSON.stringify(label)}`);
        return label;
      }),
  }),
  defineCall({
    name: 'partSetBootable', libguestfs: 'part_set_bootable', group: 'partitions', since: v, writes: true,
    summary: 'set the mbr boot flag of a partition',
    doc: 'Setting it clears it on the other partitions, as parted (libguestfs\' tool) does. MBR only: on GPT parted would turn the partition into an ESP; use `partSetGptType` for that.',
    args: [device, partnum, a.bool('bootable')], returns: 'void', ts: 'Promise<void>',
    impl: (g, name, n, bootable) =>
      editTable(g, name, async (host, table) => {
        requireTable(table, name, 'msdos', 'partSetBootable');
        entryOf(table, name, n);
        const others = table.partitions.filter((p) => p.bootable && p.number !== n).map((p) => p.number);
        await setBootFlags(g.runner, host, bootable ? [n] : others);
      }),
  }),
  defineCall({
    name: 'partSetGptType', libguestfs: 'part_set_gpt_type', group: 'partitions', since: v, writes: true,
    summary: 'set the type guid of a gpt partition', doc: 'ESP: `C12A7328-F81F-11D2-BA4B-00A0C93EC93B`.',
    args: [device, partnum, a.string('guid')], returns: 'void', ts: 'Promise<void>',
    impl: (g, name, n, guid) => setEntryField(g, name, n, 'gpt', 'partSetGptType', 'type', () => checkGuid(guid)),
  }),
  defineCall({
    name: 'partSetGptGuid', libguestfs: 'part_set_gpt_guid', group: 'partitions', since: v, writes: true,
    summary: 'set the guid of a gpt partition',
    args: [device, partnum, a.string('guid')], returns: 'void', ts: 'Promise<void>',
    impl: (g, name, n, guid) => setEntryField(g, name, n, 'gpt', 'partSetGptGuid', 'uuid', () => checkGuid(guid)),
  }),
  defineCall({
    name: 'partSetMbrId', libguestfs: 'part_set_mbr_id', group: 'partitions', since: v, writes: true,
    summary: 'set the mbr type byte of a partition', doc: '131 (0x83) Linux, 7 NTFS/exFAT, 0xef EFI…',
    args: [device, partnum, a.int('idbyte', { doc: '0 to 255' })], returns: 'void', ts: 'Promise<void>',
    impl: (g, name, n, id) =>
      setEntryField(g, name, n, 'msdos', 'partSetMbrId', 'type', () => {
        if (id < 0 || id > 255) throw new VmcraftError('EINVAL', `partSetMbrId: idbyte must be 0 to 255, got ${id}`);
        return id.toString(16);
      }),
  }),
];
