/**
 * Every type the generated declarations (src/api/generated.ts) name. A new
 * call whose signature uses a new type re-exports it here.
 */
export type { GuestCommandOptions } from '../chroot/command.js';
export type { FeatureGroup } from '../core/features.js';
export type { PhaseMetric } from '../core/metrics.js';
export type { PasswordSpec } from '../customize/users.js';
export type { SysprepReport } from '../customize/system.js';
export type { FixPlan, FixReport } from '../fix/types.js';
export type { GuestChecksum } from '../fs/files/checksums.js';
export type { ChecksumAlgorithm, GuestStat, GuestStatvfs } from '../fs/files/types.js';
export type { GuestPath, NameOptions } from '../fs/names.js';
export type { FstabEntry, OsInfo, OsMountpoint } from '../inspect/types.js';
export type { RegKey } from '../registry/hive.js';
export type { RegEdit, RegValue } from '../registry/reg-format.js';
export type { PartitionEntry } from '../storage/partitions.js';
export type { FilesystemEntry } from './calls/devices.js';
export type { GuestCommandResult } from './calls/guest.js';
export type { FixOptions } from './calls/fix.js';
export type { HivexCommit, HivexOpenOptions } from './calls/hivex.js';
export type { MountRootOptions } from './calls/mounts.js';
export type { MountEntry } from './mount-table.js';
export type { RegistryCommit } from './calls/registry.js';
export type { InjectOptions, InjectReport } from './calls/windows.js';
export type { GlobOptions, IsTypeOptions } from '../fs/files/types.js';
