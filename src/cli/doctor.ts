/**
 * `vmcraft doctor`: what this host can do in each mode — host mode (root, the
 * kernel's loop/FUSE/nbd/device-mapper/md, the tools, the feature groups) and
 * VM mode (QEMU, a kernel and its modules, the cached initramfs, KVM or TCG).
 */
import type { Command } from 'commander';
import { FEATURE_GROUPS, featuresAvailable, type FeatureGroup } from '../core/features.js';
import { probeHost, type HostCapabilities } from '../core/probe.js';
import { probeVm, type VmCapabilities } from '../vm/capabilities.js';
import type { KvmState } from '../vm/kvm.js';
import type { ShellIo } from './shell.js';

/** What `vmcraft doctor --json` prints. */
export interface DoctorReport {
  host: {
    root: boolean;
    loop: boolean;
    fuse: boolean;
    nbd: boolean;
    deviceMapper: boolean;
    md: boolean;
    tools: Record<string, string>;
    features: Record<FeatureGroup, boolean>;
    /** Whether host mode can open an image at all (root, and loop or FUSE to attach with). */
    usable: boolean;
  };
  vm: {
    qemu?: string;
    kernel?: { version: string; image: string; readable: boolean; modules: string; modulesReadable: boolean };
    initramfs?: { path: string; cached: boolean };
    kvm: { state: KvmState; detail: string; durationMs: number };
    /** The accelerator a VM would use: KVM when the probe says it works, else TCG. */
    accel: 'kvm' | 'tcg';
    /** Whether a VM can be started (QEMU, and a kernel image and modules this user can read). */
    usable: boolean;
    /** What stops VM mode, for a person; empty when usable. */
    missing: string[];
  };
}

/** The doctor's report from what the probes found (pure: tested with given facts). */
export function composeDoctorReport(host: HostCapabilities, vm: VmCapabilities): DoctorReport {
  const features = Object.fromEntries(FEATURE_GROUPS.map((g) => [g, featuresAvailable(host, [g])])) as Record<FeatureGroup, boolean>;
  const missing: string[] = [];
  if (!vm.qemu) missing.push('qemu-system-x86_64 not found (package qemu-system-x86)');
  if (!vm.kernel) missing.push('no kernel with its modules (/boot/vmlinuz-<version> and /lib/modules/<version>; package linux-image-amd64)');
  else {
    if (!vm.kernel.readable) missing.push(`${vm.kernel.image} is not readable by this user`);
    if (!vm.kernel.modulesReadable) missing.push(`${vm.kernel.modules} is not readable by this user`);
  }
  return {
    host: {
      root: host.root,
      ...host.kernel,
      tools: host.tools,
      features,
      usable: host.root && (features.loop || features.fuse),
    },
    vm: {
      ...(vm.qemu ? { qemu: vm.qemu } : {}),
      ...(vm.kernel ? { kernel: vm.kernel } : {}),
      ...(vm.initramfs ? { initramfs: vm.initramfs } : {}),
      kvm: vm.kvm,
      accel: vm.kvm.state === 'usable' ? 'kvm' : 'tcg',
      usable: missing.length === 0,
      missing,
    },
  };
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

/** The report as lines for a person. */
export function formatDoctorReport(r: DoctorReport): string[] {
  const { host, vm } = r;
  const on = (names: string[]) => (names.length ? names.join(', ') : 'none');
  return [
    `host mode: ${host.usable ? 'usable' : 'not usable'}`,
    `  root: ${yesNo(host.root)}`,
    `  kernel: loop ${yesNo(host.loop)}, FUSE ${yesNo(host.fuse)}, nbd ${yesNo(host.nbd)}, device-mapper ${yesNo(host.deviceMapper)}, md ${yesNo(host.md)}`,
    `  tools: ${on(Object.keys(host.tools).sort())}`,
    `  features: ${on(FEATURE_GROUPS.filter((g) => host.features[g]))}`,
    `  not available: ${on(FEATURE_GROUPS.filter((g) => !host.features[g]))}`,
    // Sessions do not run in a VM yet: the report says what a VM needs, not that sessions can use one.
    `VM mode: ${vm.usable ? `a VM can boot (${vm.accel.toUpperCase()}); sessions do not run in it yet` : 'a VM cannot boot here'}`,
    `  qemu: ${vm.qemu ?? 'not found'}`,
    `  kernel: ${vm.kernel ? `${vm.kernel.image}${vm.kernel.readable ? '' : ' (not readable)'}, modules ${vm.kernel.modules}${vm.kernel.modulesReadable ? '' : ' (not readable)'}` : 'none'}`,
    `  initramfs: ${vm.initramfs ? `${vm.initramfs.path} (${vm.initramfs.cached ? 'cached' : 'built on first use'})` : '-'}`,
    `  KVM: ${vm.kvm.state} (${vm.kvm.detail}, ${vm.kvm.durationMs} ms) → ${vm.accel.toUpperCase()}`,
    ...vm.missing.map((m) => `  missing: ${m}`),
  ];
}

/** Adds `vmcraft doctor [--json]`. */
export function addDoctorCommand(program: Command, io: ShellIo): void {
  program
    .command('doctor')
    .description('tell what this host can do in host mode and in VM mode')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { json?: boolean }) => {
      const [host, vm] = await Promise.all([probeHost(), probeVm()]);
      const report = composeDoctorReport(host, vm);
      if (opts.json) io.out(JSON.stringify(report, null, 2));
      else for (const line of formatDoctorReport(report)) io.out(line);
    });
}
