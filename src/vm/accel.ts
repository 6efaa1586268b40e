/**
 * The accelerator a VM-mode session's VM runs under: KVM when the probe boots
 * a kernel under it, TCG otherwise. The probe's verdict is kept for the
 * host's boot (keyed by its boot id and the kernel), so only the first VM
 * after a reboot pays for it.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { vmCacheDir } from './cache.js';
import { probeKvm, type KvmProbe } from './kvm.js';
import type { VmKernel } from './kernel.js';

/** Which accelerator, and why. */
export interface AccelChoice {
  accel: 'kvm' | 'tcg';
  reason: string;
}

async function bootId(): Promise<string> {
  return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8').catch(() => 'unknown')).trim();
}

/** The accelerator for `asked` (`auto` probes KVM once per host boot and kernel). */
export async function chooseAccel(asked: 'auto' | 'kvm' | 'tcg', kernel: VmKernel): Promise<AccelChoice> {
  if (asked !== 'auto') return { accel: asked, reason: `asked for ${asked}` };
  const file = path.join(await vmCacheDir(), `kvm-${await bootId()}-${kernel.version}.json`);
  let probe = await readFile(file, 'utf8').then((t) => JSON.parse(t) as KvmProbe, () => undefined);
  if (!probe) {
    probe = await probeKvm({ kernel: kernel.image });
    const tmp = `${file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(probe)).then(() => rename(tmp, file), () => undefined);
  }
  return probe.state === 'usable' ? { accel: 'kvm', reason: probe.detail } : { accel: 'tcg', reason: `KVM ${probe.state}: ${probe.detail}` };
}
