import { describe, expect, it } from 'vitest';
import { chooseBackend, driveName } from '../../../src/attach/index.js';
import type { HostCapabilities } from '../../../src/core/probe.js';

describe('driveName', () => {
  it('names drives like libguestfs', () => {
    expect([0, 1, 25, 26, 27, 701, 702].map(driveName)).toEqual(['/dev/sda', '/dev/sdb', '/dev/sdz', '/dev/sdaa', '/dev/sdab', '/dev/sdzz', '/dev/sdaaa']);
  });
});

describe('chooseBackend', () => {
  const host: HostCapabilities = {
    root: true,
    tools: { 'qemu-storage-daemon': '/usr/bin/qemu-storage-daemon', losetup: '/sbin/losetup' },
    kernelFilesystems: ['ext4'],
    kernel: { nbd: false, deviceMapper: false, md: false, fuse: true, loop: true },
  };

  it('prefers nbd where the kernel has it', () => {
    const withNbd = { ...host, tools: { ...host.tools, 'qemu-nbd': '/usr/bin/qemu-nbd' }, kernel: { ...host.kernel, nbd: true } };
    expect(chooseBackend('auto', 'qcow2', withNbd)).toBe('nbd');
    expect(chooseBackend('auto', 'raw', withNbd)).toBe('nbd');
    expect(chooseBackend('fuse', 'raw', withNbd)).toBe('fuse');
  });

  it('takes loop for raw images and fuse for the rest', () => {
    expect(chooseBackend('auto', 'raw', host)).toBe('loop');
    expect(chooseBackend('auto', 'qcow2', host)).toBe('fuse');
    expect(chooseBackend('fuse', 'raw', host)).toBe('fuse');
  });

  it('explains what is missing', () => {
    expect(() => chooseBackend('auto', 'vmdk', { ...host, tools: {} })).toThrow(/qemu-storage-daemon \(package qemu-system-common\)/);
    expect(() => chooseBackend('auto', 'vmdk', { ...host, kernel: { ...host.kernel, fuse: false } })).toThrow(/needs \/dev\/fuse/);
    expect(() => chooseBackend('loop', 'qcow2', host)).toThrow(/only attaches raw images, not qcow2/);
    expect(() => chooseBackend('nbd', 'qcow2', host)).toThrow(/needs the nbd kernel module/);
  });
});
