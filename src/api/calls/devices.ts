/** The device, partition-table and storage-layer calls: what launch() found, and LUKS opened later. */
import { VmcraftError } from '../../core/errors.js';
import { hostDeviceSize, readPartitionTable, type PartitionEntry, type PartitionTable } from '../../storage/partitions.js';
import type { BlockDevice } from '../../storage/types.js';
import { openLuks } from '../../storage/luks.js';
import { expandDevices } from '../../storage/scan.js';
import { a } from '../args.js';
import { defineCall, type Guest } from '../entry.js';

/** Partition types that hold other partitions, never a filesystem (MBR extended). */
const EXTENDED_MBR_TYPES = new Set(['5', 'f', '85']);
/** GPT partitions that hold no filesystem of their own, as libguestfs' list_filesystems skips them. */
const NOT_FILESYSTEM_GPT_TYPES = new Set([
  '5808C8AA-7E8F-42E0-85D2-E1E90434CFB3', // Windows LDM metadata
  'AF9B60A0-1431-4F62-BC68-3311714A69AD', // Windows LDM data
  'E3C9E316-0B5C-4DB8-817D-F92DF00215AE', // Microsoft Reserved
  'CADDEBF1-4400-4DE8-B103-12117DCF3CCF', // Windows snapshot
]);

/** Content that is a container of other devices (PVs, RAID members, LUKS), not a filesystem. */
function isContainer(type: string | undefined): boolean {
  return type !== undefined && (type.endsWith('_member') || type === 'crypto_LUKS');
}

const v = '0.1.0';

function devicesOfKind(g: Guest, kind: BlockDevice['kind']): string[] {
  g.assertLaunched();
  return g.devices.filter((d) => d.kind === kind).map((d) => d.name);
}

function mayHoldFilesystem(d: BlockDevice): boolean {
  if (d.kind === 'disk' && d.probe.ptType) return false;
  if (isContainer(d.probe.type)) return false;
  const entry = d.probe.partEntry;
  if (entry?.scheme === 'gpt' && entry.type && NOT_FILESYSTEM_GPT_TYPES.has(entry.type.toUpperCase())) return false;
  const mbrType = entry?.scheme === 'dos' ? entry.type?.replace(/^0x/, '') : undefined;
  return !(mbrType && EXTENDED_MBR_TYPES.has(mbrType));
}

function partition(g: Guest, name: string): BlockDevice {
  const d = g.device(name);
  if (d.kind !== 'partition') throw new VmcraftError('EINVAL', `${name} is not a partition`);
  return d;
}

export async function diskTable(g: Guest, device: string): Promise<PartitionTable> {
  const d = g.device(device);
  if (d.kind !== 'disk') throw new VmcraftError('EINVAL', `${device} is not a whole device`);
  return readPartitionTable(d.hostPath, d.name, g.runner);
}

async function tableEntry(g: Guest, device: string, partnum: number, want: 'gpt' | 'msdos'): Promise<PartitionEntry> {
  const t = await diskTable(g, device);
  if (t.type !== want) throw new VmcraftError('EINVAL', `${device} has a ${t.type} partition table, not ${want}`);
  const entry = t.partitions.find((p) => p.number === partnum);
  if (!entry) throw new VmcraftError('ENOENT', `${device} has no partition ${partnum}`);
  return entry;
}

const device = a.device('device');
const partnum = a.int('partnum', { doc: 'partition number, from 1' });

