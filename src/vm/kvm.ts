/**
 * Whether KVM works here. On some hosts /dev/kvm exists and a guest started
 * with it hangs: on these machines a BIOS runs its POST under KVM, but Linux
 * hangs right after its real-mode setup ("Probing EDD… ok", then nothing). So
 * the probe boots the kernel the VM would boot under `-accel kvm` and waits,
 * briefly, for its first message ("Linux version …", printed once it is
 * decompressed and running in long mode: ~0.1 s under KVM, ~3 s under TCG).
 * Without a kernel it can only run the BIOS, and says so.
 */
import { open } from 'node:fs/promises';
import { VmcraftError } from '../core/errors.js';
import { Runner } from '../core/exec.js';
import { QEMU_SYSTEM } from './qemu.js';

/**
 * What the KVM probe found: `usable` (a guest ran under KVM), `hangs` (it did
 * not get through its BIOS in time), `fails` (QEMU refused `-accel kvm`),
 * `denied` (/dev/kvm cannot be opened by this user), `absent` (no /dev/kvm),
 * `untested` (no QEMU to try it with).
 */
export type KvmState = 'usable' | 'hangs' | 'fails' | 'denied' | 'absent' | 'untested';

/** The result of {@link probeKvm}. */
export interface KvmProbe {
  state: KvmState;
  /** What was seen, for a person (QEMU's error, the time waited…). */
  detail: string;
  /** How long the probe took. */
  durationMs: number;
}

/** Options of {@link probeKvm}. */
export interface KvmProbeOptions {
  /** How long the guest has to get through its BIOS POST. @default 2000 */
  timeoutMs?: number;
  /** The device to try. @default '/dev/kvm' */
  device?: string;
  /** Runs QEMU (e.g. one that traces). */
  runner?: Runner;
  /** The kernel image to boot; without it only the BIOS is run (which does not show the hang above). */
  kernel?: string;
}

/**
 * SeaBIOS writes its log to the debug console port 0x402; this line comes once
 * its POST has run (CPUs, timers, interrupts, the keyboard), ~0.6 s in under KVM
 * here (its boot attempt comes ~1 s later, after device time-outs).
 */
const BIOS_DONE = /Scan for option roms/;

/** The arguments of the BIOS-only probe's guest: 16 MiB, no devices, the BIOS's debug console on stdout. */
const KVM_PROBE_BIOS_ARGS = [
  '-accel', 'kvm', '-machine', 'pc', '-nodefaults', '-display', 'none', '-monitor', 'none', '-m', '16', '-no-reboot',
  '-chardev', 'stdio,id=biosdebug', '-device', 'isa-debugcon,iobase=0x402,chardev=biosdebug',
] as const;

/** The kernel's first message, printed by earlyprintk once it runs in long mode. */
const KERNEL_RUNNING = /Linux version /;

/** The arguments of the probe's guest that boots `kernel`: 256 MiB, no disk, no network, early messages on stdout. */
export function kvmProbeArgs(kernel: string): string[] {
  return [
    '-accel', 'kvm', '-m', '256', '-kernel', kernel, '-append', 'earlyprintk=ttyS0 console=ttyS0 panic=-1',
    '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-nic', 'none', '-no-reboot',
  ];
}

/**
 * Probes KVM: /dev/kvm exists and opens read-write, and a guest under
 * `-accel kvm` gets its kernel running (or, without a kernel, through its
 * BIOS's POST) within `timeoutMs`. QEMU is killed as soon
 * as that is seen, or at the time limit (and dies with this process).
 */
export async function probeKvm(options: KvmProbeOptions = {}): Promise<KvmProbe> {
  const started = performance.now();
  const done = (state: KvmState, detail: string): KvmProbe => ({ state, detail, durationMs: Math.round(performance.now() - started) });
  const device = options.device ?? '/dev/kvm';
  try {
    const handle = await open(device, 'r+');
    await handle.close();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? done('absent', `no ${device}`) : done('denied', `${device}: ${code ?? String(err)}`);
  }
  const timeoutMs = options.timeoutMs ?? 2000;
  const seen = new AbortController();
  const [args, mark, what] = options.kernel ? [kvmProbeArgs(options.kernel), KERNEL_RUNNING, 'its kernel running'] : [KVM_PROBE_BIOS_ARGS, BIOS_DONE, 'through its BIOS (no kernel to try: BIOS only)'];
  let output = '';
  try {
    await (options.runner ?? new Runner()).run(QEMU_SYSTEM, args, {
      timeoutMs,
      signal: seen.signal,
      dieWithParent: true,
      onStdout: (chunk) => {
        output += chunk;
        if (mark.test(output)) seen.abort();
      },
    });
    return done('fails', `the guest stopped before it got ${what}`);
  } catch (err) {
    if (!(err instanceof VmcraftError)) throw err;
    if (err.code === 'EABORTED' && seen.signal.aborted) return done('usable', `a guest under KVM got ${what}`);
    if (err.code === 'ETIMEOUT') return done('hangs', `a guest under KVM did not get ${what} in ${timeoutMs} ms`);
    if (err.code === 'ETOOLMISSING') return done('untested', `${QEMU_SYSTEM} not found`);
    const stderr = err.command?.stderr.split('\n').filter((l) => !/warning:/.test(l)).join(' ').trim();
    return done('fails', stderr || err.message);
  }
}
