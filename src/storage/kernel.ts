/**
 * The kernel features the storage layers need (device-mapper for LVM and
 * LUKS, md for software RAID): checked before the tool that would need them
 * runs, so a host without them gives a typed error naming what is missing.
 */
import { VmcraftError } from '../core/errors.js';
import { probeHost, type HostCapabilities } from '../core/probe.js';

/** A kernel feature a storage layer needs, with the name the error gives it. */
const FEATURES = {
  deviceMapper: 'device-mapper',
  md: 'md (software RAID) driver',
} as const satisfies Partial<Record<keyof HostCapabilities['kernel'], string>>;

/**
 * EUNSUPPORTED unless this host's kernel has `feature`, e.g. `this host's
 * kernel has no device-mapper, needed for the LVM volume group accvg`.
 * @param needer what needs it, as the message names it
 */
export async function requireKernelFeature(feature: keyof typeof FEATURES, needer: string): Promise<void> {
  if ((await probeHost()).kernel[feature]) return;
  throw new VmcraftError('EUNSUPPORTED', `this host's kernel has no ${FEATURES[feature]}, needed for ${needer}`);
}
