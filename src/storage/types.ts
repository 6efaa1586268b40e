/** Types of the storage layers that sit between attached drives and filesystems. */
import type { CleanupStack } from '../core/cleanup.js';
import type { Runner } from '../core/exec.js';
import type { ProbeInfo } from './blkid.js';

/** Kind of block device in a session. */
export type DeviceKind = 'disk' | 'partition';

/** A block device of the session, under its session name and its host path. */
export interface BlockDevice {
  /** Session name, libguestfs style: `/dev/sda`, `/dev/sda1`. */
  name: string;
  /** Host device node: `/dev/loop3`, `/dev/loop3p1`. */
  hostPath: string;
  kind: DeviceKind;
  /** Index of the drive it lives on. */
  drive: number;
  /** Partition number, for partitions. */
  partNumber?: number;
  /** Session name of the device it was found on. */
  parent?: string;
  /** What blkid found on it. */
  probe: ProbeInfo;
}

/** What a storage layer needs from its session. */
export interface LayerContext {
  runner: Runner;
  cleanup: CleanupStack;
  readonly: boolean;
}

/**
 * One storage layer (partitions; LVM, LUKS and md slot in the same way):
 * `detect` says whether a device carries this layer, `activate` makes the
 * devices inside it appear (pushing their teardown on the cleanup stack) and
 * returns them, probed.
 */
export interface StorageLayer {
  readonly name: string;
  detect(device: BlockDevice): boolean;
  activate(device: BlockDevice, ctx: LayerContext): Promise<BlockDevice[]>;
}
