/** The device and partition-table calls of the GuestFS façade. */
import { VmcraftError } from '../core/errors.js';
import { hostDeviceSize, readPartitionTable, type PartitionEntry, type PartitionTable } from '../storage/partitions.js';
import type { BlockDevice } from '../storage/types.js';
import { openLuks } from '../storage/luks.js';
import { expandDevices } from '../storage/scan.js';
import { GuestFSBase } from './base.js';

/** A filesystem found on a device, as listed by `listFilesystems()`. */
export interface FilesystemEntry {
  /** Session device name (`/dev/sda1`). */
  device: string;
  /** blkid type (`ext4`, `xfs`, `swap`, …) or `unknown`. */
  vfsType: string;
}

/** Partition types that hold other partitions, never a filesystem (MBR extended). */
const EXTENDED_MBR_TYPES = new Set(['5', 'f', '85']);
/** Content types that are storage layers, not filesystems. */
const LAYER_TYPES = new Set(['LVM2_member', 'linux_raid_member']);

/** Devices and partition tables. */
export class GuestFSDevices extends GuestFSBase {
  /** Whole devices (one per drive), in drive order: `['/dev/sda', '/dev/sdb']`. */
  listDevices(): string[] {
    this.assertLaunched();
    return this.devices.filter((d) => d.kind === 'disk').map((d) => d.name);
  }

  /** All partitions of all drives: `['/dev/sda1', '/dev/sda2']`. */
  listPartitions(): string[] {
    this.assertLaunched();
    return this.devices.filter((d) => d.kind === 'partition').map((d) => d.name);
  }

  /**
   * Every device that may hold a filesystem, with its type (libguestfs
   * `list_filesystems`): partitions and unpartitioned disks; not extended
   * partitions, LVM PVs or RAID members. Swap and `unknown` are listed.
   */
  listFilesystems(): FilesystemEntry[] {
    this.assertLaunched();
    return this.devices.filter((d) => this.#mayHoldFilesystem(d)).map((d) => ({ device: d.name, vfsType: d.probe.type ?? 'unknown' }));
  }

  #mayHoldFilesystem(d: BlockDevice): boolean {
    if (d.kind === 'disk' && d.probe.ptType) return false;
    if (d.probe.type && LAYER_TYPES.has(d.probe.type)) return false;
    const mbrType = d.probe.partEntry?.scheme === 'dos' ? d.probe.partEntry.type?.replace(/^0x/, '') : undefined;
    return !(mbrType && EXTENDED_MBR_TYPES.has(mbrType));
  }

  /** Filesystem type of a device (`ext4`), or '' when blkid finds none (libguestfs `vfs_type`). */
  vfsType(device: string): string {
    return this.device(device).probe.type ?? '';
  }

  /** Filesystem UUID, or '' (libguestfs `vfs_uuid`). */
  vfsUuid(device: string): string {
    return this.device(device).probe.uuid ?? '';
  }

  /** Filesystem label, or '' (libguestfs `vfs_label`). */
  vfsLabel(device: string): string {
    return this.device(device).probe.label ?? '';
  }

  /** Size of a device in bytes. */
  async blockdevGetSize64(device: string): Promise<number> {
    return hostDeviceSize(this.device(device).hostPath);
  }

  /** The host block device behind a session device (`/dev/sda1` → `/dev/loop3p1`). */
  hostDevice(device: string): string {
    return this.device(device).hostPath;
  }

  /** The drive a partition is on (`/dev/sda2` → `/dev/sda`). */
  partToDev(partition: string): string {
    return this.#partition(partition).parent!;
  }

  /** The partition number (`/dev/sda2` → 2). */
  partToPartnum(partition: string): number {
    return this.#partition(partition).partNumber!;
  }

  /** The partition table type of a drive: `msdos` or `gpt` (libguestfs `part_get_parttype`). */
  async partGetParttype(device: string): Promise<'msdos' | 'gpt'> {
    return (await this.#table(device)).type;
  }

  /** The partitions of a drive's table, with start, size, type ids and names. */
  async partList(device: string): Promise<PartitionEntry[]> {
    return (await this.#table(device)).partitions;
  }

  /** GPT type GUID of a partition (upper case). */
  async partGetGptType(device: string, partnum: number): Promise<string> {
    return (await this.#entry(device, partnum, 'gpt')).type;
  }

  /** GPT partition GUID (upper case). */
  async partGetGptGuid(device: string, partnum: number): Promise<string> {
    return (await this.#entry(device, partnum, 'gpt')).uuid ?? '';
  }

  /** GPT partition name. */
  async partGetName(device: string, partnum: number): Promise<string> {
    return (await this.#entry(device, partnum, 'gpt')).name ?? '';
  }

  /** MBR partition type byte (0x83 → 131). */
  async partGetMbrId(device: string, partnum: number): Promise<number> {
    return parseInt((await this.#entry(device, partnum, 'msdos')).type, 16);
  }

  /** Whether an MBR partition has the boot flag. */
  async partGetBootable(device: string, partnum: number): Promise<boolean> {
    return (await this.#entry(device, partnum, 'msdos')).bootable;
  }

  /** Logical volumes, libguestfs style: `['/dev/vg0/root', '/dev/vg0/var']`. */
  lvs(): string[] {
    this.assertLaunched();
    return this.devices.filter((d) => d.kind === 'lv').map((d) => d.name);
  }

  /** Volume groups that were activated. */
  vgs(): string[] {
    return [...new Set(this.lvs().map((lv) => lv.split('/')[2]!))];
  }

  /** Physical volumes (session devices holding LVM PVs). */
  pvs(): string[] {
    this.assertLaunched();
    return this.devices.filter((d) => d.probe.type === 'LVM2_member').map((d) => d.name);
  }

  /** Assembled RAID arrays: `['/dev/md/root']`. */
  listMdDevices(): string[] {
    this.assertLaunched();
    return this.devices.filter((d) => d.kind === 'md').map((d) => d.name);
  }

  /**
   * Opens a LUKS device with `key` (after launch, for keys not known before)
   * and activates what is inside it (LVM on LUKS…). EBADKEY for a wrong key.
   * @returns the session devices that appeared, the mapping first
   */
  async luksOpen(device: string, key: string, mapName?: string): Promise<string[]> {
    const luks = this.device(device);
    if (luks.probe.type !== 'crypto_LUKS') throw new VmcraftError('EINVAL', `${device} is not a LUKS device`);
    const ctx = this.layerContext();
    const opened = await openLuks(luks, [key], ctx, mapName);
    const found = await expandDevices([opened], ctx, this.layers);
    this.devices.push(...found);
    return found.map((d) => d.name);
  }

  #partition(name: string): BlockDevice {
    const d = this.device(name);
    if (d.kind !== 'partition') throw new VmcraftError('EINVAL', `${name} is not a partition`);
    return d;
  }

  async #table(device: string): Promise<PartitionTable> {
    const d = this.device(device);
    if (d.kind !== 'disk') throw new VmcraftError('EINVAL', `${device} is not a whole device`);
    return readPartitionTable(d.hostPath, d.name, this.runner);
  }

  async #entry(device: string, partnum: number, want: 'gpt' | 'msdos'): Promise<PartitionEntry> {
    const table = await this.#table(device);
    if (table.type !== want) throw new VmcraftError('EINVAL', `${device} has a ${table.type} partition table, not ${want}`);
    const entry = table.partitions.find((p) => p.number === partnum);
    if (!entry) throw new VmcraftError('ENOENT', `${device} has no partition ${partnum}`);
    return entry;
  }
}
