/**
 * The migration dashboard: bull-board (read-only) for the queue, and `/vms`,
 * one row per VM with its state, host, stage, percent, report link and
 * error — what bull-board keeps in each job's detail tabs. bull-board,
 * express and BullMQ are loaded when a dashboard starts, not when vmcraft is
 * imported.
 *
 * What bull-board is given besides the queue: job data with LUKS passphrases
 * replaced by `***`; an active job's name followed by its stage, percent and
 * host (a finished one's by its status and host), and its progress with a numeric `progress` (the percent) so the list
 * draws its progress circle; a "report" link on finished jobs to `/vms/<id>/report`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Queue, RedisOptions } from 'bullmq';
import type { Request, Response } from 'express';
import { isVmcraftError, VmcraftError } from '../core/errors.js';
import { lazy } from '../core/lazy.js';
import { redisOptions, resolveConnection, shownUrl, type RedisConnection } from './connection.js';
import { accessGate, checkExposure, type ListenAddress } from './dashboard-auth.js';
import { DEFAULT_QUEUE, migrationProgress, migrationResult, type MigrationJobData } from './job.js';
import { recordedReport } from './report-file.js';
import { queueStatus } from './status.js';
import { reportPath, vmsPage } from './vms-page.js';

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  /** The queue's Redis, as the workers take it (URL, password, CA; the environment fills the rest). */
  redis: RedisConnection;
  /** The queue (default {@link DEFAULT_QUEUE}). */
  queue?: string;
  /** Where to listen (default 127.0.0.1:3000); any non-loopback address needs a `token`. */
  listen?: ListenAddress;
  /** The token every request must carry (at least 16 characters). */
  token?: string;
  /** How long to wait for Redis at start before giving up (default 10 s). */
  connectTimeoutMs?: number;
  /** Told about Redis connection errors (once per distinct message); never given a secret. */
  onError?: (message: string) => void;
}

/** A running dashboard. */
export interface Dashboard {
  /** Its address, e.g. `http://127.0.0.1:3000/`. */
  url: string;
  /** The queue's Redis, as shown (no password). */
  redis: string;
  /** Stops listening, drops open connections and closes the Redis connection. */
  close(): Promise<void>;
}

const loadModules = lazy(async () => {
  const [{ Queue }, { createBullBoard }, { BullMQAdapter }, { ExpressAdapter }, { default: express }] = await Promise.all([
    import('bullmq'),
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/express'),
    import('express'),
  ]);
  return { Queue, createBullBoard, BullMQAdapter, ExpressAdapter, express };
});

type Modules = Awaited<ReturnType<typeof loadModules>>;

/** Job data as bull-board shows it: LUKS passphrases replaced by `***`. */
export function shownJobData(data: unknown): unknown {
  const vm = (data as Partial<MigrationJobData> | undefined)?.vm;
  if (!vm || !Array.isArray(vm.keys)) return data;
  return { ...(data as MigrationJobData), vm: { ...vm, keys: vm.keys.map(() => '***') } };
}

/** A job's name with where it is: `web01 — convert 42% on conv-2` while it runs, `web01 — ok on conv-2` once done. */
function shownJobName(job: { name: string; progress?: unknown; returnvalue?: unknown; processedOn?: number; finishedOn?: number; failedReason?: string }): string {
  const result = job.finishedOn && !job.failedReason ? migrationResult(job.returnvalue) : undefined;
  if (result) return `${job.name} — ${result.status} on ${result.host}`;
  const p = migrationProgress(job.progress);
  if (!p?.stage || !job.processedOn || job.finishedOn || job.failedReason) return job.name;
  return `${job.name} — ${p.stage}${p.percent === undefined ? '' : ` ${p.percent.toFixed(0)}%`}${p.host ? ` on ${p.host}` : ''}`;
}

function boardAdapter(m: Modules, queue: Queue) {
  const adapter = new m.BullMQAdapter(queue, {
    readOnlyMode: true,
    description: 'one job per VM (data: its plan; progress: host, stage, percent; return value: the report summary)',
    externalJobUrl: (job) => (migrationResult(job.returnvalue) ? { href: reportPath(String(job.id)), displayText: 'report' } : undefined) as never,
  });
  adapter.setFormatter('data', shownJobData);
  adapter.setFormatter('name', shownJobName);
  // bull-board draws its progress circle for a number or an object with a numeric `progress`.
  adapter.setFormatter('progress', (progress: unknown) => {
    const percent = migrationProgress(progress)?.percent;
    return percent === undefined ? progress : { ...(progress as object), progress: percent };
  });
  return adapter;
}

