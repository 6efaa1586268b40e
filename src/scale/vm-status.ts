/**
 * Where each VM of a migration queue is, read from its BullMQ job (the
 * contract of ./job.ts): waiting, running on which host at which stage and
 * percent, done with its report, failed with its error code and message.
 * What Redis holds is taken as untrusted: every field is checked for its type
 * before it is shown.
 */
import type { Job, Queue } from 'bullmq';
import type { MigrationProgress, MigrationResult } from './job.js';

/** The BullMQ states listed, in the order a VM's row is looked for (a job moving between two reads is shown once). */
export const VM_STATES = ['active', 'waiting', 'prioritized', 'delayed', 'waiting-children', 'failed', 'completed'] as const;

/** A BullMQ job state as the dashboard lists it. */
export type VmState = (typeof VM_STATES)[number];

/** One VM's row. */
export interface VmStatus {
  vm: string;
  jobId: string;
  state: VmState;
  /** The worker's host: where it runs, ran, or finished. */
  host?: string;
  stage?: string;
  percent?: number;
  /** Stages finished so far (while it runs) or every stage (once done). */
  stages: { name: string; status: string }[];
  /** The finished job's result (BullMQ return value). */
  result?: MigrationResult;
  /** The last attempt's error, from the job's failedReason ("CODE: message"); a delayed job with one is waiting to retry. */
  error?: { code: string; message: string };
  attempts: number;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The job's progress when it has the shape of a {@link MigrationProgress} (a fresh job's progress is 0). */
export function migrationProgress(progress: unknown): Partial<MigrationProgress> | undefined {
  if (!progress || typeof progress !== 'object') return undefined;
  const p = progress as Record<string, unknown>;
  return {
    ...(str(p.host) ? { host: str(p.host) } : {}),
    ...(str(p.stage) ? { stage: str(p.stage) } : {}),
    ...(typeof p.percent === 'number' && Number.isFinite(p.percent) ? { percent: Math.min(100, Math.max(0, p.percent)) } : {}),
    stages: Array.isArray(p.stages) ? (p.stages as unknown[]).filter((s): s is MigrationProgress['stages'][number] => !!s && typeof s === 'object' && typeof (s as { name?: unknown }).name === 'string') : [],
  };
}

/** The job's return value when it has the shape of a {@link MigrationResult}. */
export function migrationResult(value: unknown): MigrationResult | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const r = value as Partial<MigrationResult>;
  return typeof r.reportFile === 'string' && typeof r.status === 'string' ? (r as MigrationResult) : undefined;
}

/** Splits a failedReason "CODE: message" (anything else is code `ERROR`). */
export function jobError(failedReason: string | undefined): VmStatus['error'] {
  if (!failedReason) return undefined;
  const m = /^([A-Z][A-Z0-9_]*): ([\s\S]*)$/.exec(failedReason);
  return m ? { code: m[1]!, message: m[2]! } : { code: 'ERROR', message: failedReason };
}

function vmStatus(job: Job, state: VmState): VmStatus {
  const progress = migrationProgress(job.progress);
  const result = state === 'completed' ? migrationResult(job.returnvalue) : undefined;
  const error = state === 'completed' ? undefined : jobError(job.failedReason);
  const host = result?.host ?? progress?.host;
  return {
    vm: job.name,
    jobId: String(job.id),
    state,
    ...(host ? { host } : {}),
    // Stage and percent belong to a running job; once it ended they would only be stale.
    ...(state === 'active' && progress?.stage ? { stage: progress.stage } : {}),
    ...(state === 'active' && progress?.percent !== undefined ? { percent: progress.percent } : {}),
    stages: result?.stages ?? progress?.stages ?? [],
    ...(result ? { result } : {}),
    ...(error ? { error } : {}),
    attempts: job.attemptsMade,
  };
}

/** Every VM of the queue (at most `limit` per state), running ones first, then by name. */
export async function vmStatuses(queue: Queue, limit = 5000): Promise<VmStatus[]> {
  const seen = new Map<string, VmStatus>();
  for (const state of VM_STATES) {
    for (const job of await queue.getJobs([state], 0, limit - 1)) {
      if (job && !seen.has(String(job.id))) seen.set(String(job.id), vmStatus(job, state));
    }
  }
  const order = (s: VmStatus) => VM_STATES.indexOf(s.state);
  return [...seen.values()].sort((a, b) => order(a) - order(b) || a.vm.localeCompare(b.vm));
}
