/**
 * What a migration job on the queue carries, reports while it runs and
 * returns: the contract between `enqueuePipeline`, the workers, `pipeline
 * status` and the dashboard. One job per VM; the job's name is the VM's name.
 */
import type { StageStatus, VmPlan, VmReport } from '../pipeline/types.js';

/** The BullMQ queue migration jobs go to unless another is named. */
export const DEFAULT_QUEUE = 'vmcraft-migrate';

/** A job's data: one VM's resolved plan. */
export interface MigrationJobData {
  version: 1;
  /** The VM's plan, its paths resolved (as `plan()` made it). */
  vm: VmPlan;
  /** Where it was enqueued from (host name), for `status`. */
  enqueuedFrom: string;
}

/** A running job's progress (BullMQ job progress): where it runs and how far it is. */
export interface MigrationProgress {
  /** Host name and pid of the worker running it. */
  host: string;
  pid: number;
  /** The stage running now, if any. */
  stage?: string;
  /** Percent of the running stage, when it reports one. */
  percent?: number;
  /** Stages finished so far, with how each ended. */
  stages: { name: string; status: StageStatus }[];
}

/** A finished job's result (BullMQ return value): the report's summary and where the full report is. */
export interface MigrationResult {
  host: string;
  status: VmReport['status'];
  reportFile: string;
  durationMs: number;
  stages: { name: string; status: StageStatus; durationMs: number }[];
  produced: VmReport['produced'];
}
