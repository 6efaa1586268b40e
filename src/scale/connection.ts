/**
 * The Redis connection of queued pipelines: a `redis://` or `rediss://` (TLS)
 * URL, its password given apart (option, environment or a file) so that it
 * never sits in a URL that a log, a trace, an error or a job could show.
 * The ioredis driver (BullMQ's) is loaded on first use.
 */
import { readFile } from 'node:fs/promises';
import type { Redis, RedisOptions } from 'ioredis';
import { VmcraftError, fromFsError } from '../core/errors.js';
import { lazy } from '../core/lazy.js';

/** Where the queue's Redis is and how to log in; the environment (VMCRAFT_REDIS_URL, VMCRAFT_REDIS_PASSWORD, VMCRAFT_REDIS_PASSWORD_FILE, VMCRAFT_REDIS_CA) fills what is not given. */
export interface RedisConnection {
  /** `redis://host:port[/db]` or `rediss://…` for TLS. A password in it is accepted but better given apart. @default $VMCRAFT_REDIS_URL */
  url?: string;
  /** @default $VMCRAFT_REDIS_PASSWORD, else the content of $VMCRAFT_REDIS_PASSWORD_FILE */
  password?: string;
  /** A file holding the password (its first line). */
  passwordFile?: string;
  /** For `rediss://`: a CA certificate file (PEM) to trust besides the system's. @default $VMCRAFT_REDIS_CA */
  caFile?: string;
}

/** A connection with every value found: what the clients are made from. */
export interface ResolvedConnection {
  url: URL;
  password?: string;
  ca?: string;
}

const loadIORedis = lazy(() => import('ioredis'));

/** The URL without user name or password, for messages. */
export function shownUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
}

async function firstLine(file: string, what: string): Promise<string> {
  const text = await readFile(file, 'utf8').catch((err: unknown) => {
    throw fromFsError(err, file, `cannot read the ${what}`);
  });
  return text.split('\n')[0]!.replace(/\r$/, '');
}

/** Fills a connection from the environment (VMCRAFT_REDIS_URL, _PASSWORD, _PASSWORD_FILE, _CA) and checks the URL. */
export async function resolveConnection(connection: RedisConnection = {}, env: NodeJS.ProcessEnv = process.env): Promise<ResolvedConnection> {
  // Empty values count as unset (`VMCRAFT_REDIS_PASSWORD= vmcraft …`).
  const text = connection.url || env.VMCRAFT_REDIS_URL;
  if (!text) throw new VmcraftError('EINVAL', 'no Redis given: pass --redis URL or set VMCRAFT_REDIS_URL');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // The text may hold a password: it is not repeated.
    throw new VmcraftError('EINVAL', 'the Redis URL is not a URL (expected redis://host:port or rediss://host:port)');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new VmcraftError('EINVAL', `the Redis URL must start with redis:// or rediss:// (TLS), not ${url.protocol}//`);
  const passwordFile = connection.passwordFile || env.VMCRAFT_REDIS_PASSWORD_FILE;
  const password = connection.password || env.VMCRAFT_REDIS_PASSWORD || (passwordFile ? await firstLine(passwordFile, 'Redis password file') : undefined) || (url.password ? decodeURIComponent(url.password) : undefined);
  const caFile = connection.caFile || env.VMCRAFT_REDIS_CA;
  const ca = caFile ? await readFile(caFile, 'utf8').catch((err: unknown) => { throw fromFsError(err, caFile, 'cannot read the Redis CA file'); }) : undefined;
  const bare = new URL(url);
  bare.password = '';
  return { url: bare, ...(password ? { password } : {}), ...(ca ? { ca } : {}) };
}

/**
 * An ioredis client. `worker: true` makes the one BullMQ workers need (no
 * per-command retry limit, reconnecting for as long as it takes: a Redis
 * restart pauses the workers); otherwise a client that gives up after a few
 * tries with a clear EIO, for commands a person waits on.
 */
export async function redisClient(c: ResolvedConnection, { worker = false } = {}): Promise<Redis> {
  const { Redis: IORedis } = await loadIORedis();
  const client = new IORedis({ ...redisOptions(c, { worker }), lazyConnect: true });
  let last: Error | undefined;
  // Errors are reported by the call that meets them; this only keeps ioredis from printing them.
  client.on('error', (err: Error) => void (last = err));
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    const reason = (last ?? (err as Error)).message;
    throw new VmcraftError('EIO', `cannot reach Redis at ${shownUrl(c.url)}: ${reason}`);
  }
  return client;
}

/** ioredis options for a resolved connection; `worker` as for {@link redisClient}. */
export function redisOptions(c: ResolvedConnection, { worker = false } = {}): RedisOptions & { retryStrategy: (times: number) => number | null } {
  const db = Number(c.url.pathname.slice(1) || 0);
  return {
    host: c.url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(c.url.port || 6379),
    db,
    ...(c.url.username ? { username: decodeURIComponent(c.url.username) } : {}),
    ...(c.password ? { password: c.password } : {}),
    ...(c.url.protocol === 'rediss:' ? { tls: { servername: c.url.hostname, ...(c.ca ? { ca: c.ca } : {}) } } : {}),
    ...(worker ? { maxRetriesPerRequest: null, retryStrategy: (times: number) => Math.min(times * 500, 5000) } : { maxRetriesPerRequest: 3, retryStrategy: (times: number) => (times > 3 ? null : times * 200) }),
  };
}