/** The calls of this module, in table order. */
export const DEVICE_CALLS = [
  defineCall({
    name: 'listDevices', libguestfs: 'list_devices', group: 'devices', since: v,
    summary: 'list the whole block devices', doc: 'One per drive, in drive order: `[\'/dev/sda\', \'/dev/sdb\']`.',
    args: [], returns: 'stringList', ts: 'string[]',
    impl: (g) => devicesOfKind(g, 'disk'),
  }),
  defineCall({
    name: 'listPartitions', libguestfs: 'list_partitions', group: 'devices', since: v,
    summary: 'list the partitions', doc: 'All partitions of all drives: `[\'/dev/sda1\', \'/dev/sda2\']`.',
    args: [], returns: 'stringList', ts: 'string[]',
    impl: (g) => devicesOfKind(g, 'partition'),
  }),
  defineCall({
    name: 'listFilesystems', libguestfs: 'list_filesystems', group: 'devices', since: v,
    summary: 'list the devices that may hold filesystems, with their types',
    doc: 'Partitions, unpartitioned disks, LVs, md arrays and opened LUKS devices, as libguestfs lists them: not extended partitions, containers (LVM PVs, RAID members, LUKS) or Windows LDM, reserved and snapshot partitions. Swap and `unknown` are listed.',
    args: [], returns: 'structList', ts: 'FilesystemEntry[]',
    impl: (g) => {
      g.assertLaunched();
      return g.devices.filter(mayHoldFilesystem).map((d) => ({ device: d.name, vfsType: d.probe.type ?? 'unknown' }));
    },
  }),
  defineCall({
    name: 'blockdevGetSize64', libguestfs: 'blockdev_getsize64', group: 'devices', since: v,
    summary: 'get the size of a device in bytes',
    args: [device], returns: 'int64', ts: 'Promise<number>',
    impl: async (g, name) => hostDeviceSize(g.device(name).hostPath),
  }),
  defineCall({
    name: 'hostDevice', group: 'devices', since: v,
    summary: 'get the host block device behind a session device', doc: '`/dev/sda1` → `/dev/loop3p1`.',
    args: [device], returns: 'string', ts: 'string',
    impl: (g, name) => g.device(name).hostPath,
  }),
  defineCall({
    name: 'lvs', libguestfs: 'lvs', group: 'lvm2', since: v,
    summary: 'list the logical volumes', doc: 'libguestfs style: `[\'/dev/vg0/root\', \'/dev/vg0/var\']`.',
    args: [], returns: 'stringList', ts: 'string[]',
    impl: (g) => devicesOfKind(g, 'lv'),
  }),
  defineCall({
    name: 'vgs', libguestfs: 'vgs', group: 'lvm2', since: v,
    summary: 'list the volume groups',
    doc: 'Those with active LVs, then those of the session\'s PVs without any (one just made by vgcreate).',
    args: [], returns: 'stringList', ts: 'string[]',
    impl: (g) => [...new Set([...devicesOfKind(g, 'lv').map((lv) => lv.split('/')[2]!), ...g.devices.flatMap((d) => (d.vg ? [d.vg] : []))])],
  }),
  defineCall({
    name: 'pvs', libguestfs: 'pvs', group: 'lvm2', since: v,
    summary: 'list the physical volumes', doc: 'The session devices holding LVM PVs.',
    args: [], returns: 'stringList', ts: 'string[]',
    impl: (g) => {
      g.assertLaunched();
      return g.devices.filter((d) => d.probe.type === 'LVM2_member').map((d) => d.name);
    },
  }),
  defineCall({
    name: 'listMdDevices', libguestfs: 'list_md_devices', group: 'mdadm', since: v,
    summary: 'list the assembled raid arrays', doc: '`[\'/dev/md/root\']`.',
    args: [], returns: 'stringList', ts: 'string[]',
    impl: (g) => devicesOfKind(g, 'md'),
  }),
  defineCall({
    name: 'luksOpen', libguestfs: 'luks_open', group: 'luks', since: v,
    summary: 'open a luks device with a key and activate what is inside',
    doc: 'For keys not known at launch; LVM on LUKS and the like are activated too. `EBADKEY` for a wrong key.\n@returns the session devices that appeared, the mapping first',
    args: [device, a.secret('key'), a.string('mapName', { optional: true, doc: 'device-mapper name', defaultText: 'derived from the device' })],
    returns: 'stringList', ts: 'Promise<string[]>',
    impl: async (g, name, key, mapName) => {
      const luks = g.device(name);
      if (luks.probe.type !== 'crypto_LUKS') throw new VmcraftError('EINVAL', `${name} is not a LUKS device`);
      const ctx = g.layerContext();
      const opened = await openLuks(luks, [key], ctx, mapName);
      const found = await expandDevices([opened], ctx, g.layers);
      g.devices.push(...found);
      return found.map((d) => d.name);
    },
  }),
  defineCall({
    name: 'vfsType', libguestfs: 'vfs_type', group: 'filesystems', since: v,
    summary: 'get the filesystem type of a device', doc: '`ext4`, or `\'\'` when blkid finds none.',
    args: [a.mountable('mountable')], returns: 'string', ts: 'string',
    impl: (g, name) => g.device(name).probe.type ?? '',
  }),
  defineCall({
    name: 'vfsUuid', libguestfs: 'vfs_uuid', group: 'filesystems', since: v,
    summary: 'get the filesystem uuid of a device', doc: "`''` when it has none.",
    args: [a.mountable('mountable')], returns: 'string', ts: 'string',
    impl: (g, name) => g.device(name).probe.uuid ?? '',
  }),
  defineCall({
    name: 'vfsLabel', libguestfs: 'vfs_label', group: 'filesystems', since: v,
    summary: 'get the filesystem label of a device', doc: "`''` when it has none.",
    args: [a.mountable('mountable')], returns: 'string', ts: 'string',
    impl: (g, name) => g.device(name).probe.label ?? '',
  }),
  defineCall({
    name: 'partGetParttype', libguestfs: 'part_get_parttype', group: 'partitions', since: v,
    summary: 'get the partition table type', doc: '`msdos` or `gpt`.',
    args: [device], returns: 'string', ts: "Promise<'msdos' | 'gpt'>",
    impl: async (g, name) => (await diskTable(g, name)).type,
  }),
  defineCall({
    name: 'partList', libguestfs: 'part_list', group: 'partitions', since: v,
    summary: 'list the partitions of a partition table', doc: 'With start, size, type ids and names.',
    args: [device], returns: 'structList', ts: 'Promise<PartitionEntry[]>',
    impl: async (g, name) => (await diskTable(g, name)).partitions,
  }),
  defineCall({
    name: 'partGetGptType', libguestfs: 'part_get_gpt_type', group: 'partitions', since: v,
    summary: 'get the gpt type guid of a partition', doc: 'Upper case.',
    args: [device, partnum], returns: 'string', ts: 'Promise<string>',
    impl: async (g, name, n) => (await tableEntry(g, name, n, 'gpt')).type,
  }),
  defineCall({
    name: 'partGetGptGuid', libguestfs: 'part_get_gpt_guid', group: 'partitions', since: v,
    summary: 'get the gpt guid of a partition', doc: 'Upper case.',
    args: [device, partnum], returns: 'string', ts: 'Promise<string>',
    impl: async (g, name, n) => (await tableEntry(g, name, n, 'gpt')).uuid ?? '',
  }),
  defineCall({
    name: 'partGetName', libguestfs: 'part_get_name', group: 'partitions', since: v,
    summary: 'get the gpt name of a partition',
    args: [device, partnum], returns: 'string', ts: 'Promise<string>',
    impl: async (g, name, n) => (await tableEntry(g, name, n, 'gpt')).name ?? '',
  }),
  defineCall({
    name: 'partGetMbrId', libguestfs: 'part_get_mbr_id', group: 'partitions', since: v,
    summary: 'get the mbr type byte of a partition', doc: '0x83 → 131.',
    args: [device, partnum], returns: 'int', ts: 'Promise<number>',
    impl: async (g, name, n) => parseInt((await tableEntry(g, name, n, 'msdos')).type, 16),
  }),
  defineCall({
    name: 'partGetBootable', libguestfs: 'part_get_bootable', group: 'partitions', since: v,
    summary: 'get the mbr boot flag of a partition',
    args: [device, partnum], returns: 'bool', ts: 'Promise<boolean>',
    impl: async (g, name, n) => (await tableEntry(g, name, n, 'msdos')).bootable,
  }),
  defineCall({
    name: 'partToDev', libguestfs: 'part_to_dev', group: 'partitions', since: v,
    summary: 'get the device a partition is on', doc: '`/dev/sda2` → `/dev/sda`.',
    args: [a.device('partition')], returns: 'string', ts: 'string',
    impl: (g, name) => partition(g, name).parent!,
  }),
  defineCall({
    name: 'partToPartnum', libguestfs: 'part_to_partnum', group: 'partitions', since: v,
    summary: 'get the number of a partition', doc: '`/dev/sda2` → 2.',
    args: [a.device('partition')], returns: 'int', ts: 'number',
    impl: (g, name) => partition(g, name).partNumber!,
  }),
];
