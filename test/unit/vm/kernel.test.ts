import { describe, expect, it } from 'vitest';
import { pickKernel } from '../../../src/vm/kernel.js';
import { VmcraftError } from '../../../src/core/errors.js';
import type { Runner, RunOptions } from '../../../src/core/exec.js';
import { kvmProbeArgs, probeKvm } from '../../../src/vm/kvm.js';
import { qemuArgs } from '../../../src/vm/qemu.js';

describe('pickKernel', () => {
  it('takes the newest release that has both its modules and its vmlinuz in /boot', () => {
    const boot = ['config-6.1.0-57-amd64', 'vmlinuz-6.1.0-57-amd64', 'vmlinuz-6.1.0-58-amd64', 'initrd.img-6.1.0-57-amd64', 'System.map-6.1.0-57-amd64'];
    expect(pickKernel(['6.1.0-56-amd64', '6.1.0-57-amd64', '6.12.0-1-amd64'], boot)).toEqual({ version: '6.1.0-57-amd64', image: '/boot/vmlinuz-6.1.0-57-amd64' });
    expect(pickKernel(['6.1.0-57-amd64', '6.1.0-58-amd64'], boot)).toEqual({ version: '6.1.0-58-amd64', image: '/boot/vmlinuz-6.1.0-58-amd64' });
  });

  it('finds none without a matching pair', () => {
    expect(pickKernel([], ['vmlinuz-6.1.0-57-amd64'])).toBeUndefined();
    expect(pickKernel(['6.1.0-57-amd64'], ['initrd.img-6.1.0-57-amd64'])).toBeUndefined();
  });
});

describe('qemuArgs', () => {
  it('builds a TCG VM without network or display, its console on stdio, the shares as 9p', () => {
    expect(qemuArgs({ kernel: '/boot/k', initramfs: '/c/i.gz', append: 'x=1', shares: [{ path: '/', tag: 'hostroot', readonly: true }, { path: '/p', tag: 'project' }] })).toEqual([
      '-accel', 'tcg', '-m', '3072', '-smp', '2', '-kernel', '/boot/k', '-initrd', '/c/i.gz',
      '-append', 'console=ttyS0 quiet loglevel=3 panic=-1 x=1',
      '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-no-reboot', '-nic', 'none',
      '-virtfs', 'local,path=/,mount_tag=hostroot,security_model=none,multidevs=remap,readonly=on',
      '-virtfs', 'local,path=/p,mount_tag=project,security_model=none,multidevs=remap',
    ]);
    expect(qemuArgs({ kernel: 'k', initramfs: 'i', accel: 'kvm', memoryMiB: 512, cpus: 1 }).slice(0, 6)).toEqual(['-accel', 'kvm', '-m', '512', '-smp', '1']);
  });
});

/** A runner that prints `lines` and then behaves as `end` says (the probe's QEMU, played). */
function fakeRunner(lines: string, end: 'wait' | 'exit' | VmcraftError): { runner: Runner; calls: { file: string; args: readonly string[] }[] } {
  const calls: { file: string; args: readonly string[] }[] = [];
  const runner = {
    run: async (file: string, args: readonly string[], options: RunOptions) => {
      calls.push({ file, args });
      options.onStdout?.(lines);
      if (end instanceof VmcraftError) throw end;
      if (end === 'exit') return { stdout: lines, stderr: '', exitCode: 0, durationMs: 1 };
      if (!options.signal?.aborted) await new Promise<void>((resolve) => options.signal?.addEventListener('abort', () => resolve()));
      throw new VmcraftError('EABORTED', `${file} was aborted`);
    },
  } as unknown as Runner;
  return { runner, calls };
}

describe('probeKvm', () => {
  it('says absent without the device, and starts nothing', async () => {
    const { runner, calls } = fakeRunner('', 'exit');
    expect(await probeKvm({ device: '/nonexistent/kvm', runner })).toMatchObject({ state: 'absent', detail: 'no /nonexistent/kvm' });
    expect(calls).toEqual([]);
  });

  it('boots the given kernel under KVM and calls it usable once the kernel prints, stopping QEMU then', async () => {
    const { runner, calls } = fakeRunner('Probing EDD (edd=off to disable)... ok\n[    0.000000] Linux version 6.1.0\n', 'wait');
    expect(await probeKvm({ device: '/dev/null', kernel: '/boot/vmlinuz-x', runner })).toMatchObject({ state: 'usable', detail: 'a guest under KVM got its kernel running' });
    expect(calls[0]!.file).toBe('qemu-system-x86_64');
    expect(calls[0]!.args).toEqual(kvmProbeArgs('/boot/vmlinuz-x'));
    expect(calls[0]!.args.slice(0, 2)).toEqual(['-accel', 'kvm']);
  });

  it('calls it hanging when the kernel does not print in time (what these machines do)', async () => {
    const { runner } = fakeRunner('Probing EDD (edd=off to disable)... ok\n', new VmcraftError('ETIMEOUT', 'qemu timed out'));
    expect(await probeKvm({ device: '/dev/null', kernel: '/boot/vmlinuz-x', runner, timeoutMs: 2000 })).toMatchObject({ state: 'hangs', detail: 'a guest under KVM did not get its kernel running in 2000 ms' });
  });

  it("gives QEMU's error when it refuses KVM, and untested without QEMU", async () => {
    const refused = new VmcraftError('ECOMMAND', 'qemu failed', { command: { command: 'qemu', argv: ['qemu'], exitCode: 1, stderr: 'qemu-system-x86_64: warning: x\nCould not access KVM kernel module: Permission denied', durationMs: 5 } });
    expect(await probeKvm({ device: '/dev/null', runner: fakeRunner('', refused).runner })).toMatchObject({ state: 'fails', detail: 'Could not access KVM kernel module: Permission denied' });
    expect(await probeKvm({ device: '/dev/null', runner: fakeRunner('', new VmcraftError('ETOOLMISSING', 'no qemu')).runner })).toMatchObject({ state: 'untested' });
    expect(await probeKvm({ device: '/dev/null', runner: fakeRunner('', 'exit').runner })).toMatchObject({ state: 'fails' });
  });

  it('without a kernel runs the BIOS only, and says so', async () => {
    const { runner, calls } = fakeRunner('SeaBIOS\nScan for option roms\n', 'wait');
    expect(await probeKvm({ device: '/dev/null', runner })).toMatchObject({ state: 'usable', detail: expect.stringMatching(/BIOS only/) });
    expect(calls[0]!.args).toContain('isa-debugcon,iobase=0x402,chardev=biosdebug');
  });
});
