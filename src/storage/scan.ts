/**
 * Finds every block device of a session: starts from the attached drives and
 * keeps activating layers (partitions, md, LUKS, LVM) on each new device
 * until nothing new appears, so stacked layouts (LVM on LUKS on md…) fall out
 * of one loop. Layers that wait for all members of a group are asked to
 * finish, degraded, once the queue is empty, one layer at a time.
 */
import type { AttachedDrive } from '../attach/types.js';
import { probeDevice } from './blkid.js';
import { LuksLayer } from './luks.js';
import { LvmLayer } from './lvm.js';
import { MdLayer } from './md.js';
import { partitionLayer } from './partitions.js';
import type { BlockDevice, LayerContext, StorageLayer } from './types.js';

/** Fresh layer instances for one session (md and LVM keep per-session state). */
export function createLayers(): StorageLayer[] {
  return [partitionLayer, new MdLayer(), new LuksLayer(), new LvmLayer()];
}

/** Activates layers from `start` until no new device appears; returns every device found, in order. */
export async function expandDevices(start: BlockDevice[], ctx: LayerContext, layers: readonly StorageLayer[]): Promise<BlockDevice[]> {
  const found: BlockDevice[] = [];
  const queue = [...start];
  for (;;) {
    while (queue.length > 0) {
      const device = queue.shift()!;
      found.push(device);
      for (const layer of layers) {
        if (layer.detect(device)) queue.push(...(await layer.activate(device, ctx)));
      }
    }
    // One layer gives up waiting at a time: what it gives (a degraded array holding a PV) is scanned
    // before the next layer gives up on its own groups (a VG activated partial while that PV was coming).
    for (const layer of layers) {
      const made = layer.finish ? await layer.finish(ctx) : [];
      queue.push(...made);
      if (made.length > 0) break;
    }
    if (queue.length === 0) return found;
  }
}

/**
 * Probes the drives and activates layers until no new device appears. A raw
 * drive with neither a partition table nor anything else blkid knows is a
 * warning: it is most likely not a disk image at all (a text file, a format
 * vmcraft does not know) rather than an empty disk.
 */
export async function scanStorage(drives: readonly AttachedDrive[], ctx: LayerContext, layers: readonly StorageLayer[] = createLayers()): Promise<BlockDevice[]> {
  const disks = await Promise.all(
    drives.map(async (d) => ({ name: d.name, hostPath: d.hostDevice, kind: 'disk' as const, drive: d.index, probe: await probeDevice(d.hostDevice, ctx.runner) })),
  );
  for (const [i, disk] of disks.entries()) {
    const drive = drives[i]!;
    if (drive.format === 'raw' && !disk.probe.ptType && !disk.probe.type) {
      ctx.warn(`raw image ${drive.path} has no partition table and no filesystem: is it really a raw disk image?`);
    }
  }
  return expandDevices(disks, ctx, layers);
}
