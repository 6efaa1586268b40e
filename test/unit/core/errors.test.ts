import { describe, expect, it } from 'vitest';
import { ERROR_CODES, VmcraftError, fromFsError, isVmcraftError } from '../../../src/core/errors.js';

describe('VmcraftError', () => {
  it('carries a stable code, a name and the cause', () => {
    const cause = new Error('low level');
    const err = new VmcraftError('EFORMAT', 'bad image', { cause, path: '/x.qcow2' });
    expect(err.code).toBe('EFORMAT');
    expect(err.name).toBe('VmcraftError');
    expect(err.cause).toBe(cause);
    expect(err.path).toBe('/x.qcow2');
    expect(err).toBeInstanceOf(Error);
    expect(isVmcraftError(err, 'EFORMAT')).toBe(true);
    expect(isVmcraftError(err, 'ENOENT')).toBe(false);
  });

  it('is recognised across copies of the class by its brand', () => {
    const foreign = Object.create(Object.getPrototypeOf(new VmcraftError('EIO', 'x')));
    expect(foreign instanceof VmcraftError).toBe(true);
    expect(new Error('plain') instanceof VmcraftError).toBe(false);
    expect({ code: 'EIO' } instanceof VmcraftError).toBe(false);
  });

  it('documents every code', () => {
    for (const [code, meaning] of Object.entries(ERROR_CODES)) {
      expect(code).toMatch(/^E[A-Z]+$/);
      expect(meaning.length).toBeGreaterThan(10);
    }
  });
});

describe('fromFsError', () => {
  it('names the guest path and maps errno codes', () => {
    const errno = Object.assign(new Error("ENOENT: no such file, open '/tmp/vmcraft-x/root/etc/nope'"), { code: 'ENOENT' });
    const err = fromFsError(errno, '/etc/nope', 'read');
    expect(err.code).toBe('ENOENT');
    expect(err.message).toBe('read /etc/nope: no such file, directory or device (ENOENT)');
    expect(err.message).not.toContain('vmcraft-x');
  });

  it('maps EROFS to EREADONLY and unknown errno codes to EIO', () => {
    expect(fromFsError(Object.assign(new Error(), { code: 'EROFS' }), '/a', 'write').code).toBe('EREADONLY');
    expect(fromFsError(Object.assign(new Error(), { code: 'ENOSPC' }), '/a', 'write').code).toBe('EIO');
  });
});
