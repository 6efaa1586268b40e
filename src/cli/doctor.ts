/**
 * `vmcraft doctor`: what this host can do in each mode — host mode (root, the
 * kernel's loop/FUSE/nbd/device-mapper/md, the tools, the feature groups) and
 * VM mode (QEMU, a kernel and its modules, the cached initramfs, KVM or TCG) —
 * and what `mode: 'auto'` would pick here for a plain image, one with LVM or
 * LUKS, and one with md RAID.
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
    /** What stops host mode, for a person; empty when usable. */
    missing: string[];
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
  /** What `mode: 'auto'` would pick on this host, by what the image holds. */
  auto: {
    /** An image that needs only what every host session needs (partitions and filesystems). */
    plain: AutoPick;
    /** An image with LVM or LUKS (host mode needs device-mapper). */
    lvmLuks: AutoPick;
    /** An image with md RAID (host mode needs md). */
    raid: AutoPick;
  };
}

/** Where `auto` would run a session, and why; `none` when neither mode can. */
export interface AutoPick {
  mode: 'host' | 'vm' | 'none';
  why: string;
}

/** Why host mode cannot open anything here; undefined when it can. */
function hostBlocker(host: HostCapabilities, features: Record<FeatureGroup, boolean>): string | undefined {
  if (!host.root) return 'not root';
  if (!features.loop && !features.fuse) return 'neither loop devices nor a FUSE export to attach an image with';
  return undefined;
}

/** `auto`'s pick: the host when it can, else the VM when one can boot. */
function autoPick(hostWhy: string, hostWhyNot: string | undefined, vmUsable: boolean): AutoPick {
  if (hostWhyNot === undefined) return { mode: 'host', why: hostWhy };
  if (vmUsable) return { mode: 'vm', why: hostWhyNot };
  return { mode: 'none', why: `${hostWhyNot}, and a VM cannot boot here` };
}

/** Tools among `names` this host lacks (VM mode runs the host's /usr, so it lacks them too). */
function lacking(host: HostCapabilities, names: string[]): string {
  const absent = names.filter((n) => !(n in host.tools));
  return absent.length ? `; ${absent.join(', ')} not installed: the VM runs this host's tools, so such an image fails in either mode` : '';
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
  const blocker = hostBlocker(host, features);
  const attachWith = [features.loop ? 'loop' : '', features.fuse ? 'FUSE' : ''].filter(Boolean).join(' and ');
  const vmUsable = missing.length === 0;
  return {
    host: {
      root: host.root,
      ...host.kernel,
      tools: host.tools,
      features,
      usable: blocker === undefined,
      missing: blocker === undefined ? [] : [blocker],
    },
    vm: {
      ...(vm.qemu ? { qemu: vm.qemu } : {}),
      ...(vm.kernel ? { kernel: vm.kernel } : {}),
      ...(vm.initramfs ? { initramfs: vm.initramfs } : {}),
      kvm: vm.kvm,
      accel: vm.kvm.state === 'usable' ? 'kvm' : 'tcg',
      usable: vmUsable,
      missing,
    },
    auto: {
      plain: autoPick(`root, and ${attachWith} to attach with`, blocker, vmUsable),
      lvmLuks: autoPick(`the kernel has device-mapper${lacking(host, ['lvm', 'cryptsetup'])}`, blocker ?? (host.kernel.deviceMapper ? undefined : 'the host kernel has no device-mapper'), vmUsable),
      raid: autoPick(`the kernel has md${lacking(host, ['mdadm'])}`, blocker ?? (host.kernel.md ? undefined : 'the host kernel has no md'), vmUsable),
    },
  };
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

/** What host mode opens here, for a person. */
function hostSummary(host: DoctorReport['host']): string {
  if (!host.usable) return `not usable (${host.missing.join('; ')})`;
  const layers = ['partitions and filesystems', ...(host.deviceMapper ? ['LVM', 'LUKS'] : []), ...(host.md ? ['md RAID'] : [])];
  const not = [...(host.deviceMapper ? [] : ['LVM or LUKS (no device-mapper)']), ...(host.md ? [] : ['md RAID (no md)'])];
  return `usable: ${layers.join(', ')}${not.length ? `; not ${not.join(' or ')}` : ''}`;
}

/** The report as lines for a person. */
export function formatDoctorReport(r: DoctorReport): string[] {
  const { host, vm, auto } = r;
  const on = (names: string[]) => (names.length ? names.join(', ') : 'none');
  const pick = (p: AutoPick) => `${p.mode} (${p.why})`;
  return [
    `host mode: ${hostSummary(host)}`,
    `  root: ${yesNo(host.root)}`,
    `  kernel: loop ${yesNo(host.loop)}, FUSE ${yesNo(host.fuse)}, nbd ${yesNo(host.nbd)}, device-mapper ${yesNo(host.deviceMapper)}, md ${yesNo(host.md)}`,
    `  tools: ${on(Object.keys(host.tools).sort())}`,
    `  features: ${on(FEATURE_GROUPS.filter((g) => host.features[g]))}`,
    `  not available: ${on(FEATURE_GROUPS.filter((g) => !host.features[g]))}`,
    `VM mode: ${vm.usable ? `usable (${vm.accel.toUpperCase()}): partitions, filesystems, LVM, LUKS and md RAID under the VM's own kernel, root not needed` : 'not usable: a VM cannot boot here'}`,
    `  qemu: ${vm.qemu ?? 'not found'}`,
    `  kernel: ${vm.kernel ? `${vm.kernel.image}${vm.kernel.readable ? '' : ' (not readable)'}, modules ${vm.kernel.modules}${vm.kernel.modulesReadable ? '' : ' (not readable)'}` : 'none'}`,
    `  initramfs: ${vm.initramfs ? (vm.initramfs.path ? `${vm.initramfs.path} (${vm.initramfs.cached ? 'cached' : 'built on first use'})` : 'built on first use') : '-'}`,
    `  KVM: ${vm.kvm.state} (${vm.kvm.detail}, ${vm.kvm.durationMs} ms) → ${vm.accel.toUpperCase()}`,
    ...vm.missing.map((m) => `  missing: ${m}`),
    'auto would run:',
    `  an image with partitions and filesystems only: ${pick(auto.plain)}`,
    `  an image with LVM or LUKS: ${pick(auto.lvmLuks)}`,
    `  an image with md RAID: ${pick(auto.raid)}`,
  ];
}

/** Adds `vmcraft doctor [--json]`. */
export function addDoctorCommand(program: Command, io: ShellIo): void {
  program
    .command('doctor')
    .description("tell what this host can do in host mode and in VM mode, and what --mode auto would pick")
    .option('--json', 'print the report as JSON')
    .action(async (opts: { json?: boolean }) => {
      const [host, vm] = await Promise.all([probeHost(), probeVm()]);
      const report = composeDoctorReport(host, vm);
      if (opts.json) io.out(JSON.stringify(report, null, 2));
      else for (const line of formatDoctorReport(report)) io.out(line);
    });
}
