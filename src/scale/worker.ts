/**
 * startWorker(): takes migration jobs off the queue and runs each through the
 * pipeline's `run()` for its one VM, with the VM's state file (a job that
 * another worker began resumes from the stages that one finished), under
 * the VM's lock on the shared storage.
 */
import os from 'node:os';
import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { SessionMode } from '../api/options.js';
import { VmcraftError, formatError } from '../core/errors.js';
import type { TraceEvent } from '../core/exec.js';
import { errorSummary, run } from '../pipeline/run.js';
import type { PipelineEvent, VmReport } from '../pipeline/types.js';
import { redisClient, resolveConnection } from './connection.js';
import { isPermanent } from './failures.js';
import { DEFAULT_QUEUE, type MigrationJobData, type MigrationProgress, type MigrationResult } from './job.js';
import { lockVm } from './lock.js';
import { loadBullmq, type QueueOptions } from './queue.js';
import { checkReach } from './reach.js';
import { cancelKey } from './status.js';

/** What a worker tells while it works. */
export type WorkerEvent =
  | { type: 'job-start'; vm: string; jobId: string; attempt: number }
  | { type: 'pipeline'; jobId: string; event: PipelineEvent }
  /** done: migrated; failed: for good; retry: tried again later; requeued: given back by a stopping worker. */
  | { type: 'job-end'; vm: string; jobId: string; outcome: 'done' | 'failed' | 'retry' | 'requeued'; reportFile?: string; error?: { code: string; message: string } }
  | { type: 'error'; message: string };

/** Options of {@link startWorker}. */
export interface WorkerOptions extends QueueOptions {
  /** VMs migrated at once by this worker (conversion is I/O-bound: see docs/scale-out.md). @default 1 */
  concurrency?: number;
  /** Stops the worker: no new job is taken, the running stages are aborted (finished stages stay recorded), their jobs go back to the queue, and the worker closes. */
  signal?: AbortSignal;
  /** Where the stages' sessions run (as `run()`'s `mode`). */
  mode?: SessionMode;
  /** BullMQ's job lock: a worker silent for this long is taken as dead and its job is given to another. @default 30000 */
  lockDurationMs?: number;
  /** The VM lock's heartbeat age past which a worker on another host is taken as dead. @default 60000 */
  staleLockMs?: number;
  onEvent?: (event: WorkerEvent) => void;
  /** Every external command the runs start (argv with secrets redacted). */
  onTrace?: (event: TraceEvent) => void;
}

/** A running worker. */
export interface MigrationWorker {
  /** Host name and pid, as shown by `status`. */
  readonly host: string;
  /** Settles once the worker has closed (after `signal` was aborted or `close()` was called). */
  readonly closed: Promise<void>;
  /** Stops as `signal` would. */
  close(): Promise<void>;
}

/** How often a job's progress reaches Redis at most (stage changes go at once). */
const PROGRESS_EVERY_MS = 500;
/** How often the running jobs look for a cancellation. */
const CANCEL_POLL_MS = 1000;

type MigrationJob = Job<MigrationJobData, MigrationResult, string>;

/** The job's error as it is stored (`CODE: message`): a permanent one as UnrecoverableError, so BullMQ tries no more. */
async function failure(code: string, message: string, permanent: boolean): Promise<Error> {
  const { UnrecoverableError } = await loadBullmq();
  const text = formatError(Object.assign(new Error(message), { code }));
  return permanent ? new UnrecoverableError(text) : new Error(text);
}

function resultOf(report: VmReport): MigrationResult {
  return {
    host: os.hostname(),
    status: report.status,
    reportFile: report.reportFile,
    durationMs: report.durationMs,
    stages: report.stages.map(({ name, status, durationMs }) => ({ name, status, durationMs })),
    produced: report.produced,
  };
}

/** Sends the running stage and its percent to the job's progress (throttled). */
function progressReporter(job: MigrationJob): { onEvent(e: PipelineEvent): void; flush(): Promise<void> } {
  const progress: MigrationProgress = { host: os.hostname(), pid: process.pid, stages: [] };
  let last = 0;
  let sending = Promise.resolve();
  const send = () => {
    last = Date.now();
    const copy = structuredClone(progress);
    sending = sending.then(() => job.updateProgress(copy as unknown as object)).catch(() => undefined);
  };
  send();
  return {
    onEvent(e) {
      if (e.type === 'stage-start') {
        progress.stage = e.stage;
        delete progress.percent;
      } else if (e.type === 'stage-end') {
        progress.stages.push({ name: e.stage, status: e.status });
        delete progress.stage;
        delete progress.percent;
      } else if (e.type === 'progress') {
        progress.percent = Math.round(e.progress.percent);
        if (Date.now() - last < PROGRESS_EVERY_MS) return;
      } else return;
      send();
    },
    flush: () => sending,
  };
}

class WorkerRun {
  readonly #running = new Map<string, AbortController>();
  /** The running jobs `cancelVm` marked. */
  readonly #cancelled = new Set<string>();
  #stopping = false;

  constructor(private readonly options: WorkerOptions, private readonly client: Redis, private readonly queueName: string) {}

