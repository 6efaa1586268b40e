/** The dashboard's address and token rules, the Redis URL's parsing, the VM table's escaping. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkExposure, isLoopback, parseListen } from '../../../src/scale/dashboard-auth.js';
import { redisTarget } from '../../../src/scale/connection.js';
import { jobError } from '../../../src/scale/vm-status.js';
import { vmsPage } from '../../../src/scale/vms-page.js';
import { thrown } from '../../helpers/thrown.js';

describe('--listen', () => {
  it('takes HOST:PORT, [IPv6]:PORT and PORT (loopback)', () => {
    expect(parseListen('127.0.0.1:3000')).toEqual({ host: '127.0.0.1', port: 3000 });
    expect(parseListen('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(parseListen('0.0.0.0:0')).toEqual({ host: '0.0.0.0', port: 0 });
    expect(parseListen('3000')).toEqual({ host: '127.0.0.1', port: 3000 });
    for (const bad of ['', 'host', 'host:', 'host:99999', '::1:80', 'a:b:1']) expect(thrown(() => parseListen(bad)).code, bad).toBe('EINVAL');
  });

  it('needs a token of 16 characters or more anywhere but loopback', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', '::ffff:127.0.0.1']) expect(isLoopback(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', '192.168.1.1', 'dashboard.example', '::ffff:10.0.0.1']) expect(isLoopback(host), host).toBe(false);
    expect(() => checkExposure({ host: '127.0.0.1', port: 3000 }, undefined)).not.toThrow();
    expect(thrown(() => checkExposure({ host: '0.0.0.0', port: 3000 }, undefined)).message).toMatch(/without a token/);
    expect(() => checkExposure({ host: '0.0.0.0', port: 3000 }, 'x'.repeat(16))).not.toThrow();
    expect(thrown(() => checkExposure({ host: '127.0.0.1', port: 3000 }, 'short')).message).toMatch(/at least 16/);
  });
});

describe('redisTarget', () => {
  it('parses redis:// and rediss:// URLs; the password never in what is shown', () => {
    const t = redisTarget('rediss://worker:p%40ss@redis.lan:6380/2', {});
    expect(t.options).toMatchObject({ host: 'redis.lan', port: 6380, username: 'worker', password: 'p@ss', db: 2, tls: { servername: 'redis.lan' }, maxRetriesPerRequest: null });
    expect(t.display).toBe('rediss://redis.lan:6380/2');
    expect(redisTarget('redis://[::1]', {}).options).toMatchObject({ host: '::1', port: 6379 });
    expect(redisTarget('redis://h', {}).options.tls).toBeUndefined();
  });

  it('takes the password from VMCRAFT_REDIS_PASSWORD, else from VMCRAFT_REDIS_PASSWORD_FILE', async () => {
    expect(redisTarget('redis://h', { VMCRAFT_REDIS_PASSWORD: 'from-env' }).options.password).toBe('from-env');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-redis-pw-'));
    try {
      await writeFile(path.join(dir, 'pw'), 'from-file\n');
      expect(redisTarget('redis://h', { VMCRAFT_REDIS_PASSWORD_FILE: path.join(dir, 'pw') }).options.password).toBe('from-file');
      expect(thrown(() => redisTarget('redis://h', { VMCRAFT_REDIS_PASSWORD_FILE: path.join(dir, 'missing') })).code).toBe('EINVAL');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses other URLs without echoing them (they may hold a password)', () => {
    for (const bad of ['http://:secret-pw@h', 'not a url secret-pw', 'redis://:secret-pw@h/x']) {
      const err = thrown(() => redisTarget(bad, {}));
      expect(err.code).toBe('EINVAL');
      expect(err.message).not.toContain('secret-pw');
    }
  });
});

describe('the VM table', () => {
  it('splits "CODE: message" failures', () => {
    expect(jobError('EINSPECT: no operating system found')).toEqual({ code: 'EINSPECT', message: 'no operating system found' });
    expect(jobError('something broke')).toEqual({ code: 'ERROR', message: 'something broke' });
    expect(jobError(undefined)).toBeUndefined();
  });

  it('escapes what Redis holds', () => {
    const html = vmsPage('q<1>', [{ vm: '<img src=x onerror=alert(1)>', jobId: '"><script>', state: 'failed', host: '<b>h</b>', stages: [], error: { code: 'E<X>', message: '<script>alert(1)</script>' }, attempts: 1 }]);
    expect(html).not.toMatch(/<script>|<img|<b>/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('data-vm="&lt;img src=x onerror=alert(1)&gt;"');
  });
});
