/**
 * The lock's qemu options and the error a refused open gives, on qemu's own
 * messages (captured from qemu 7.2: qemu-storage-daemon beside a running VM).
 */
import { describe, expect, it } from 'vitest';
import { VmcraftError } from '../../../src/core/errors.js';
import { openError, withImageLock } from '../../../src/attach/lock.js';

const file = { driver: 'file', filename: '/img/disk.raw', 'read-only': false };

describe('withImageLock', () => {
  it('puts the lock filter under a raw node: a writer takes write and shares neither write nor resize', () => {
    expect(withImageLock({ driver: 'raw', 'read-only': false, file }, { path: '/img/disk.raw', readonly: false })).toEqual({
      driver: 'raw',
      'read-only': false,
      file: { driver: 'blkdebug', 'read-only': false, image: file, 'take-child-perms': ['consistent-read', 'write'], 'unshare-child-perms': ['write', 'resize'] },
    });
  });

  it('takes only consistent-read for a reader, and leaves other formats to their own driver', () => {
    const ro = { ...file, 'read-only': true };
    const raw = withImageLock({ driver: 'raw', 'read-only': true, file: ro }, { path: '/img/disk.raw', readonly: true });
    expect(raw.file).toMatchObject({ 'take-child-perms': ['consistent-read'], 'unshare-child-perms': ['write', 'resize'] });
    const qcow2 = { driver: 'qcow2', 'read-only': true, file: ro };
    expect(withImageLock(qcow2, { path: '/img/disk.qcow2', readonly: true })).toEqual(qcow2);
  });

  it('shares everything for a live reader', () => {
    const ro = { ...file, 'read-only': true };
    expect(withImageLock({ driver: 'raw', 'read-only': true, file: ro }, { path: '/img/disk.raw', readonly: true, live: true })).toEqual({
      driver: 'raw', 'read-only': true, 'force-share': true, file: ro,
    });
  });
});

function failed(stderr: string): VmcraftError {
  return new VmcraftError('ECOMMAND', 'qemu-storage-daemon failed', { command: { command: 'qemu-storage-daemon', argv: ['qemu-storage-daemon'], exitCode: 1, stderr, durationMs: 5 } });
}

describe('openError', () => {
  const held = 'qemu-storage-daemon: --blockdev {"driver":"raw"}: Failed to get shared "write" lock\nIs another process using the image [/img/disk.raw]?';

  it('is EBUSY when another program holds the image, and names the live option to a reader', () => {
    const reader = openError(failed(held), { path: '/img/disk.raw', readonly: true }) as VmcraftError;
    expect(reader.code).toBe('EBUSY');
    expect(reader.message).toMatch(/^\/img\/disk\.raw is in use: another program holds it .*qemu: Failed to get shared "write" lock.*\{ readonly: true, live: true \}/);
    expect(reader.command?.stderr).toBe(held);
    const writer = openError(failed(held.replace('shared ', '')), { path: '/img/disk.raw', readonly: false }) as VmcraftError;
    expect(writer.code).toBe('EBUSY');
    expect(writer.message).not.toContain('live');
  });

  it("is EFORMAT with qemu's reason otherwise, and leaves other errors alone", () => {
    const err = openError(failed("qemu-storage-daemon: --blockdev {}: Image is not in qcow2 format"), { path: '/img/x', readonly: true }) as VmcraftError;
    expect([err.code, err.message]).toEqual(['EFORMAT', 'cannot open /img/x: --blockdev {}: Image is not in qcow2 format']);
    const timeout = new VmcraftError('ETIMEOUT', 'took too long');
    expect(openError(timeout, { path: '/img/x', readonly: true })).toBe(timeout);
  });
});
