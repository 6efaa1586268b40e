/** `vmcraft doctor --json` from the built CLI, on this host: its facts, and nothing left behind by the KVM probe. */
import { readdir } from 'node:fs/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../../src/cli/doctor.js';
import { assertBuiltCliFresh, BUILT_CLI } from '../../helpers/cli.js';
import { scratchDir } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  await assertBuiltCliFresh(['src/cli', 'src/vm', 'src/core']);
  ({ dir, remove } = await scratchDir('cli-doctor'));
});
afterAll(async () => remove?.());

/** QEMU processes the doctor's KVM probe would have started (its BIOS debug console is its mark). */
async function probeQemus(): Promise<string[]> {
  const r = await execa('pgrep', ['-af', 'isa-debugcon,iobase=0x402'], { reject: false });
  return String(r.stdout).split('\n').filter((l) => l.includes('qemu-system'));
}

describe('vmcraft doctor', () => {
  it('--json tells what this host can do in each mode, and leaves nothing behind', async () => {
    const r = await execa('node', [BUILT_CLI, 'doctor', '--json'], { reject: false, env: { TMPDIR: dir }, stdin: 'ignore' });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const report = JSON.parse(String(r.stdout)) as DoctorReport;
    // These machines (HOST.md): root, loop and FUSE, no device-mapper, md or nbd.
    expect(report.host).toMatchObject({ root: true, loop: true, fuse: true, deviceMapper: false, md: false, usable: true, missing: [] });
    expect(report.host.features).toMatchObject({ loop: true, lvm2: false, luks: false, convert: true });
    expect(report.host.tools.losetup).toMatch(/\/losetup$/);
    expect(report.vm.qemu).toMatch(/\/qemu-system-x86_64$/);
    expect(report.vm.kernel).toMatchObject({ image: expect.stringMatching(/^\/boot\/vmlinuz-/), readable: true, modulesReadable: true });
    expect(report.vm.initramfs?.path).toMatch(/\/initramfs-.*\.cpio\.gz$/);
    expect(['usable', 'hangs', 'fails', 'denied', 'absent']).toContain(report.vm.kvm.state);
    expect(report.vm.kvm.durationMs).toBeLessThan(5000);
    expect(report.vm.accel).toBe(report.vm.kvm.state === 'usable' ? 'kvm' : 'tcg');
    expect(report.vm).toMatchObject({ usable: true, missing: [] });
    // auto: the host for a plain image, the VM for LVM, LUKS and RAID (no device-mapper, no md here).
    expect(report.auto).toEqual({
      plain: { mode: 'host', why: expect.stringMatching(/^root, and /) },
      lvmLuks: { mode: 'vm', why: 'the host kernel has no device-mapper' },
      raid: { mode: 'vm', why: 'the host kernel has no md' },
    });
    expect(await probeQemus()).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('prints the same for a person', async () => {
    const r = await execa('node', [BUILT_CLI, 'doctor'], { reject: false, env: { TMPDIR: dir }, stdin: 'ignore' });
    expect(r.exitCode).toBe(0);
    expect(String(r.stdout)).toMatch(/^host mode: usable: partitions and filesystems; not LVM or LUKS \(no device-mapper\) or md RAID \(no md\)\n {2}root: yes\n/);
    expect(String(r.stdout)).toMatch(/\nVM mode: usable \((KVM|TCG)\): partitions, filesystems, LVM, LUKS and md RAID under the VM's own kernel, root not needed\n/);
    expect(String(r.stdout)).toMatch(/\n {2}KVM: (usable|hangs|fails|denied|absent) /);
    expect(String(r.stdout)).toMatch(/\nauto would run:\n {2}an image with partitions and filesystems only: host \(root, .*\)\n {2}an image with LVM or LUKS: vm \(the host kernel has no device-mapper\)\n {2}an image with md RAID: vm \(the host kernel has no md\)$/);
  });
});
