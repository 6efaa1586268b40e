/** Types of the storage layers that sit between attached drives and filesystems. */
import type { CleanupStack } from '../core/cleanup.js';
import type { Runner } from '../core/exec.js';
import type { ProbeInfo } from './blkid.js';

/** Kind of block device in a session. */
export type DeviceKind = 'disk' | 'partition' | 'lv' | 'md' | 'crypt';

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
  /** For an LVM PV: the volume group it belongs to, once LVM has read it (none for an orphan PV). */
  vg?: string;
}

/** A LUKS key for one device (session name or LUKS UUID), or for any device when `device` is absent. */
export interface LuksKey {
  device?: string;
  key: string;
}

/** What a storage layer needs from its session. */
export interface LayerContext {
  runner: Runner;
  cleanup: CleanupStack;
  readonly: boolean;
  /** The session's private directory (LVM's private config lives here). */
  workDir: string;
  /** Keys to try on LUKS devices. */
  keys: readonly LuksKey[];
  /** What the session's kernel has for the layers that need it (in VM mode, the VM's). */
  kernel: { deviceMapper: boolean; md: boolean };
  /** Tells the user something went less than perfectly (a degraded array, a locked volume). */
  warn(message: string): void;
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
  /**
   * Called when no device is left to look at: a layer that waits for all
   * members of a group (LVM PVs, RAID members) activates what is still
   * incomplete, degraded, and returns the new devices.
   */
  finish?(ctx: LayerContext): Promise<BlockDevice[]>;
}
