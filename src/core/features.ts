/** Feature groups (libguestfs optgroups) and the host facts that make each usable. */
import type { HostCapabilities } from './probe.js';

/** A feature group a caller can ask about with `g.available()`. */
export type FeatureGroup = 'fuse' | 'loop' | 'nbd' | 'lvm2' | 'luks' | 'mdadm' | 'xfs' | 'btrfs' | 'ntfs' | 'hivex' | 'augeas' | 'convert';

const RULES: Record<FeatureGroup, (h: HostCapabilities) => boolean> = {
  fuse: (h) => h.kernel.fuse && 'qemu-storage-daemon' in h.tools,
  loop: (h) => h.kernel.loop && 'losetup' in h.tools,
  nbd: (h) => h.kernel.nbd && 'qemu-nbd' in h.tools,
  lvm2: (h) => h.kernel.deviceMapper && 'lvm' in h.tools,
  luks: (h) => h.kernel.deviceMapper && 'cryptsetup' in h.tools,
  mdadm: (h) => h.kernel.md && 'mdadm' in h.tools,
  xfs: (h) => h.kernelFilesystems.includes('xfs'),
  btrfs: (h) => h.kernelFilesystems.includes('btrfs'),
  ntfs: (h) => h.kernelFilesystems.includes('ntfs3') || ('ntfs-3g' in h.tools && h.kernel.fuse),
  hivex: (h) => 'hivexsh' in h.tools && 'hivexregedit' in h.tools && 'prlimit' in h.tools,
  augeas: (h) => 'augtool' in h.tools,
  convert: (h) => 'qemu-img' in h.tools,
};

/** Every feature group name. */
export const FEATURE_GROUPS = Object.keys(RULES) as FeatureGroup[];

/** Whether every group in `groups` is usable on a host. */
export function featuresAvailable(host: HostCapabilities, groups: readonly FeatureGroup[]): boolean {
  return groups.every((g) => RULES[g]?.(host) ?? false);
}
