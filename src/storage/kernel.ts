/**
 * The kernel features the storage layers need (device-mapper for LVM and
 * LUKS, md for software RAID): checked before the tool that would need them
 * runs, so a host without them gives a typed error naming what is missing,
 * which `auto` mode takes as its cue to run the session in a VM.
 */
import { VmcraftError } from '../core/errors.js';
import type { LayerContext } from './types.js';

/** A kernel feature a storage layer needs: the name `VmcraftError.feature` gives it, and the one its message gives. */
const FEATURES = {
  deviceMapper: { feature: 'device-mapper', named: 'device-mapper' },
  md: { feature: 'md', named: 'md (software RAID) driver' },
} as const satisfies Record<keyof LayerContext['kernel'], { feature: string; named: string }>;

/** What a host-mode refusal adds, so the caller knows the way round it. */
export const VM_MODE_HINT = " (mode 'vm' or 'auto' runs the session in a VM, with a kernel of its own)";

/**
 * EUNSUPPORTED with `feature` set unless the session's kernel
 * (`ctx.kernel`) has `feature`, e.g. `this host's kernel has no
 * device-mapper, needed for the LVM volume group accvg (mode 'vm' …)`.
 * @param needer what needs it, as the message names it
 */
export function requireKernelFeature(ctx: Pick<LayerContext, 'kernel'>, feature: keyof LayerContext['kernel'], needer: string): void {
  if (!ctx.kernel[feature]) throw missingKernelFeature(feature, needer);
}

/** The EUNSUPPORTED error of {@link requireKernelFeature}, for a tool that found out itself (cryptsetup falling back to dm-crypt). */
export function missingKernelFeature(feature: keyof LayerContext['kernel'], needer: string): VmcraftError {
  const { feature: name, named } = FEATURES[feature];
  return new VmcraftError('EUNSUPPORTED', `this host's kernel has no ${named}, needed for ${needer}${VM_MODE_HINT}`, { feature: name });
}
