/**
 * vmcraft: open virtual-machine disk images from Node.js and inspect or
 * change what is inside, without an appliance VM.
 * @packageDocumentation
 */
export { GuestFS, type OpenOptions } from './guestfs.js';
export type { GuestFSOptions, DriveOptions, SessionMode, VmSettings } from './api/options.js';
export { Session, type SessionState, type GuestFSEvents } from './api/session.js';
export type { GuestFSCalls, LibguestfsCalls } from './api/generated.js';
export type { MountEntry } from './api/mount-table.js';
export type { FilesystemEntry, MountRootOptions, GuestCommandResult, FixOptions, RegistryCommit, HivexCommit, HivexOpenOptions, AugIntBool, AugSaveResult, AugTransformOptions, InspectIconOptions, InjectOptions, InjectReport } from './api/types.js';
export type { GuestXattr, DiskCreateOptions, CreateFormat, MkfsOptions, XfsGrowfsOptions, TarOutOptions, TarAttrOptions, TarCompression, GrepOptions, SelinuxRelabelOptions } from './api/types.js';
export type { GuestCommandOptions } from './chroot/command.js';
export type { PasswordSpec } from './customize/users.js';
export type { SysprepReport, SysprepOptions, SysprepOperationInfo, SysprepOperationReport } from './customize/sysprep/index.js';
export type { LinuxFixOptions } from './fix/linux/plans.js';
export type { InterfaceRenames } from './fix/linux/rename.js';
export type { FixPlan, FixReport, FileChange } from './fix/types.js';
export type { VirtioPlan, VirtioDriverPlan } from './fix/windows/virtio.js';
export type { InfDriver } from './fix/windows/inf.js';
export type { RegKey } from './registry/hive.js';
export type { RegValue, RegEdit } from './registry/reg-format.js';
export { writeEmptyHive, emptyHive } from './registry/new-hive.js';
export { VmcraftError, isVmcraftError, ERROR_CODES, type VmcraftErrorCode, type CommandDetails, type VmcraftErrorOptions } from './core/errors.js';
export { Runner, type TraceEvent, type RunnerOptions, type RunOptions, type RunResult, type SpawnedCommand } from './core/exec.js';
export type { PhaseMetric, PhaseEvent } from './core/metrics.js';
export { probeHost, type HostCapabilities } from './core/probe.js';
export { FEATURE_GROUPS, type FeatureGroup } from './core/features.js';
export type { BackendChoice, BackendName } from './attach/types.js';
export type { ChainPolicy } from './attach/references.js';
export type { PartitionEntry } from './storage/partitions.js';
export type { LuksKey } from './storage/types.js';
export type { NbdOptions } from './attach/nbd.js';
export type { GuestStat, GuestStatvfs, GuestFileType, ChecksumAlgorithm, GlobOptions, IsTypeOptions } from './fs/files/types.js';
export type { GuestChecksum } from './fs/files/checksums.js';
export type { GuestPath, NameEncoding, NameOptions } from './fs/names.js';
export { detectFormat, type ImageFormat, type FormatDetection } from './attach/detect.js';
export type { Application, OsInfo, OsMountpoint, OsType, PackageFormat, PackageManagement, FstabEntry, WindowsApplication, WindowsDetails } from './inspect/types.js';
export type { CrypttabEntry } from './inspect/parsers/crypttab.js';
export type { Guest } from './api/entry.js';
export { API, type ApiEntry, type ApiGroup, type ArgKind, type ArgSpec, type ReturnKind } from './api/table.js';
export { buildSampleImage, type SampleImage } from './sample/sample.js';
export { loadPipelineConfig, type PipelineConfig, type PipelineVm } from './pipeline/index.js';
export { plan, type PlanOptions } from './pipeline/plan.js';
export { run, type RunOptions as PipelineRunOptions } from './pipeline/run.js';
export { formatSummary } from './pipeline/report.js';
export { BUILTIN_STAGES, type Stage, type StageContext, type StageOutcome } from './pipeline/stage.js';
export { DEFAULT_BOOT_MARKER, type BootCheckResult } from './pipeline/boot.js';
export type { PipelinePlan, VmPlan, SourcePlan, BootCheckPlan, DiskRef, FileStamp, StageStatus, StageReport, VmReport, PipelineReport, PipelineEvent, BuiltinStageName } from './pipeline/types.js';
export type { StageRecord } from './pipeline/state.js';
export { mergeConfig } from './pipeline/config.js';
export { jsonSchema as pipelineJsonSchema } from './pipeline/schema.js';
export { startDashboard, type Dashboard, type DashboardOptions } from './scale/dashboard.js';
export type { ListenAddress } from './scale/dashboard-auth.js';
export { DEFAULT_QUEUE, enqueuePipeline, migrationJobId, startWorker, pipelineStatus, retryVm, cancelVm, PERMANENT_CODES, type MigrationJobData, type MigrationProgress, type MigrationResult, type RedisConnection, type QueueOptions, type EnqueueResult, type WorkerOptions, type WorkerEvent, type MigrationWorker, type VmQueueStatus } from './scale/index.js';
