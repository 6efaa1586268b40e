import { describe, expect, it } from 'vitest';
import { ERROR_CODES, VmcraftError, formatError, fromFsError, isVmcraftError } from '../../../src/core/errors.js';

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
    expect(err.message).toBe('read /etc/nope: no such file, directory or device');
    expect(err.message).not.toContain('vmcraft-x');
  });

  it('does not repeat the code in the message, and names an errno that differs from it', () => {
    const errno = (code: string) => Object.assign(new Error(`${code}: something`), { code });
    expect(formatError(fromFsError(errno('ENOENT'), '/missing', 'read'))).toBe('ENOENT: read /missing: no such file, directory or device');
    expect(formatError(fromFsError(errno('ELOOP'), '/l', 'read'))).toBe('ELOOP: read /l: too many levels of symbolic links');
    expect(formatError(fromFsError(errno('EPERM'), '/p', 'write'))).toBe('EACCES: write /p: permission denied (EPERM)');
    expect(formatError(fromFsError(errno('ENOSPC'), '/a', 'write'))).toBe('EIO: write /a: an I/O error on the host (ENOSPC)');
  });

  it('maps EROFS to EREADONLY and unknown errno codes to EIO', () => {
    expect(fromFsError(Object.assign(new Error(), { code: 'EROFS' }), '/a', 'write').code).toBe('EREADONLY');
    expect(fromFsError(Object.assign(new Error(), { code: 'ENOSPC' }), '/a', 'write').code).toBe('EIO');
  });
});

describe('formatError', () => {
  it('prints CODE: message, the code once', () => {
    expect(formatError(new VmcraftError('EMOUNT', 'cannot mount ext4 filesystem: bad superblock'))).toBe('EMOUNT: cannot mount ext4 filesystem: bad superblock');
    const node = Object.assign(new Error("ENOENT: no such file or directory, open '/nonexist'"), { code: 'ENOENT' });
    expect(formatError(node)).toBe("ENOENT: no such file or directory, open '/nonexist'");
    expect(formatError(new VmcraftError('ENOENT', 'ENOENT: no such file or directory'))).toBe('ENOENT: no such file or directory');
  });

  it('prints the bare message of an error without a code, and anything thrown', () => {
    expect(formatError(new Error('plain'))).toBe('plain');
    expect(formatError('a string')).toBe('a string');
    expect(formatError(undefined)).toBe('undefined');
  });
});
