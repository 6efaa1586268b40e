import { describe, expect, it } from 'vitest';
import { composeDoctorReport, formatDoctorReport } from '../../../src/cli/doctor.js';
import type { HostCapabilities } from '../../../src/core/probe.js';
import type { VmCapabilities } from '../../../src/vm/capabilities.js';

const host: HostCapabilities = {
  root: true,
  tools: { losetup: '/usr/sbin/losetup', 'qemu-img': '/usr/bin/qemu-img', lvm: '/usr/sbin/lvm', 'qemu-storage-daemon': '/usr/bin/qemu-storage-daemon' },
  kernelFilesystems: ['ext4', 'xfs'],
  kernel: { nbd: false, deviceMapper: false, md: false, fuse: true, loop: true },
};

const kernel = { version: '6.1.0-57-amd64', image: '/boot/vmlinuz-6.1.0-57-amd64', readable: true, modules: '/lib/modules/6.1.0-57-amd64', modulesReadable: true };
const vm: VmCapabilities = {
  qemu: '/usr/bin/qemu-system-x86_64',
  kernel,
  initramfs: { path: '/var/cache/vmcraft/vm/initramfs-6.1.0-57-amd64-abc.cpio.gz', cached: false },
  kvm: { state: 'hangs', detail: 'timed out', durationMs: 2003 },
};

describe('composeDoctorReport', () => {
  it('reports the host facts and feature groups, and TCG when KVM hangs', () => {
    const r = composeDoctorReport(host, vm);
    expect(r.host).toMatchObject({ root: true, loop: true, fuse: true, nbd: false, deviceMapper: false, md: false, usable: true });
    expect(r.host.features).toMatchObject({ loop: true, fuse: true, convert: true, xfs: true, lvm2: false, luks: false, nbd: false, btrfs: false });
    expect(r.vm).toMatchObject({ qemu: vm.qemu, kernel, accel: 'tcg', usable: true, missing: [] });
  });

  it('uses KVM only when the probe says usable', () => {
    for (const state of ['usable', 'hangs', 'fails', 'denied', 'absent', 'untested'] as const) {
      expect(composeDoctorReport(host, { ...vm, kvm: { state, detail: '', durationMs: 0 } }).vm.accel).toBe(state === 'usable' ? 'kvm' : 'tcg');
    }
  });

  it('says what stops each mode', () => {
    const r = composeDoctorReport({ ...host, root: false }, { kernel: { ...kernel, readable: false }, kvm: { state: 'untested', detail: 'no qemu', durationMs: 0 } });
    expect(r.host.usable).toBe(false);
    expect(r.vm.usable).toBe(false);
    expect(r.vm.missing).toEqual([expect.stringMatching(/qemu-system-x86_64 not found/), '/boot/vmlinuz-6.1.0-57-amd64 is not readable by this user']);
    expect(composeDoctorReport(host, { kvm: vm.kvm }).vm.missing).toEqual([expect.stringMatching(/qemu/), expect.stringMatching(/no kernel/)]);
  });

  it('formats one line per fact', () => {
    const lines = formatDoctorReport(composeDoctorReport(host, vm));
    expect(lines[0]).toBe('host mode: usable');
    expect(lines).toContain('  kernel: loop yes, FUSE yes, nbd no, device-mapper no, md no');
    expect(lines).toContain('VM mode: a VM can boot (TCG); sessions do not run in it yet');
    expect(lines).toContain('  KVM: hangs (timed out, 2003 ms) → TCG');
    expect(lines.some((l) => l.includes('built on first use'))).toBe(true);
  });
});
