/**
 * The kernel a VM boots: the host's own, from /boot, with its modules under
 * /lib/modules (the initramfs takes its early modules from there).
 */
import { constants } from 'node:fs';
import { access, readdir } from 'node:fs/promises';
import { VmcraftError } from '../core/errors.js';

/** A kernel a VM can boot. */
export interface VmKernel {
  /** Its release, the name of its /lib/modules directory (`6.1.0-57-amd64`). */
  version: string;
  /** Path of the kernel image (`/boot/vmlinuz-<version>`). */
  image: string;
}

/**
 * The kernel to boot out of what is there: the newest (by name, as the harness
 * always chose) release that has both a modules directory and a
 * `vmlinuz-<release>` in /boot; undefined when none has both.
 */
export function pickKernel(moduleDirs: readonly string[], bootEntries: readonly string[], bootDir = '/boot'): VmKernel | undefined {
  const images = new Set(bootEntries);
  const version = moduleDirs.filter((v) => images.has(`vmlinuz-${v}`)).sort().at(-1);
  return version === undefined ? undefined : { version, image: `${bootDir}/vmlinuz-${version}` };
}

/** The kernel to boot, or undefined when this host has none with its modules. */
export async function lookForKernel(): Promise<VmKernel | undefined> {
  const [modules, boot] = await Promise.all(['/lib/modules', '/boot'].map((dir) => readdir(dir).catch(() => [] as string[])));
  return pickKernel(modules!, boot!);
}

/** The kernel to boot: the newest /boot/vmlinuz-* that has its /lib/modules. Throws `ETOOLMISSING` when there is none. */
export async function findKernel(): Promise<VmKernel> {
  const kernel = await lookForKernel();
  if (!kernel) throw new VmcraftError('ETOOLMISSING', 'no kernel for the VM: install linux-image-amd64 (scripts/setup.sh does)');
  return kernel;
}

/** Whether this process can read the kernel image (rootless use needs it; Debian's is mode 0600). */
export async function kernelReadable(kernel: VmKernel): Promise<boolean> {
  return access(kernel.image, constants.R_OK).then(() => true, () => false);
}
