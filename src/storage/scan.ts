/**
 * Finds every block device of a session: starts from the attached drives and
 * keeps activating layers (partitions; later LVM, LUKS, md) on each new device
 * until nothing new appears, so stacked layouts fall out of one loop.
 */
import type { AttachedDrive } from '../attach/types.js';
import { probeDevice } from './blkid.js';
import { partitionLayer } from './partitions.js';
import type { BlockDevice, LayerContext, StorageLayer } from './types.js';

/** The layers tried on every device, in order. */
export const DEFAULT_LAYERS: readonly StorageLayer[] = [partitionLayer];

/** Probes the drives and activates layers until no new device appears. */
export async function scanStorage(
  drives: readonly AttachedDrive[],
  ctx: LayerContext,
  layers: readonly StorageLayer[] = DEFAULT_LAYERS,
): Promise<BlockDevice[]> {
  const found: BlockDevice[] = [];
  const queue: BlockDevice[] = await Promise.all(
    drives.map(async (d) => ({ name: d.name, hostPath: d.hostDevice, kind: 'disk' as const, drive: d.index, probe: await probeDevice(d.hostDevice, ctx.runner) })),
  );
  while (queue.length > 0) {
    const device = queue.shift()!;
    found.push(device);
    for (const layer of layers) {
      if (layer.detect(device)) queue.push(...(await layer.activate(device, ctx)));
    }
  }
  return found;
}
