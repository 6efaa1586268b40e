/**
 * Mount strategies per filesystem type. Read-only mounts never replay a
 * journal (a replay writes to the image even on a `ro` mount).
 */
import { mountsUnder } from '../core/mountinfo.js';
import { processesWithArgument, waitForExit } from '../core/processes.js';
import { VmcraftError } from '../core/errors.js';
import type { Runner } from '../core/exec.js';

/**
 * Options that make a read-only mount of `vfsType` leave the device untouched.
 * `vfsType` is a blkid type, or a driver where the options depend on it
 * (`ntfs3`, `ntfs-3g`; a blkid `ntfs` means ntfs-3g's options).
 */
export function readOnlyOptions(vfsType: string): string[] {
  switch (vfsType) {
    case 'ext3':
    case 'ext4':
      return ['ro', 'noload'];
    case 'xfs':
      return ['ro', 'norecovery'];
    case 'btrfs':
      return ['ro', 'rescue=nologreplay'];
    case 'ntfs':
    case 'ntfs-3g':
      // ntfs-3g: do not touch $LogFile (and never remove a hibernation file unless asked).
      return ['ro', 'norecover'];
    case 'ntfs3':
      // The kernel's ntfs3 replays $LogFile only on a read-write mount (log_replay stops after reading the
      // log when the superblock is read-only), never removes a hibernation file, and knows no `norecover`.
      return ['ro'];
    default:
      return ['ro'];
  }
}

/**
 * Options every mount of `vfsType` gets: `nodev`, so a device node inside the
 * guest (its /dev/sda is the host's disk here) is inert; `nosuid`, so a
 * setuid binary of the image gives no one on the host its owner's rights
 * (guest commands run as root in their sandbox anyway); xfs `nouuid`, since
 * clones of one filesystem share a UUID.
 */
function baseOptions(vfsType: string): string[] {
  return ['nodev', 'nosuid', ...(vfsType === 'xfs' ? ['nouuid'] : [])];
}

/** What to mount, how and where. */
export interface MountRequest {
  /** Host device node. */
  hostDevice: string;
  /** Filesystem type as probed (blkid TYPE). */
  vfsType: string;
  /** Caller's options (`-o` list), possibly empty. */
  options: string[];
  /** Force a read-only mount with journal replay disabled. */
  readonly: boolean;
  /** Host directory to mount on. */
  hostDir: string;
  /** Filesystems the host kernel has (decides between kernel and FUSE drivers). */
  kernelFilesystems?: readonly string[];
}

/**
 * The mount(8) type for a blkid type, given the filesystems the kernel has:
 * NTFS through the kernel's ntfs3 where the kernel has it, else ntfs-3g
 * (FUSE); exFAT through the kernel's exfat, else exfat-fuse; FAT through
 * fusefat where the kernel has no vfat (read-only only: fusefat's write
 * support is experimental).
 */
export function mountType(vfsType: string, kernelFilesystems: readonly string[] = ['vfat']): string {
  if (vfsType === 'ntfs') return kernelFilesystems.includes('ntfs3') ? 'ntfs3' : 'ntfs-3g';
  if (vfsType === 'exfat' && !kernelFilesystems.includes('exfat')) return 'exfat-fuse';
  if (vfsType === 'vfat' && !kernelFilesystems.includes('vfat')) return 'fuse.fusefat';
  return vfsType;
}

/** The argv of `mount` for a request. */
export function mountArgs(req: MountRequest): string[] {
  if (req.readonly && req.options.includes('rw')) {
    throw new VmcraftError('EREADONLY', 'cannot mount read-write in a read-only session');
  }
  const user = req.options.filter((o) => o !== '' && !(req.readonly && o === 'ro'));
  const type = mountType(req.vfsType, req.kernelFilesystems);
  if (type === 'fuse.fusefat' && !req.readonly && !req.options.includes('ro')) {
    throw new VmcraftError('EUNSUPPORTED', 'this kernel has no vfat driver and FAT through FUSE is read-only here: mount it with mountRo');
  }
  // Read-only options depend on the driver: ntfs3 and ntfs-3g take different ones.
  const options = [...(req.readonly ? readOnlyOptions(type === 'ntfs3' ? type : req.vfsType) : []), ...baseOptions(req.vfsType), ...user];
  const unique = [...new Set(options)];
  return ['-t', type, ...(unique.length ? ['-o', unique.join(',')] : []), req.hostDevice, req.hostDir];
}

/** Mounts a filesystem; failures become EMOUNT with the kernel's reason. */
export async function mountFilesystem(req: MountRequest, runner: Runner): Promise<void> {
  try {
    await runner.run('mount', mountArgs(req));
  } catch (err) {
    if (!(err instanceof VmcraftError) || err.code !== 'ECOMMAND') throw err;
    const reason = (err.command?.stderr ?? '').replace(/^mount: [^:]*: /, '').trim();
    throw new VmcraftError('EMOUNT', `cannot mount ${req.vfsType} filesystem: ${reason || err.message}`, { cause: err, command: err.command });
  }
}

/**
 * Unmounts a host directory, retrying while it is busy (a process may still
 * be closing files). A FUSE filesystem's daemon (ntfs-3g, exfat-fuse,
 * fusefat) holds the block device until it has flushed and exited, which
 * happens after umount returns: it is waited for, so the device is free when
 * this resolves.
 */
export async function unmountFilesystem(hostDir: string, runner: Runner): Promise<void> {
  const fuse = (await mountsUnder(hostDir)).some((m) => m.mountPoint === hostDir && m.fsType.startsWith('fuse'));
  const daemons = fuse ? await processesWithArgument(hostDir) : [];
  try {
    await runner.runWithRetry('umount', [hostDir], { retries: 5, shouldRetry: (err) => /busy/i.test(err.command?.stderr ?? '') });
  } catch (err) {
    throw new VmcraftError('EMOUNT', `cannot unmount: ${(err as Error).message}`, { cause: err });
  }
  const left = await waitForExit(daemons, 30_000);
  if (left.length) throw new VmcraftError('EMOUNT', `the FUSE daemon(s) ${left.join(', ')} of ${hostDir} still run 30 s after umount`);
}
