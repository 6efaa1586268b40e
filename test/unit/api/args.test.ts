import { describe, expect, it } from 'vitest';
import { a, checkArgs } from '../../../src/api/args.js';
import type { ApiEntry } from '../../../src/api/entry.js';
import { installCalls } from '../../../src/api/install.js';
import { Session } from '../../../src/api/session.js';
import { VmcraftError } from '../../../src/core/errors.js';

const devices = ['/dev/sda', '/dev/sda1'];
const session = {
  device(name: string) {
    if (!devices.includes(name)) throw new VmcraftError('ENOENT', `no such device ${name} (devices: ${devices.join(', ')})`);
    return name;
  },
};

function failure(fn: () => void): VmcraftError {
  try {
    fn();
  } catch (err) {
    return err as VmcraftError;
  }
  throw new Error('expected a failure');
}

describe('argument checks by kind', () => {
  it('wants a device of this session and names the ones there are', () => {
    expect(() => checkArgs('vfsType', [a.device('device')], ['/dev/sda1'], session)).not.toThrow();
    const err = failure(() => checkArgs('vfsType', [a.device('device')], ['/dev/sdb1'], session));
    expect(err.code).toBe('ENOENT');
    expect(err.message).toContain('/dev/sda, /dev/sda1');
  });

  it('wants absolute guest paths, as text or bytes', () => {
    expect(() => checkArgs('cat', [a.guestPath('path')], [Buffer.from('/etc/\xff', 'latin1')], session)).not.toThrow();
    const err = failure(() => checkArgs('cat', [a.guestPath('path')], ['etc/passwd'], session));
    expect(err.code).toBe('EINVAL');
    expect(err.message).toBe('cat: expected path to be an absolute guest path, got "etc/passwd"');
  });

  it('never shows a secret', () => {
    const err = failure(() => checkArgs('luksOpen', [a.device('device'), a.secret('key')], ['/dev/sda1', 42], session));
    expect(err.message).not.toContain('42');
    expect(err.message).toContain('(a secret, not shown)');
  });

  it('checks numbers, modes, lists, dates and allowed values', () => {
    expect(failure(() => checkArgs('truncate', [a.guestPath('path'), a.int64('size', { optional: true })], ['/f', 1.5], session)).message).toMatch(/size to be an integer/);
    expect(failure(() => checkArgs('chmod', [a.mode('mode'), a.guestPath('path')], [0o10000, '/f'], session)).message).toMatch(/permission bits/);
    expect(failure(() => checkArgs('command', [a.stringList('argv')], ['id -u'], session)).message).toMatch(/a list of strings/);
    expect(failure(() => checkArgs('findModifiedSince', [a.date('since')], [new Date('nope')], session)).message).toMatch(/a valid Date/);
    expect(failure(() => checkArgs('checksum', [a.string('csumtype', { values: ['md5', 'sha256'] })], ['crc64'], session)).message).toMatch(/one of md5, sha256/);
  });

  it('checks options objects field by field and names unknown options', () => {
    const spec = [a.guestPath('path'), a.options('options', [a.bool('followSymlinks')])];
    expect(() => checkArgs('isFile', spec, ['/f', { followSymlinks: true }], session)).not.toThrow();
    expect(failure(() => checkArgs('isFile', spec, ['/f', { followsymlinks: true }], session)).message).toBe('isFile: unknown option(s) followsymlinks (known: followSymlinks)');
    expect(failure(() => checkArgs('isFile', spec, ['/f', { followSymlinks: 'yes' }], session)).message).toMatch(/followSymlinks to be true or false/);
  });

  it('takes null for a nullable argument only (libguestfs OptString)', () => {
    expect(() => checkArgs('hivexCommit', [a.guestPath('filename', { optional: true, nullable: true })], [null], session)).not.toThrow();
    expect(failure(() => checkArgs('truncate', [a.guestPath('path'), a.int64('size', { optional: true })], ['/f', null], session)).code).toBe('EINVAL');
  });

  it('refuses missing required and extra arguments', () => {
    expect(failure(() => checkArgs('cat', [a.guestPath('path')], [], session)).message).toBe('cat: path is required');
    expect(failure(() => checkArgs('cat', [a.guestPath('path')], ['/a', '/b'], session)).message).toBe('cat takes 1 argument(s) (path), got 2');
  });
});

describe('calls installed from the table', () => {
  const ran: string[] = [];
  const entries: ApiEntry[] = [
    { name: 'touchIt', group: 'files', summary: 's', since: '0', args: [a.guestPath('path')], returns: 'void', ts: 'Promise<void>', writes: true, anytime: true, impl: (async (_g: unknown, p: string) => void ran.push(p)) as never },
    { name: 'sizeOf', group: 'files', summary: 's', since: '0', args: [a.guestPath('path')], returns: 'int', ts: 'number', impl: (() => 1) as never },
  ];
  class Fake extends Session {}
  installCalls(Fake.prototype, entries);
  const call = (s: Session, name: string, ...args: unknown[]) => (s as unknown as Record<string, (...x: unknown[]) => unknown>)[name]!(...args);

  it('refuses a write in a read-only session before the call runs', async () => {
    await expect(call(new Fake({ readonly: true }), 'touchIt', '/f')).rejects.toMatchObject({ code: 'EREADONLY' });
    expect(ran).toEqual([]);
    await call(new Fake({ readonly: false }), 'touchIt', '/f');
    expect(ran).toEqual(['/f']);
  });

  it('reports a bad argument of an async call as a rejection, and refuses calls before launch', async () => {
    const pending = call(new Fake(), 'touchIt', 'relative');
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).rejects.toMatchObject({ code: 'EINVAL' });
    expect(() => call(new Fake(), 'sizeOf', '/f')).toThrow(expect.objectContaining({ code: 'ENOTLAUNCHED' }));
  });
});
