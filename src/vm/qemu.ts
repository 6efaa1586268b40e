/** The QEMU command line of a VM: a kernel and initramfs, 9p shares, the console on the serial line. */

/** A host directory shared into the VM over 9p. */
export interface VmShare {
  /** The host directory. */
  path: string;
  /** The mount tag the guest mounts it by. */
  tag: string;
  /** Shared read-only (QEMU refuses writes). */
  readonly?: boolean;
}

/** What {@link qemuArgs} builds a command line from. */
export interface QemuBootOptions {
  /** Kernel image path. */
  kernel: string;
  /** Initramfs path. */
  initramfs: string;
  /** Extra words for the kernel command line (after the console and quiet settings). */
  append?: string;
  /** `tcg` or `kvm`. @default 'tcg' */
  accel?: 'tcg' | 'kvm';
  /** Guest memory. @default 3072 */
  memoryMiB?: number;
  /** Guest vCPUs. @default 2 */
  cpus?: number;
  /** Directories shared over 9p. */
  shares?: readonly VmShare[];
}

/** The program that runs the VM. */
export const QEMU_SYSTEM = 'qemu-system-x86_64';

/** The arguments of {@link QEMU_SYSTEM} for a VM with no network and no display, its console on stdio, powered off on reboot. */
export function qemuArgs(options: QemuBootOptions): string[] {
  const share = ({ path, tag, readonly }: VmShare) => ['-virtfs', `local,path=${path},mount_tag=${tag},security_model=none,multidevs=remap${readonly ? ',readonly=on' : ''}`];
  const append = ['console=ttyS0 quiet loglevel=3 panic=-1', ...(options.append ? [options.append] : [])].join(' ');
  return [
    '-accel', options.accel ?? 'tcg', '-m', String(options.memoryMiB ?? 3072), '-smp', String(options.cpus ?? 2),
    '-kernel', options.kernel, '-initrd', options.initramfs,
    '-append', append,
    '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-no-reboot', '-nic', 'none',
    ...(options.shares ?? []).flatMap(share),
  ];
}
