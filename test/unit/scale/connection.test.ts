/** Where the queue's Redis connection comes from, and that its password is never shown. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConnection, shownUrl } from '../../../src/scale/connection.js';
import { isPermanent } from '../../../src/scale/failures.js';
import { parseFailure } from '../../../src/scale/status.js';

let dir: string;
beforeAll(async () => void (dir = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-conn-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('resolveConnection', () => {
  it('takes the URL and password from the environment, the password out of the URL kept', async () => {
    const c = await resolveConnection({}, { VMCRAFT_REDIS_URL: 'rediss://queue.example:6380/2', VMCRAFT_REDIS_PASSWORD: 'pw-env' });
    expect([c.url.href, c.password]).toEqual(['rediss://queue.example:6380/2', 'pw-env']);
    expect(shownUrl(c.url)).toBe('rediss://queue.example:6380/2');
  });

  it('options win over the environment; a password file gives its first line; an empty value counts as unset', async () => {
    await writeFile(path.join(dir, 'pw'), 'pw-file\nignored\n');
    const c = await resolveConnection({ url: 'redis://a:1', passwordFile: path.join(dir, 'pw') }, { VMCRAFT_REDIS_URL: 'redis://b:2', VMCRAFT_REDIS_PASSWORD: '' });
    expect([c.url.host, c.password]).toEqual(['a:1', 'pw-file']);
  });

  it('a password in the URL is used but taken out of the URL that messages show', async () => {
    const c = await resolveConnection({ url: 'redis://user:p%40ss@h:6379' }, {});
    expect(c.password).toBe('p@ss');
    expect(shownUrl(c.url)).toBe('redis://h:6379');
    expect(c.url.href).not.toContain('p%40ss');
  });

  it('refuses no URL, a non-URL and another scheme with EINVAL, without repeating what was given', async () => {
    await expect(resolveConnection({}, {})).rejects.toMatchObject({ code: 'EINVAL', message: 'no Redis given: pass --redis URL or set VMCRAFT_REDIS_URL' });
    const bad = resolveConnection({ url: 'not a url with s3cret' }, {});
    await expect(bad).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(bad).rejects.not.toMatchObject({ message: expect.stringContaining('s3cret') });
    await expect(resolveConnection({ url: 'http://:s3cret@h' }, {})).rejects.toMatchObject({ code: 'EINVAL', message: 'the Redis URL must start with redis:// or rediss:// (TLS), not http://' });
    await expect(resolveConnection({ url: 'redis://h', passwordFile: path.join(dir, 'missing') }, {})).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('failures', () => {
  it('image and configuration errors are permanent; locks, I/O and aborted runs are not', () => {
    expect(['EINSPECT', 'EBADKEY', 'EFORMAT', 'EINVAL'].map(isPermanent)).toEqual([true, true, true, true]);
    expect(['EBUSY', 'EIO', 'ECOMMAND', 'EABORTED', 'ENOENT'].map(isPermanent)).toEqual([false, false, false, false, false]);
  });

  it('a stored reason splits into code and message; one without a code is EIO', () => {
    expect(parseFailure('EINSPECT: no operating system found\nmore')).toEqual({ code: 'EINSPECT', message: 'no operating system found\nmore' });
    expect(parseFailure('job stalled more than allowable limit')).toEqual({ code: 'EIO', message: 'job stalled more than allowable limit' });
  });
});
