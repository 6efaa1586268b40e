/**
 * STAND-IN for src/scale's `startWorker` until the queue's worker is merged:
 * a real BullMQ Worker that takes migration jobs and answers as the contract
 * of src/scale/job.ts says — progress `{host, pid, stage, percent, stages}`,
 * return value `MigrationResult` (report written by the real pipeline
 * `run()`), failure as "CODE: message" and not retried. At integration, the
 * dashboard test calls `startWorker({ connection, queue, concurrency })`
 * instead of {@link startStandInWorker}; `holdVm` has no counterpart there
 * (the real worker's CONVERT of a large enough image is what keeps a job
 * active).
 */
import os from 'node:os';
import type { ConnectionOptions, Job, Worker } from 'bullmq';
import { run } from '../../src/pipeline/run.js';
import type { MigrationJobData, MigrationProgress, MigrationResult } from '../../src/scale/job.js';

/** Options of {@link startStandInWorker}, `startWorker`'s plus the stand-in's hold. */
export interface StandInOptions {
  connection: ConnectionOptions;
  queue: string;
  concurrency: number;
  /** A VM that stays active at this progress until the worker closes (no real conversion is that slow here). */
  holdVm?: { name: string; stage: string; percent: number; stagesDone: string[] };
}

async function hold(job: Job<MigrationJobData>, at: NonNullable<StandInOptions['holdVm']>, closing: Promise<void>): Promise<MigrationResult> {
  const progress: MigrationProgress = { host: os.hostname(), pid: process.pid, stage: at.stage, percent: at.percent, stages: at.stagesDone.map((name) => ({ name, status: 'done' })) };
  await job.updateProgress(progress as unknown as object);
  await closing;
  throw new Error('EABORTED: the stand-in worker closed');
}

async function migrate(job: Job<MigrationJobData>): Promise<MigrationResult> {
  const progress: MigrationProgress = { host: os.hostname(), pid: process.pid, stages: [] };
  const started = Date.now();
  const report = await run({ version: 1, concurrency: 1, vms: [job.data.vm] }, {
    onEvent: (e) => {
      if (e.type === 'stage-start') Object.assign(progress, { stage: e.stage, percent: undefined });
      else if (e.type === 'progress') progress.percent = e.progress.percent;
      else if (e.type === 'stage-end') progress.stages.push({ name: e.stage, status: e.status });
      else return;
      void job.updateProgress({ ...progress } as unknown as object);
    },
  });
  const vm = report.vms[0]!;
  if (vm.status === 'failed') {
    const { UnrecoverableError } = await import('bullmq');
    throw new UnrecoverableError(`${vm.error?.code ?? 'ERROR'}: ${vm.error?.message ?? 'failed'}`);
  }
  return { host: progress.host, status: vm.status, reportFile: vm.reportFile, durationMs: Date.now() - started, stages: vm.stages.map(({ name, status, durationMs }) => ({ name, status, durationMs })), produced: vm.produced };
}

/** Starts the stand-in worker; `close()` releases a held job and closes the worker and its Redis connections. */
export async function startStandInWorker(options: StandInOptions): Promise<{ worker: Worker; close(): Promise<void> }> {
  const { Worker } = await import('bullmq');
  let release!: () => void;
  const closing = new Promise<void>((resolve) => (release = resolve));
  const worker = new Worker<MigrationJobData, MigrationResult>(options.queue, (job) => (job.name === options.holdVm?.name ? hold(job, options.holdVm, closing) : migrate(job)), { connection: options.connection, concurrency: options.concurrency });
  worker.on('error', () => undefined);
  return {
    worker,
    close: async () => {
      release();
      await worker.close();
    },
  };
}
