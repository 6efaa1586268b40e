/**
 * Where the queue's Redis is: a `redis://` or `rediss://` (TLS) URL, its
 * password taken from the URL, else from `VMCRAFT_REDIS_PASSWORD`, else from
 * the file `VMCRAFT_REDIS_PASSWORD_FILE` names — so it need not appear on a
 * command line, where `ps` shows it to every user. The URL as shown
 * ({@link RedisTarget.display}) never carries the password.
 */
import { readFileSync } from 'node:fs';
import type { RedisOptions } from 'bullmq';
import { VmcraftError } from '../core/errors.js';

/** A parsed Redis URL: the options for BullMQ's connection and how to name it in messages. */
export interface RedisTarget {
  options: RedisOptions;
  /** The URL without user name or password. */
  display: string;
}

function passwordFrom(url: URL, env: NodeJS.ProcessEnv): string | undefined {
  if (url.password) return decodeURIComponent(url.password);
  if (env.VMCRAFT_REDIS_PASSWORD) return env.VMCRAFT_REDIS_PASSWORD;
  const file = env.VMCRAFT_REDIS_PASSWORD_FILE;
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (err) {
    throw new VmcraftError('EINVAL', `cannot read VMCRAFT_REDIS_PASSWORD_FILE ${file}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Parses a Redis URL (`redis[s]://[user[:password]@]host[:port][/db]`).
 * Throws EINVAL for anything else (without echoing the URL, which may hold a password).
 */
export function redisTarget(url: string, env: NodeJS.ProcessEnv = process.env): RedisTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new VmcraftError('EINVAL', 'Expected --redis to be a URL like redis://host:6379 or rediss://host:6380 (TLS)');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new VmcraftError('EINVAL', `Expected --redis to be a redis:// or rediss:// URL, got ${parsed.protocol}//…`);
  const db = parsed.pathname.replace(/^\//, '');
  if (db && !/^\d+$/.test(db)) throw new VmcraftError('EINVAL', `Expected the Redis URL's path to be a database number, got /${db}`);
  const password = passwordFrom(parsed, env);
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = parsed.port ? Number(parsed.port) : 6379;
  const options: RedisOptions = {
    host,
    port,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(password ? { password } : {}),
    ...(db ? { db: Number(db) } : {}),
    // rediss://: TLS with the system's CAs, the host name checked (NODE_EXTRA_CA_CERTS adds a private CA).
    ...(parsed.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
    // BullMQ requires it for blocking connections; for the others it means "wait for Redis to come back".
    maxRetriesPerRequest: null,
  };
  return { options, display: `${parsed.protocol}//${parsed.host}${db ? `/${db}` : ''}` };
}
