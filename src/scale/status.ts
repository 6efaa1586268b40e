/**
 * What the queue says about each VM (pipelineStatus), and what people do to
 * a VM there: try it again (retryVm) or call it off (cancelVm).
 */
import { VmcraftError } from '../core/errors.js';
import { migrationProgress, migrationResult, type MigrationProgress, type MigrationResult } from './job.js';
import { withQueue, type MigrationQueue, type QueueOptions } from './queue.js';

/** Where one VM stands on the queue (its latest job). */
export interface VmQueueStatus {
  vm: string;
  jobId: string;
  /** waiting (delayed: waiting for a retry's backoff), active, done or failed. */
  state: 'waiting' | 'delayed' | 'active' | 'done' | 'failed';
  /** Tries made so far and allowed. */
  attempts: { made: number; max: number };
  /** While active: the worker (host:pid), the stage and its percent, the stages finished. */
  progress?: MigrationProgress;
  /** When done: the report's summary (and where the full report is). */
  result?: MigrationResult;
  /** When failed, or waiting after a failed try: the last error. */
  error?: { code: string; message: string };
  enqueuedAt: string;
  finishedAt?: string;
}

const STATES = ['active', 'waiting', 'prioritized', 'delayed', 'completed', 'failed'] as const;

/** The Redis key that asks the worker running `jobId` to stop it. */
export function cancelKey(queue: string, jobId: string): string {
  return `vmcraft:cancel:${queue}:${jobId}`;
}

/** A stored error (`CODE: message`) as code and message. */
export function parseFailure(reason: string): { code: string; message: string } {
  const match = /^([A-Z][A-Z0-9]+): ([\s\S]*)$/.exec(reason);
  return match ? { code: match[1]!, message: match[2]! } : { code: 'EIO', message: reason };
}

type AnyJob = Awaited<ReturnType<MigrationQueue['getJobs']>>[number];

function stateOf(raw: (typeof STATES)[number]): VmQueueStatus['state'] {
  return raw === 'completed' ? 'done' : raw === 'prioritized' ? 'waiting' : raw;
}

/** The latest job of every VM, with its state. */
async function latestJobs(queue: MigrationQueue): Promise<Map<string, { job: AnyJob; state: VmQueueStatus['state'] }>> {
  const latest = new Map<string, { job: AnyJob; state: VmQueueStatus['state'] }>();
  for (const raw of STATES) {
    for (const job of await queue.getJobs([raw], 0, -1)) {
      if (!job?.id) continue;
      const seen = latest.get(job.name);
      if (!seen || seen.job.timestamp < job.timestamp) latest.set(job.name, { job, state: stateOf(raw) });
    }
  }
  return latest;
}

function describe(job: AnyJob, state: VmQueueStatus['state']): VmQueueStatus {
  const progress = state === 'active' ? migrationProgress(job.progress) : undefined;
  const result = state === 'done' ? migrationResult(job.returnvalue) : undefined;
  return {
    vm: job.name,
    jobId: job.id!,
    state,
    attempts: { made: job.attemptsMade, max: job.opts.attempts ?? 1 },
    ...(progress ? { progress } : {}),
    ...(result ? { result } : {}),
    ...(state !== 'done' && job.failedReason ? { error: parseFailure(job.failedReason) } : {}),
    enqueuedAt: new Date(job.timestamp).toISOString(),
    ...(job.finishedOn && (state === 'done' || state === 'failed') ? { finishedAt: new Date(job.finishedOn).toISOString() } : {}),
  };
}

/**
 * Every VM on the queue (its latest job), sorted by name: waiting, active on
 * which worker with its stage and percent, done with its report, or failed
 * with its error code and message.
 */
export async function pipelineStatus(options: QueueOptions = {}): Promise<VmQueueStatus[]> {
  return withQueue(options, queueStatus);
}

/** {@link pipelineStatus} on an open queue (the dashboard's). */
export async function queueStatus(queue: MigrationQueue): Promise<VmQueueStatus[]> {
  return [...(await latestJobs(queue)).values()].map(({ job, state }) => describe(job, state)).sort((a, b) => a.vm.localeCompare(b.vm));
}

async function jobOf(queue: MigrationQueue, vm: string): Promise<{ job: AnyJob; state: VmQueueStatus['state'] }> {
  const found = (await latestJobs(queue)).get(vm);
  if (!found) throw new VmcraftError('ENOENT', `no VM named ${JSON.stringify(vm)} on the queue ${queue.name}`);
  return found;
}

/**
 * Tries a failed VM again (its attempts start afresh), or runs a done one
 * again (its stages are reused where nothing changed). EINVAL for a VM that
 * is waiting or running; ENOENT for a VM not on the queue.
 */
export async function retryVm(vm: string, options: QueueOptions = {}): Promise<{ jobId: string }> {
  return withQueue(options, async (queue, client) => {
    const { job, state } = await jobOf(queue, vm);
    if (state !== 'failed' && state !== 'done') throw new VmcraftError('EINVAL', `${vm} is ${state}: only a failed or done VM can be tried again`);
    await client.del(cancelKey(queue.name, job.id!));
    await job.retry(state === 'done' ? 'completed' : 'failed', { resetAttemptsMade: true });
    return { jobId: job.id! };
  });
}

/**
 * Calls a VM off: a waiting one is removed from the queue; a running one is
 * stopped by its worker (its finished stages stay recorded) and fails with
 * EABORTED. EINVAL for a VM already done or failed.
 */
export async function cancelVm(vm: string, options: QueueOptions = {}): Promise<{ jobId: string; was: VmQueueStatus['state'] }> {
  return withQueue(options, async (queue, client) => {
    const { job, state } = await jobOf(queue, vm);
    if (state === 'done' || state === 'failed') throw new VmcraftError('EINVAL', `${vm} is ${state} already`);
    if (state === 'active') await client.set(cancelKey(queue.name, job.id!), '1', 'EX', 86_400);
    else await job.remove();
    return { jobId: job.id!, was: state };
  });
}
