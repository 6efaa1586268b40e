/**
 * The types of the API's signatures: those the calls define (their options
 * and results), and those of the layers below that the generated
 * declarations (src/api/generated.ts) name. A new call whose signature uses a
 * new type declares or re-exports it here; the calls modules import theirs
 * from here, so the table has no import cycle.
 */
import type { VirtioPlan } from '../fix/windows/virtio.js';
import type { LinuxFixOptions } from '../fix/linux/plans.js';
export type { GuestCommandOptions } from '../chroot/command.js';
export type { FeatureGroup } from '../core/features.js';
export type { PhaseMetric } from '../core/metrics.js';
export type { PasswordSpec } from '../customize/users.js';
export type { SysprepReport, SysprepOptions, SysprepOperationInfo } from '../customize/sysprep/index.js';
export type { FixPlan, FixReport } from '../fix/types.js';
export type { GuestChecksum } from '../fs/files/checksums.js';
export type { ChecksumAlgorithm, GuestStat, GuestStatvfs } from '../fs/files/types.js';
export type { GuestPath, NameOptions } from '../fs/names.js';
export type { Application, FstabEntry, OsInfo, OsMountpoint } from '../inspect/types.js';
export type { RegKey } from '../registry/hive.js';
export type { AugIntBool, AugSaveResult, AugTransformOptions } from '../augeas/types.js';
export type { InspectIconOptions } from '../inspect/icon.js';
export type { RegEdit, RegValue } from '../registry/reg-format.js';
export type { PartitionEntry } from '../storage/partitions.js';
export type { GlobOptions, IsTypeOptions } from '../fs/files/types.js';
export type { MountEntry } from './mount-table.js';
export type { MkfsOptions } from '../fs/mkfs.js';
export type { DiskCreateOptions, CreateFormat } from '../convert/disk-create.js';

/** Options of {@link GuestFS.xfsGrowfs}, as libguestfs' xfs_growfs optargs. */
export interface XfsGrowfsOptions {
  /** Grow the data section (the default when no section is named). */
  datasec?: boolean;
  /** Grow the log section. */
  logsec?: boolean;
  /** Grow the realtime section. */
  rtsec?: boolean;
  /** New data section size, in filesystem blocks. */
  datasize?: number;
  /** New log section size, in filesystem blocks. */
  logsize?: number;
  /** New realtime section size, in filesystem blocks. */
  rtsize?: number;
  /** Realtime extent size, in filesystem blocks. */
  rtextsize?: number;
  /** Maximum share of the space for inodes, in percent. */
  maxpct?: number;
}
export type { TarAttrOptions, TarCompression, TarOutOptions } from '../fs/files/tar.js';
export type { GrepOptions } from '../fs/files/lines.js';
export type { GuestXattr } from '../fs/files/xattrs.js';

/** A filesystem found on a device, as listed by `listFilesystems()`. */
export interface FilesystemEntry {
  /** Session device name (`/dev/sda1`). */
  device: string;
  /** blkid type (`ext4`, `xfs`, `swap`, …) or `unknown`. */
  vfsType: string;
}

/** Options of {@link GuestFS.mountRoot}. */
export interface MountRootOptions {
  /** Mount read-only even in a read-write session. @default the session's `readonly` */
  readonly?: boolean;
}

/** Options of {@link GuestFS.selinuxRelabel}. */
export interface SelinuxRelabelOptions {
  /** Also reset customizable files, and the user, role and range of every label (setfiles -F). @default false */
  force?: boolean;
}

/** What a guest command printed, and how it ended. */
export interface GuestCommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  durationMs: number;
}

/** Options of {@link GuestFS.fixPlan}. */
export type FixOptions = LinuxFixOptions;

/** What a committed batch of registry edits left behind. */
export interface RegistryCommit {
  /** Guest path of the hive's backup (the hive as it was before the edits). */
  backup: string;
}

/** Options of {@link GuestFS.hivexOpen}, as libguestfs' `hivex_open` optargs. */
export interface HivexOpenOptions {
  /** Allow changes and {@link GuestFS.hivexCommit} (refused in a read-only session). @default false */
  write?: boolean;
}

/** What {@link GuestFS.hivexCommit} wrote. */
export interface HivexCommit {
  /** Guest path of the hive file written. */
  path: string;
  /** Guest path of the backup of that file as it was before, when it existed. */
  backup?: string;
}

/** Options of {@link GuestFS.injectVirtioDrivers}. */
export interface InjectOptions {
  /** Driver directory names in the virtio-win tree. @default ['viostor', 'vioscsi', 'netkvm'] */
  drivers?: string[];
  /** Plan only: nothing is written. @default false */
  dryRun?: boolean;
}

/** What {@link GuestFS.injectVirtioDrivers} planned and did. */
export interface InjectReport {
  plan: VirtioPlan;
  applied: boolean;
  /** Guest path of the SYSTEM hive's backup, when applied. */
  hiveBackup?: string;
  /** Guest paths written. */
  filesCopied: string[];
}
