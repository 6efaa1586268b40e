/**
 * What a migration job on the queue carries, reports while it runs and
 * returns: the contract between `enqueuePipeline`, the workers, `pipeline
 * status` and the dashboard. One job per VM; the job's name is the VM's name.
 * What Redis holds is taken as untrusted when read back: the guards below
 * check each field's type before it is shown.
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

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A job's progress when it has the shape of a {@link MigrationProgress} (a fresh job's progress is 0): the fields of the right type only. */
export function migrationProgress(progress: unknown): MigrationProgress | undefined {
  if (!progress || typeof progress !== 'object') return undefined;
  const p = progress as Record<string, unknown>;
  return {
    host: str(p.host) ?? '',
    pid: typeof p.pid === 'number' ? p.pid : 0,
    ...(str(p.stage) ? { stage: str(p.stage) } : {}),
    ...(typeof p.percent === 'number' && Number.isFinite(p.percent) ? { percent: Math.min(100, Math.max(0, p.percent)) } : {}),
    stages: Array.isArray(p.stages) ? (p.stages as unknown[]).filter((s): s is MigrationProgress['stages'][number] => !!s && typeof s === 'object' && typeof (s as { name?: unknown }).name === 'string') : [],
  };
}

/** A job's return value when it has the shape of a {@link MigrationResult}. */
export function migrationResult(value: unknown): MigrationResult | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const r = value as Partial<MigrationResult>;
  return typeof r.reportFile === 'string' && typeof r.status === 'string' ? (r as MigrationResult) : undefined;
}
