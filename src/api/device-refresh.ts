/**
 * Keeping a session's view of its devices true after a call changed them:
 * a partition table edited (the kernel's BLKPG nodes and the session's
 * partitions follow it), a filesystem made or relabelled (blkid probes the
 * device again), and refusing changes under a mounted filesystem.
 */
import { VmcraftError } from '../core/errors.js';
import { probeDevice } from '../storage/blkid.js';
import { readPartitionTable, refreshPartitionNodes } from '../storage/partitions.js';
import type { BlockDevice } from '../storage/types.js';
import type { Guest } from './entry.js';

/** The devices whose filesystems a change to `device` would pull from under a mount: itself and, for a disk, its partitions. */
function affected(g: Guest, device: BlockDevice): string[] {
  return [device.name, ...g.devices.filter((d) => d.parent === device.name && d.kind === 'partition').map((d) => d.name)];
}

/** EBUSY when `device` (or, for a whole disk, one of its partitions) is mounted. */
export function assertNotMounted(g: Guest, device: BlockDevice, call: string): void {
  const names = affected(g, device);
  const mounted = g.mountTable.list().filter((m) => names.includes(m.device));
  if (mounted.length > 0) throw new VmcraftError('EBUSY', `${call}: ${mounted.map((m) => `${m.device} is mounted on ${m.mountpoint}`).join(', ')}: unmount it first`);
}

/** The whole disk `device` names; EINVAL for a partition or another kind. */
export function wholeDisk(g: Guest, device: string): BlockDevice {
  const d = g.device(device);
  if (d.kind !== 'disk') throw new VmcraftError('EINVAL', `${device} is not a whole device`);
  return d;
}

/**
 * After `disk`'s partition table changed: the disk is probed again, the
 * kernel's partition nodes follow the table and the session's partitions
 * of that disk are replaced, in place, by what is there now (so
 * `/dev/sda1`… name the right partitions).
 */
export async function partitionTableChanged(g: Guest, disk: BlockDevice): Promise<void> {
  const table = await readPartitionTable(disk.hostPath, disk.name, g.runner);
  disk.probe = await probeDevice(disk.hostPath, g.runner);
  const fresh = await refreshPartitionNodes(disk, table, g.layerContext());
  const old = g.devices.filter((d) => d.kind === 'partition' && d.parent === disk.name);
  const kept = g.devices.filter((d) => !old.includes(d));
  // Where the disk's partitions were, or else after the disks and the partitions of the drives before it.
  let at = old.length > 0 ? g.devices.indexOf(old[0]!) : -1;
  if (at < 0) at = kept.filter((d) => d.kind === 'disk' || (d.kind === 'partition' && d.drive < disk.drive)).length;
  kept.splice(at, 0, ...fresh);
  g.devices = kept;
}

/** After a filesystem was made or changed on `device`: blkid probes it again (vfsType, vfsLabel, listFilesystems read the probe). */
export async function deviceChanged(g: Guest, device: BlockDevice): Promise<void> {
  device.probe = await probeDevice(device.hostPath, g.runner);
}
