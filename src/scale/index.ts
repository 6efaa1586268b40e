/**
 * Scale-out: the pipeline as BullMQ jobs on Redis, one per VM, run by
 * workers on many conversion hosts sharing the storage (docs/scale-out.md).
 * BullMQ and its Redis driver are loaded on first use.
 */
export { DEFAULT_QUEUE, type MigrationJobData, type MigrationProgress, type MigrationResult } from './job.js';
export type { RedisConnection } from './connection.js';
export type { QueueOptions } from './queue.js';
export { enqueuePipeline, migrationJobId, type EnqueueResult } from './enqueue.js';
export { startWorker, type WorkerOptions, type WorkerEvent, type MigrationWorker } from './worker.js';
export { pipelineStatus, retryVm, cancelVm, type VmQueueStatus } from './status.js';
export { PERMANENT_CODES } from './failures.js';