function securityHeaders(res: Response, csp: boolean): void {
  res.set({ 'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': 'DENY', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store' });
  if (csp) res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
}

function app(m: Modules, queue: Queue, options: { listen: ListenAddress; token?: string }) {
  const server = m.express();
  server.disable('x-powered-by');
  server.use(accessGate(options.listen, options.token));
  server.use((req, res, next) => {
    securityHeaders(res, req.path.startsWith('/vms'));
    // Read-only: bull-board refuses changes to a read-only queue; nothing that changes anything gets that far.
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.status(405).set('Allow', 'GET, HEAD').type('text/plain').send('405: the dashboard is read-only\n');
    next();
  });
  server.get('/vms', async (_req: Request, res: Response) => {
    try {
      res.type('html').send(vmsPage(queue.name, await queueStatus(queue)));
    } catch (err) {
      res.status(503).type('html').send(vmsPage(queue.name, [], `cannot read the queue: ${(err as Error).message}`));
    }
  });
  server.get('/vms/:id/report', async (req: Request, res: Response) => {
    const job = await queue.getJob(String(req.params.id));
    const result = job && job.finishedOn && !job.failedReason ? migrationResult(job.returnvalue) : undefined;
    try {
      if (!job || !result) throw new VmcraftError('ENOENT', 'no finished VM with this id');
      res.type('json').send(await recordedReport({ vm: job.name, result }));
    } catch (err) {
      const status = isVmcraftError(err) && err.code === 'EUNSAFE' ? 403 : 404;
      res.status(status).type('text/plain').send(`${status}: ${(err as Error).message}\n`);
    }
  });
  const serverAdapter = new m.ExpressAdapter();
  serverAdapter.setBasePath('/');
  m.createBullBoard({
    queues: [boardAdapter(m, queue)],
    serverAdapter,
    options: { uiConfig: { boardTitle: 'vmcraft migration', miscLinks: [{ text: 'VMs: state, host, stage, report', url: '/vms' }] } },
  });
  server.use('/', serverAdapter.getRouter());
  return server;
}

async function listen(server: http.Server, at: ListenAddress): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: at.host, port: at.port }, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((err: NodeJS.ErrnoException) => {
    throw new VmcraftError(err.code === 'EACCES' ? 'EACCES' : 'EINVAL', `cannot listen on ${at.host}:${at.port}: ${err.code ?? err.message}`, { cause: err });
  });
  return server.address() as AddressInfo;
}

/**
 * Waits until Redis answers a command (a connection alone would not show a wrong password). A refused
 * connection may be a Redis still starting: it is retried until `timeoutMs`. A refused login is final.
 */
async function ready(queue: Queue, display: string, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let onError: ((err: Error) => void) | undefined;
  let last = '';
  const failed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new VmcraftError('EIO', `cannot reach Redis at ${display} within ${timeoutMs / 1000} s${last && `: ${last}`}`)), timeoutMs);
    onError = (err) => {
      last = err.message;
      if (/WRONGPASS|NOAUTH|NOPERM/.test(err.message)) reject(new VmcraftError('EACCES', `Redis at ${display} refused the login: ${err.message}`));
    };
    queue.on('error', onError);
  });
  try {
    await Promise.race([queue.waitUntilReady().then(() => queue.getJobCounts()), failed]);
  } finally {
    clearTimeout(timer);
    queue.off('error', onError!);
  }
}

/**
 * Starts the dashboard of a migration queue: bull-board at `/`, the VM table
 * at `/vms`, each VM's report at `/vms/<job id>/report`. Refuses (EINVAL) to
 * listen on a non-loopback address without a token.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const at = options.listen ?? { host: '127.0.0.1', port: 3000 };
  checkExposure(at, options.token);
  const redis = await resolveConnection(options.redis);
  const target = { display: shownUrl(redis.url) };
  const m = await loadModules();
  // Reconnecting as workers do, but no offline queue: while Redis is away, pages answer at once with the error instead of hanging until it is back.
  const connection: RedisOptions = { ...redisOptions(redis, { worker: true }), enableOfflineQueue: false };
  const queue = new m.Queue(options.queue ?? DEFAULT_QUEUE, { connection });
  let lastError: string | undefined;
  queue.on('error', (err: Error) => {
    if (err.message !== lastError) options.onError?.(`Redis ${target.display}: ${err.message}`);
    lastError = err.message;
  });
  const server = http.createServer();
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    await Promise.all([new Promise((resolve) => server.close(resolve)), queue.close()]);
  };
  try {
    await ready(queue, target.display, options.connectTimeoutMs ?? 10_000);
    // Told again after Redis came back and went away again.
    (await queue.getBackend().client).on('ready', () => (lastError = undefined));
    server.on('request', app(m, queue, { listen: at, ...(options.token ? { token: options.token } : {}) }));
    const address = await listen(server, at);
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return { url: `http://${host}:${address.port}/`, redis: target.display, close };
  } catch (err) {
    await close();
    throw err;
  }
}
