/** Making a BlockDevice record for a device a layer created. */
import { probeDevice } from './blkid.js';
import type { BlockDevice, DeviceKind, LayerContext } from './types.js';

/** Probes a new host device and describes it under its session name. */
export async function newDevice(name: string, hostPath: string, kind: DeviceKind, parent: BlockDevice, ctx: LayerContext): Promise<BlockDevice> {
  return { name, hostPath, kind, drive: parent.drive, parent: parent.name, probe: await probeDevice(hostPath, ctx.runner) };
}
