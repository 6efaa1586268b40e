/**
 * BullMQ, loaded on first use, and the queue handles every scale-out call
 * opens: one Redis client per handle, closed with it.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { lazy } from '../core/lazy.js';
import { redisClient, resolveConnection, type RedisConnection } from './connection.js';
import { DEFAULT_QUEUE, type MigrationJobData, type MigrationResult } from './job.js';

/** BullMQ itself (a dynamic import: `import 'vmcraft'` does not load it). */
export const loadBullmq: () => Promise<typeof import('bullmq')> = lazy(() => import('bullmq'));

/** Which queue on which Redis. */
export interface QueueOptions {
  /** The Redis to use; the environment fills what is missing (VMCRAFT_REDIS_URL, VMCRAFT_REDIS_PASSWORD…). */
  connection?: RedisConnection;
  /** @default DEFAULT_QUEUE ('vmcraft-migrate') */
  queue?: string;
}

/** A migration queue. */
export type MigrationQueue = Queue<MigrationJobData, MigrationResult, string>;

/** Opens the queue, runs `fn` on it (and on its Redis client), and closes both whatever happens. */
export async function withQueue<T>(options: QueueOptions, fn: (queue: MigrationQueue, client: Redis) => Promise<T>): Promise<T> {
  const client = await redisClient(await resolveConnection(options.connection));
  const { Queue } = await loadBullmq();
  const queue: MigrationQueue = new Queue(options.queue ?? DEFAULT_QUEUE, { connection: client });
  try {
    return await fn(queue, client);
  } finally {
    await queue.close();
    client.disconnect();
  }
}
