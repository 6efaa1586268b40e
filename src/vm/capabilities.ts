/** What this host can do in VM mode: QEMU, a kernel with its modules, the cached initramfs, KVM. */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { applianceRecipe } from './appliance.js';
import { cachedImagePath } from './cache.js';
import { initramfsName } from './initramfs.js';
import { kernelReadable, lookForKernel } from './kernel.js';
import { probeKvm, type KvmProbe, type KvmProbeOptions } from './kvm.js';
import { QEMU_SYSTEM } from './qemu.js';

/** What {@link probeVm} found. */
export interface VmCapabilities {
  /** Absolute path of qemu-system-x86_64, when on PATH. */
  qemu?: string;
  /** The kernel the VM would boot, whether this user can read its image and its modules directory. */
  kernel?: { version: string; image: string; readable: boolean; modules: string; modulesReadable: boolean };
  /** The cached initramfs for that kernel, and whether it is built. */
  initramfs?: { path: string; cached: boolean };
  /** The KVM probe. */
  kvm: KvmProbe;
}

async function onPath(program: string, searchPath = process.env.PATH ?? ''): Promise<string | undefined> {
  for (const dir of new Set([...searchPath.split(':'), '/usr/bin', '/bin'].filter(Boolean))) {
    const candidate = path.join(dir, program);
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) return candidate;
  }
  return undefined;
}

/** Probes VM mode's needs; nothing is built or left behind (the KVM probe's QEMU is killed). */
export async function probeVm(options: KvmProbeOptions = {}): Promise<VmCapabilities> {
  const [qemu, kernel] = await Promise.all([onPath(QEMU_SYSTEM), lookForKernel()]);
  const readable = kernel ? await kernelReadable(kernel) : false;
  // The kernel the VM would boot is what shows a KVM that hangs (a BIOS alone runs).
  const kvm = qemu ? await probeKvm({ ...(readable ? { kernel: kernel!.image } : {}), ...options }) : { state: 'untested' as const, detail: `${QEMU_SYSTEM} not found`, durationMs: 0 };
  const caps: VmCapabilities = { ...(qemu ? { qemu } : {}), kvm };
  if (kernel) {
    const modules = `/lib/modules/${kernel.version}`;
    const modulesReadable = await access(modules, constants.R_OK | constants.X_OK).then(() => true, () => false);
    caps.kernel = { ...kernel, readable, modules, modulesReadable };
    // Without a built agent there is no recipe: the initramfs is then reported as not built.
    const recipe = await applianceRecipe().catch(() => undefined);
    const image = recipe ? await cachedImagePath(initramfsName(kernel.version, recipe)) : undefined;
    caps.initramfs = { path: image?.path ?? '', cached: image?.exists ?? false };
  }
  return caps;
}