  /** Aborts every running job (their stages stop, the finished ones stay recorded). */
  stop(): void {
    this.#stopping = true;
    for (const controller of this.#running.values()) controller.abort(new VmcraftError('EABORTED', `the worker on ${os.hostname()} is stopping`));
  }

  /** Aborts the running jobs that `cancelVm` marked. */
  async pollCancellations(): Promise<void> {
    for (const [jobId, controller] of this.#running) {
      if (!(await this.client.exists(cancelKey(this.queueName, jobId)).catch(() => 0))) continue;
      this.#cancelled.add(jobId);
      controller.abort(new VmcraftError('EABORTED', 'cancelled (vmcraft pipeline cancel)'));
    }
  }

  async process(job: MigrationJob, token?: string): Promise<MigrationResult> {
    const { vm } = job.data;
    const jobId = job.id!;
    const emit = this.options.onEvent ?? (() => undefined);
    emit({ type: 'job-start', vm: vm.name, jobId, attempt: job.attemptsMade + 1 });
    const controller = new AbortController();
    this.#running.set(jobId, controller);
    let report: VmReport;
    try {
      await checkReach(vm);
      const lock = await lockVm(vm.stateFile, this.options.staleLockMs ? { staleMs: this.options.staleLockMs } : {});
      const onLost = () => controller.abort(lock.lost.reason);
      lock.lost.addEventListener('abort', onLost);
      const progress = progressReporter(job);
      try {
        report = (await run({ version: 1, concurrency: 1, vms: [vm] }, {
          signal: controller.signal,
          ...(this.options.mode ? { mode: this.options.mode } : {}),
          ...(this.options.onTrace ? { onTrace: this.options.onTrace } : {}),
          onEvent: (event) => {
            progress.onEvent(event);
            emit({ type: 'pipeline', jobId, event });
          },
        })).vms[0]!;
      } finally {
        lock.lost.removeEventListener('abort', onLost);
        await lock.release();
        await progress.flush();
      }
    } catch (err) {
      return this.#fail(job, errorSummary(err), undefined);
    } finally {
      this.#running.delete(jobId);
    }
    const cancelled = this.#cancelled.delete(jobId);
    if (report.status !== 'failed') {
      emit({ type: 'job-end', vm: vm.name, jobId, outcome: 'done', reportFile: report.reportFile });
      return resultOf(report);
    }
    if (this.#stopping && !cancelled && report.error?.code === 'EABORTED') {
      // Given back without using up a try: the next worker resumes from the stages this one finished.
      const { WaitingError } = await loadBullmq();
      await job.moveToWait(token);
      emit({ type: 'job-end', vm: vm.name, jobId, outcome: 'requeued', reportFile: report.reportFile, error: report.error });
      throw new WaitingError();
    }
    // A cancelled VM fails for good, whatever its stage's error says.
    const error = cancelled ? { code: 'EABORTED', message: `cancelled (vmcraft pipeline cancel): ${report.error!.message}` } : report.error!;
    return this.#fail(job, error, report.reportFile, cancelled || isPermanent(error.code));
  }

  async #fail(job: MigrationJob, error: { code: string; message: string }, reportFile: string | undefined, permanent = isPermanent(error.code)): Promise<never> {
    const lastTry = permanent || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    this.options.onEvent?.({ type: 'job-end', vm: job.data.vm.name, jobId: job.id!, outcome: lastTry ? 'failed' : 'retry', ...(reportFile ? { reportFile } : {}), error });
    throw await failure(error.code, error.message, permanent);
  }
}

/**
 * Starts a worker on the migration queue: each job runs `run()` for its VM,
 * resuming from the VM's state file; progress goes to the job's progress
 * (MigrationProgress), the report's summary to its result (MigrationResult).
 * Before a job starts the worker checks that it can reach the VM's inputs
 * and output directory (else it refuses it: ENOENT/EACCES naming the path,
 * tried again later, maybe elsewhere) and takes the VM's lock (EBUSY while
 * another worker holds it). A transient failure is tried again with
 * backoff up to the job's attempts; a permanent one (see PERMANENT_CODES)
 * fails the job at once with its code.
 *
 * @example
 * ```ts
 * const stop = new AbortController();
 * process.on('SIGTERM', () => stop.abort());
 * const worker = await startWorker({ connection: { url: 'redis://queue.example:6379' }, concurrency: 2, signal: stop.signal });
 * await worker.closed;
 * ```
 */
export async function startWorker(options: WorkerOptions = {}): Promise<MigrationWorker> {
  const client = await redisClient(await resolveConnection(options.connection), { worker: true });
  const { Worker } = await loadBullmq();
  const queueName = options.queue ?? DEFAULT_QUEUE;
  const state = new WorkerRun(options, client, queueName);
  const host = `${os.hostname()}:${process.pid}`;
  const lockDuration = options.lockDurationMs ?? 30_000;
  const worker: Worker<MigrationJobData, MigrationResult, string> = new Worker(queueName, (job, token) => state.process(job, token), {
    connection: client,
    concurrency: options.concurrency ?? 1,
    lockDuration,
    stalledInterval: lockDuration,
    // A job whose worker died comes back this many times; the attempts of the config count the other failures.
    maxStalledCount: 3,
    name: host,
  });
  worker.on('error', (err) => options.onEvent?.({ type: 'error', message: err.message }));
  const poll = setInterval(() => void state.pollCancellations(), CANCEL_POLL_MS);
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      state.stop();
      clearInterval(poll);
      await worker.close();
      client.disconnect();
    })());
  let closed!: () => void;
  const done = new Promise<void>((resolve) => (closed = resolve));
  const stop = () => void close().then(closed);
  if (options.signal?.aborted) stop();
  else options.signal?.addEventListener('abort', stop, { once: true });
  await worker.waitUntilReady();
  return { host, closed: done, close: () => close().then(closed) };
}
