/**
 * OS inspection: every filesystem that might be a root is mounted read-only on
 * a scratch directory and handed to the detectors; roots found get their
 * fstab resolved to this session's devices.
 */
import { isVmcraftError } from '../core/errors.js';
import { dirGuestReader } from '../fs/reader.js';
import type { BlockDevice } from '../storage/types.js';
import { resolveFstabSpec } from './fstab-devices.js';
import { inspectLinuxRoot } from './linux/index.js';
import { inspectWindowsRoot, type HiveKeyReader, type HiveTreeReader } from './windows.js';
import type { FstabEntry, OsFacts, OsInfo, OsMountpoint } from './types.js';

/** Filesystem types that can hold a root we know how to inspect. */
const ROOT_CANDIDATE_TYPES = new Set(['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'jfs', 'reiserfs', 'f2fs', 'ntfs']);

/** Filesystem types in fstab that are never local mount points. */
const NOT_LOCAL = new Set(['swap', 'nfs', 'nfs4', 'cifs', 'smbfs', 'tmpfs', 'proc', 'sysfs', 'devpts', 'none', 'bind', '9p', 'fuse', 'sshfs']);

/** Whether a device is worth mounting to look for an OS root. */
export function isRootCandidate(device: BlockDevice): boolean {
  return device.probe.type !== undefined && ROOT_CANDIDATE_TYPES.has(device.probe.type);
}

/** Orders mount points so that parents come first (`/`, `/boot`, `/boot/efi`). */
export function sortMountpoints(mountpoints: OsMountpoint[]): OsMountpoint[] {
  const depth = (p: string) => (p === '/' ? 0 : p.split('/').length - 1);
  return [...mountpoints].sort((a, b) => depth(a.mountpoint) - depth(b.mountpoint) || a.mountpoint.localeCompare(b.mountpoint));
}

/** Combines the facts of a root's files with this session's devices. */
export function buildOsInfo(root: BlockDevice, facts: OsFacts, devices: readonly BlockDevice[]): OsInfo {
  const { fstab, crypttab, ...rest } = facts;
  const mountpoints: OsMountpoint[] = [];
  const filesystems = new Set<string>([root.name]);
  for (const entry of fstab) {
    const device = resolveFstabSpec(entry.spec, devices, crypttab);
    if (!device) continue;
    filesystems.add(device.name);
    if (isLocalMount(entry) && !mountpoints.some((m) => m.mountpoint === entry.file)) {
      mountpoints.push({ mountpoint: entry.file, device: device.name });
    }
  }
  if (!mountpoints.some((m) => m.mountpoint === '/')) mountpoints.push({ mountpoint: '/', device: root.name });
  return { ...rest, root: root.name, mountpoints: sortMountpoints(mountpoints), filesystems: [...filesystems], fstab, crypttab };
}

/** Whether an fstab entry is a local filesystem mounted in the guest's tree (not swap, a share, tmpfs or a bind). */
export function isLocalMount(entry: FstabEntry): boolean {
  return entry.file.startsWith('/') && !NOT_LOCAL.has(entry.vfstype) && !entry.options.includes('bind');
}

/** Mounts a device somewhere private and read-only; returns where and how to let go. */
export type ScratchMounter = (device: string) => Promise<{ hostDir: string; release: () => Promise<void> }>;

/** How many filesystems inspection mounts and reads at once. */
const INSPECT_AT_ONCE = 4;

/** Inspects every candidate filesystem and returns the OSes found, in device order. */
export async function inspectDevices(
  devices: readonly BlockDevice[],
  mountScratch: ScratchMounter,
  warn: (message: string) => void,
  hives: (scratchDir: string) => { readKey: HiveKeyReader; readTree: HiveTreeReader },
): Promise<OsInfo[]> {
  const inspectOne = async (device: BlockDevice): Promise<OsInfo | undefined> => {
    let scratch;
    try {
      scratch = await mountScratch(device.name);
    } catch (err) {
      // A damaged filesystem must not hide the OSes on the others.
      if (!isVmcraftError(err, 'EMOUNT')) throw err;
      warn(`inspection skipped ${device.name}: ${err.message}`);
      return undefined;
    }
    try {
      const reader = dirGuestReader(scratch.hostDir);
      const { readKey, readTree } = hives(scratch.hostDir);
      const warnFile = (message: string) => warn(`inspection of ${device.name}: ${message}`);
      let facts;
      try {
        facts = (await inspectLinuxRoot(reader, warnFile)) ?? (await inspectWindowsRoot(reader, readKey, readTree, devices, warnFile));
      } catch (err) {
        // A root whose OS files are broken (a corrupt hive…) is reported, and does not hide the others.
        if (!isVmcraftError(err, 'EINSPECT') && !isVmcraftError(err, 'EREGISTRY') && !isVmcraftError(err, 'ENOENT')) throw err;
        warn(`inspection skipped ${device.name}: ${err.message}`);
      }
      return facts ? buildOsInfo(device, facts, devices) : undefined;
    } finally {
      await scratch.release();
    }
  };
  // The filesystems are looked at side by side (a few at a time); every look
  // has ended, its scratch mount released, before an error is thrown.
  const candidates = devices.filter(isRootCandidate);
  const results: PromiseSettledResult<OsInfo | undefined>[] = [];
  for (let i = 0; i < candidates.length; i += INSPECT_AT_ONCE) {
    results.push(...(await Promise.allSettled(candidates.slice(i, i + INSPECT_AT_ONCE).map(inspectOne))));
  }
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.flatMap((r) => (r.status === 'fulfilled' && r.value ? [r.value] : []));
}
