/**
 * Which distribution package provides each host tool vmcraft runs, so that a
 * missing tool is reported with what to install (an npm user has no setup
 * script to run).
 */

/** Debian/Ubuntu and Fedora/RHEL package names of a tool. */
interface ToolPackages {
  debian: string;
  fedora: string;
}

const same = (name: string): ToolPackages => ({ debian: name, fedora: name });

const PACKAGES: Record<string, ToolPackages> = {
  'qemu-img': { debian: 'qemu-utils', fedora: 'qemu-img' },
  'qemu-nbd': { debian: 'qemu-utils', fedora: 'qemu-img' },
  'qemu-storage-daemon': { debian: 'qemu-system-common', fedora: 'qemu-storage-daemon' },
  'qemu-system-x86_64': { debian: 'qemu-system-x86', fedora: 'qemu-system-x86-core' },
  losetup: same('util-linux'), partx: same('util-linux'), blkid: same('util-linux'), mount: same('util-linux'),
  umount: same('util-linux'), blockdev: same('util-linux'), prlimit: same('util-linux'), setpriv: same('util-linux'),
  sfdisk: { debian: 'fdisk', fedora: 'util-linux' },
  lvm: same('lvm2'),
  cryptsetup: { debian: 'cryptsetup-bin', fedora: 'cryptsetup' },
  mdadm: same('mdadm'),
  'ntfs-3g': same('ntfs-3g'),
  fusefat: { debian: 'fusefat', fedora: 'fusefat' },
  'mount.exfat-fuse': { debian: 'exfat-fuse', fedora: 'fuse-exfat' },
  hivexsh: { debian: 'libhivex-bin', fedora: 'hivex' },
  hivexget: { debian: 'libhivex-bin', fedora: 'hivex' },
  hivexregedit: { debian: 'libwin-hivex-perl', fedora: 'hivex' },
  augtool: { debian: 'augeas-tools', fedora: 'augeas' },
  'mkfs.ext4': same('e2fsprogs'), dumpe2fs: same('e2fsprogs'),
  'mkfs.xfs': same('xfsprogs'), xfs_info: same('xfsprogs'),
  'mkfs.btrfs': same('btrfs-progs'), btrfs: same('btrfs-progs'),
  fusermount3: same('fuse3'),
  bwrap: same('bubblewrap'),
  modprobe: same('kmod'),
  openssl: same('openssl'),
  rpm: same('rpm'),
  getfattr: same('attr'), setfattr: same('attr'),
  lsattr: same('e2fsprogs'), chattr: same('e2fsprogs'),
  file: same('file'), tar: same('tar'), zgrep: same('gzip'),
  zstd: same('zstd'), xz: { debian: 'xz-utils', fedora: 'xz' }, lzop: same('lzop'), bzip2: same('bzip2'),
};

/** What to install for `tool`, as one sentence fragment: `the package qemu-utils (Debian/Ubuntu) or qemu-img (Fedora/RHEL)`. */
export function packageHint(tool: string): string {
  const p = PACKAGES[tool];
  if (!p) return 'the package that provides it';
  return p.debian === p.fedora ? `the package ${p.debian}` : `the package ${p.debian} (Debian/Ubuntu) or ${p.fedora} (Fedora/RHEL)`;
}

/** The message of `ETOOLMISSING` for `tool`. */
export function toolMissingMessage(tool: string): string {
  return `${tool} is not installed: install ${packageHint(tool)}`;
}
