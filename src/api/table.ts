/**
 * The one declarative table of the GuestFS API, after libguestfs' generator.
 * Each entry (src/api/calls/, one module per concern) names a call, its
 * libguestfs name, its arguments by kind, what it returns, whether it writes,
 * and its implementation. GuestFS's methods and aliases are installed from it;
 * their declarations (src/api/generated.ts), the shell's commands and help,
 * the compatibility page and the argument checks all come from it.
 */
import { AUGEAS_CALLS } from './calls/augeas.js';
import { CONTENT_CALLS } from './calls/content.js';
import { CUSTOMIZE_CALLS } from './calls/customize.js';
import { DEVICE_CALLS } from './calls/devices.js';
import { DISK_CALLS } from './calls/disks.js';
import { FILESYSTEM_CALLS } from './calls/filesystems.js';
import { FILES_CALLS } from './calls/files.js';
import { FIX_CALLS } from './calls/fix.js';
import { GUEST_CALLS } from './calls/guest.js';
import { HIVEX_CALLS } from './calls/hivex.js';
import { INSPECT_CALLS } from './calls/inspect.js';
import { LIFECYCLE_CALLS } from './calls/lifecycle.js';
import { LUKS_CALLS } from './calls/luks.js';
import { LVM_CALLS } from './calls/lvm.js';
import { MOUNTS_CALLS } from './calls/mounts.js';
import { PARTITION_CALLS } from './calls/partitions.js';
import { REGISTRY_CALLS } from './calls/registry.js';
import { WINDOWS_CALLS } from './calls/windows.js';
import type { ApiEntry } from './entry.js';

export type { ApiEntry, ApiGroup } from './entry.js';
export type { ArgKind, ArgSpec, ReturnKind } from './args.js';

/** Every public call of GuestFS. */
export const API: readonly ApiEntry[] = [
  ...LIFECYCLE_CALLS,
  ...DISK_CALLS,
  ...DEVICE_CALLS,
  ...PARTITION_CALLS,
  ...FILESYSTEM_CALLS,
  ...LVM_CALLS,
  ...LUKS_CALLS,
  ...MOUNTS_CALLS,
  ...FILES_CALLS,
  ...CONTENT_CALLS,
  ...INSPECT_CALLS,
  ...GUEST_CALLS,
  ...CUSTOMIZE_CALLS,
  ...FIX_CALLS,
  ...REGISTRY_CALLS,
  ...HIVEX_CALLS,
  ...AUGEAS_CALLS,
  ...WINDOWS_CALLS,
];
