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
    expect(r.host).toMatchObject({ root: true, loop: true, fuse: true, nbd: false, deviceMapper: false, md: false, usable: true, missing: [] });
    expect(r.host.features).toMatchObject({ loop: true, fuse: true, convert: true, xfs: true, lvm2: false, luks: false, nbd: false, btrfs: false });
    expect(r.vm).toMatchObject({ qemu: vm.qemu, kernel, accel: 'tcg', usable: true, missing: [] });
  });

  it('says what auto would pick: the host for what its kernel can do, the VM for the rest', () => {
    // These machines: root, loop and FUSE, no device-mapper or md.
    expect(composeDoctorReport(host, vm).auto).toEqual({
      plain: { mode: 'host', why: 'root, and loop and FUSE to attach with' },
      lvmLuks: { mode: 'vm', why: 'the host kernel has no device-mapper' },
      raid: { mode: 'vm', why: 'the host kernel has no md' },
    });
    const full = { ...host, tools: { ...host.tools, cryptsetup: '/usr/sbin/cryptsetup', mdadm: '/usr/sbin/mdadm' }, kernel: { ...host.kernel, deviceMapper: true, md: true } };
    expect(composeDoctorReport(full, vm).auto).toEqual({
      plain: { mode: 'host', why: 'root, and loop and FUSE to attach with' },
      lvmLuks: { mode: 'host', why: 'the kernel has device-mapper' },
      raid: { mode: 'host', why: 'the kernel has md' },
    });
    // The kernel has it, a tool does not: host still (the VM runs the host's tools), and the report says so.
    expect(composeDoctorReport({ ...full, tools: host.tools }, vm).auto.raid).toEqual({ mode: 'host', why: expect.stringMatching(/^the kernel has md; mdadm not installed/) });
    // Not root: everything goes to the VM, whatever the kernel has.
    const rootless = composeDoctorReport({ ...full, root: false }, vm).auto;
    for (const pick of Object.values(rootless)) expect(pick).toEqual({ mode: 'vm', why: 'not root' });
    // Neither loop nor FUSE usable (here: no qemu-storage-daemon, no losetup).
    const { losetup: _l, 'qemu-storage-daemon': _q, ...noAttach } = host.tools;
    expect(composeDoctorReport({ ...host, tools: noAttach }, vm).auto.plain).toEqual({ mode: 'vm', why: expect.stringMatching(/^neither loop devices nor a FUSE export/) });
    // Neither mode: none, with both reasons.
    expect(composeDoctorReport({ ...host, root: false }, { kvm: vm.kvm }).auto.lvmLuks).toEqual({ mode: 'none', why: 'not root, and a VM cannot boot here' });
  });

  it('uses KVM only when the probe says usable', () => {
    for (const state of ['usable', 'hangs', 'fails', 'denied', 'absent', 'untested'] as const) {
      expect(composeDoctorReport(host, { ...vm, kvm: { state, detail: '', durationMs: 0 } }).vm.accel).toBe(state === 'usable' ? 'kvm' : 'tcg');
    }
  });

  it('says what stops each mode', () => {
    const r = composeDoctorReport({ ...host, root: false }, { kernel: { ...kernel, readable: false }, kvm: { state: 'untested', detail: 'no qemu', durationMs: 0 } });
    expect(r.host).toMatchObject({ usable: false, missing: ['not root'] });
    expect(r.vm.usable).toBe(false);
    expect(r.vm.missing).toEqual([expect.stringMatching(/qemu-system-x86_64 not found/), '/boot/vmlinuz-6.1.0-57-amd64 is not readable by this user']);
    expect(composeDoctorReport(host, { kvm: vm.kvm }).vm.missing).toEqual([expect.stringMatching(/qemu/), expect.stringMatching(/no kernel/)]);
  });

  it('formats one line per fact', () => {
    const lines = formatDoctorReport(composeDoctorReport(host, vm));
    expect(lines[0]).toBe('host mode: usable: partitions and filesystems; not LVM or LUKS (no device-mapper) or md RAID (no md)');
    expect(lines).toContain('  kernel: loop yes, FUSE yes, nbd no, device-mapper no, md no');
    expect(lines).toContain("VM mode: usable (TCG): partitions, filesystems, LVM, LUKS and md RAID under the VM's own kernel, root not needed");
    expect(lines).toContain('  KVM: hangs (timed out, 2003 ms) → TCG');
    expect(lines.some((l) => l.includes('built on first use'))).toBe(true);
    expect(lines.slice(-4)).toEqual([
      'auto would run:',
      '  an image with partitions and filesystems only: host (root, and loop and FUSE to attach with)',
      '  an image with LVM or LUKS: vm (the host kernel has no device-mapper)',
      '  an image with md RAID: vm (the host kernel has no md)',
    ]);
  });

  it('formats what stops each mode', () => {
    const lines = formatDoctorReport(composeDoctorReport({ ...host, root: false }, { kvm: { state: 'untested', detail: 'no qemu', durationMs: 0 } }));
    expect(lines[0]).toBe('host mode: not usable (not root)');
    expect(lines).toContain('VM mode: not usable: a VM cannot boot here');
    expect(lines).toContain('  an image with md RAID: none (not root, and a VM cannot boot here)');
    const full = formatDoctorReport(composeDoctorReport({ ...host, kernel: { ...host.kernel, deviceMapper: true, md: true } }, vm));
    expect(full[0]).toBe('host mode: usable: partitions and filesystems, LVM, LUKS, md RAID');
  });
});
