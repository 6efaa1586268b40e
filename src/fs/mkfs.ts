/**
 * Making and changing filesystems with the host's tools, as libguestfs'
 * daemon does it (daemon/mkfs.c, labels.c, uuids.c, swap.c): argv built
 * here, from checked arguments, as plain data; the calls run them.
 */
import { VmcraftError } from '../core/errors.js';

/** Filesystem types mkfs makes. */
export const MKFS_TYPES = ['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'vfat', 'fat', 'msdos', 'ntfs', 'exfat'] as const;

/** libguestfs' mkfs optargs. */
export interface MkfsOptions {
  /** Block size in bytes (a power of two): ext/xfs block size, vfat/ntfs cluster size; not for btrfs. */
  blocksize?: number;
  /** `-O` features (ext2/3/4: `^has_journal,…`). */
  features?: string;
  /** Inode size in bytes (ext2/3/4 only). */
  inode?: number;
  /** Sector size (ufs only in libguestfs: refused here, vmcraft makes no ufs). */
  sectorsize?: number;
  label?: string;
}

const EXT = new Set(['ext2', 'ext3', 'ext4']);
const FAT = new Set(['vfat', 'fat', 'msdos']);
const isPowerOf2 = (n: number) => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

/** The most bytes a label may have, per filesystem (what their tools accept). */
const LABEL_MAX: Record<string, number> = { ext2: 16, ext3: 16, ext4: 16, xfs: 12, btrfs: 255, vfat: 11, fat: 11, msdos: 11, ntfs: 128, exfat: 15, swap: 16 };

/** EINVAL unless `label` fits `fstype`. */
export function checkLabel(fstype: string, label: string): void {
  const max = LABEL_MAX[fstype];
  if (max !== undefined && Buffer.byteLength(label) > max) throw new VmcraftError('EINVAL', `${JSON.stringify(label)}: ${fstype} labels are limited to ${max} bytes`);
  if (label.includes('\n') || label.includes('\0')) throw new VmcraftError('EINVAL', 'a label cannot hold a newline or NUL');
}

/**
 * The argv of libguestfs' mkfs for `fstype` on `device` (a host device).
 * @param sectorSize the device's logical sector size (vfat maps a block size to sectors per cluster)
 */
export function mkfsArgv(fstype: string, device: string, options: MkfsOptions, sectorSize: number): [string, ...string[]] {
  if (!(MKFS_TYPES as readonly string[]).includes(fstype)) throw new VmcraftError('EINVAL', `mkfs: unknown or unsupported filesystem type ${JSON.stringify(fstype)} (one of ${MKFS_TYPES.join(', ')})`);
  const bad = (message: string) => new VmcraftError('EINVAL', `mkfs: ${message}`);
  const ext = EXT.has(fstype);
  const fat = FAT.has(fstype);
  // mke2fs itself: mkfs would eat -F (libguestfs RHBZ#690819). -F: make it even over an old filesystem.
  const argv: [string, ...string[]] = ext ? ['mke2fs', '-t', fstype, '-F'] : fstype === 'ntfs' ? ['mkntfs', '-Q', '-F'] : fstype === 'exfat' ? ['mkfs.exfat'] : fstype === 'btrfs' ? ['mkfs.btrfs', '-f'] : fstype === 'xfs' ? ['mkfs.xfs', '-f'] : ['mkfs.fat', '-I', '--mbr=n'];
  const { blocksize, features, inode, sectorsize, label } = options;
  if (blocksize !== undefined) {
    if (!isPowerOf2(blocksize)) throw bad('block size must be > 0 and a power of 2');
    if (fat) {
      const perCluster = blocksize / sectorSize;
      if (perCluster < 1 || perCluster > 128) throw bad(`unsupported cluster size for ${fstype} (block size ${blocksize}, sector size ${sectorSize})`);
      argv.push('-s', String(perCluster));
    } else if (fstype === 'ntfs') argv.push('-c', String(blocksize));
    else if (fstype === 'btrfs') throw bad('blocksize cannot be set on btrfs filesystems');
    else if (fstype === 'xfs') argv.push('-b', `size=${blocksize}`);
    else if (fstype === 'exfat') argv.push('-c', String(blocksize));
    else argv.push('-b', String(blocksize));
  }
  if (features !== undefined) {
    if (!ext) throw bad('features (-O) can only be set on ext2/3/4 filesystems');
    argv.push('-O', features);
  }
  if (inode !== undefined) {
    if (!ext) throw bad('inode size (-I) can only be set on ext2/3/4 filesystems');
    if (inode <= 0) throw bad('inode size must be larger than zero');
    argv.push('-I', String(inode));
  }
  if (sectorsize !== undefined) throw bad('sector size (-S) can only be set on ufs filesystems');
  if (label !== undefined) {
    checkLabel(fstype, label);
    argv.push(fat ? '-n' : '-L', label);
  }
  argv.push(device);
  return argv;
}

/** The argv of libguestfs' mkswap (`mkswap -f`). */
export function mkswapArgv(device: string, options: { label?: string; uuid?: string }): [string, ...string[]] {
  const argv: [string, ...string[]] = ['mkswap', '-f'];
  if (options.label !== undefined) {
    checkLabel('swap', options.label);
    argv.push('-L', options.label);
  }
  if (options.uuid !== undefined) argv.push('-U', checkUuid(options.uuid));
  argv.push(device);
  return argv;
}

const UUID = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;

/** A UUID, checked: the tools' magic words (`random`, `clear`, `time`, `nil`, `generate`) are refused, as libguestfs refuses them. */
export function checkUuid(uuid: string): string {
  if (!UUID.test(uuid)) throw new VmcraftError('EINVAL', `${JSON.stringify(uuid)} is not a UUID`);
  return uuid;
}

/** The argv that sets the label of a `vfsType` filesystem on `device` (libguestfs set_label); EUNSUPPORTED for other types. */
export function setLabelArgv(vfsType: string, device: string, label: string): [string, ...string[]] {
  checkLabel(vfsType, label);
  if (EXT.has(vfsType)) return ['e2label', device, label];
  if (FAT.has(vfsType)) return ['fatlabel', device, label];
  switch (vfsType) {
    case 'ntfs':
      return ['ntfslabel', device, label];
    case 'xfs':
      if (label === '---') throw new VmcraftError('EINVAL', 'xfs: invalid new label');
      return ['xfs_admin', '-L', label, device];
    case 'btrfs':
      return ['btrfs', 'filesystem', 'label', device, label];
    case 'swap':
      return ['swaplabel', '-L', label, device];
    case 'exfat':
      return ['exfatlabel', device, label];
    default:
      throw new VmcraftError('EUNSUPPORTED', `don't know how to set the label for '${vfsType}' filesystems`);
  }
}

/** The argv that sets the UUID of a `vfsType` filesystem on `device` (libguestfs set_uuid); EUNSUPPORTED for other types. */
export function setUuidArgv(vfsType: string, device: string, uuid: string): [string, ...string[]] {
  checkUuid(uuid);
  if (EXT.has(vfsType)) return ['tune2fs', '-f', '-U', uuid, device];
  switch (vfsType) {
    case 'xfs':
      return ['xfs_admin', '-U', uuid, device];
    case 'swap':
      return ['swaplabel', '-U', uuid, device];
    case 'btrfs':
      return ['btrfstune', '-f', '-U', uuid, device];
    default:
      throw new VmcraftError('EUNSUPPORTED', `don't know how to set the UUID for '${vfsType}' filesystems`);
  }
}

/** libguestfs e2fsck's options: at most one. */
export function e2fsckArgv(device: string, options: { correct?: boolean; forceall?: boolean }): [string, ...string[]] {
  if (options.correct && options.forceall) throw new VmcraftError('EINVAL', "e2fsck: only one of the options 'correct' or 'forceall' may be specified");
  return ['e2fsck', '-f', ...(options.correct ? ['-p'] : []), ...(options.forceall ? ['-y'] : []), device];
}
