/**
 * The fstab styles of the fixture roots, parsed by util-linux itself
 * (`findmnt --fstab -F <root>/etc/fstab -J`), as vmcraft's FstabEntry.
 */
import type { FstabEntry } from '../../../../src/inspect/types.js';

/** Parsed fstab of each style, keyed by style name. */
export const FSTABS: Record<string, FstabEntry[]> = {
  debian: [
    { spec: 'UUID=2b7c1a4e-9f3d-4c1e-8a55-0f6f4b1d7e21', file: '/', vfstype: 'ext4', options: ['errors=remount-ro'], freq: 0, passno: 1 },
    { spec: 'UUID=5d0e6f3a-1c2b-4e8f-9a7d-3b4c5d6e7f80', file: 'none', vfstype: 'swap', options: ['sw'], freq: 0, passno: 0 },
    { spec: '/dev/sr0', file: '/media/cdrom0', vfstype: 'udf,iso9660', options: ['user', 'noauto'], freq: 0, passno: 0 },
  ],
  ubuntu: [
    { spec: 'LABEL=cloudimg-rootfs', file: '/', vfstype: 'ext4', options: ['discard', 'errors=remount-ro'], freq: 0, passno: 1 },
    { spec: 'LABEL=UEFI', file: '/boot/efi', vfstype: 'vfat', options: ['umask=0077'], freq: 0, passno: 1 },
  ],
  mint: [
    { spec: 'UUID=8f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b', file: '/', vfstype: 'ext4', options: ['errors=remount-ro'], freq: 0, passno: 1 },
    { spec: 'LABEL=Data Disk', file: '/mnt/data disk', vfstype: 'ext4', options: ['defaults', 'nofail'], freq: 0, passno: 2 },
    { spec: '/swapfile', file: 'none', vfstype: 'swap', options: ['sw'], freq: 0, passno: 0 },
  ],
  anaconda: [
    { spec: '/dev/mapper/rhel-root', file: '/', vfstype: 'xfs', options: ['defaults'], freq: 0, passno: 0 },
    { spec: 'UUID=0c1b2a39-4d5e-4f60-8a71-92b3c4d5e6f7', file: '/boot', vfstype: 'xfs', options: ['defaults'], freq: 0, passno: 0 },
    { spec: 'UUID=7A1B-2C3D', file: '/boot/efi', vfstype: 'vfat', options: ['umask=0077', 'shortname=winnt'], freq: 0, passno: 2 },
    { spec: '/dev/mapper/rhel-swap', file: 'none', vfstype: 'swap', options: ['defaults'], freq: 0, passno: 0 },
  ],
  suse: [
    { spec: 'UUID=a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d', file: '/', vfstype: 'btrfs', options: ['defaults'], freq: 0, passno: 0 },
    { spec: 'UUID=a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d', file: '/home', vfstype: 'btrfs', options: ['subvol=/@/home'], freq: 0, passno: 0 },
    { spec: 'UUID=11223344-5566-4778-899a-abbccddeeff0', file: 'swap', vfstype: 'swap', options: ['defaults'], freq: 0, passno: 0 },
  ],
  alpine: [
    { spec: 'UUID=6c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5', file: '/', vfstype: 'ext4', options: ['rw', 'relatime'], freq: 0, passno: 1 },
    { spec: 'UUID=9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a', file: '/boot', vfstype: 'ext4', options: ['rw', 'relatime'], freq: 0, passno: 2 },
    { spec: '/dev/cdrom', file: '/media/cdrom', vfstype: 'iso9660', options: ['noauto', 'ro'], freq: 0, passno: 0 },
    { spec: '/dev/usbdisk', file: '/media/usb', vfstype: 'vfat', options: ['noauto'], freq: 0, passno: 0 },
    { spec: 'tmpfs', file: '/tmp', vfstype: 'tmpfs', options: ['nosuid', 'nodev'], freq: 0, passno: 0 },
  ],
  nfs: [
    { spec: 'UUID=1f2e3d4c-5b6a-4798-8a9b-cdef01234567', file: '/', vfstype: 'xfs', options: ['defaults'], freq: 0, passno: 0 },
    { spec: 'nfs.example.com:/export/home', file: '/home', vfstype: 'nfs4', options: ['rw', 'hard', '_netdev'], freq: 0, passno: 0 },
    { spec: '//fileserver/Shared Docs', file: '/mnt/shared', vfstype: 'cifs', options: ['credentials=/root/.smb', 'uid=1000'], freq: 0, passno: 0 },
  ],
  void: [
    { spec: 'tmpfs', file: '/tmp', vfstype: 'tmpfs', options: ['defaults', 'nosuid', 'nodev'], freq: 0, passno: 0 },
    { spec: 'UUID=4d3c2b1a-0f9e-4d8c-b7a6-5f4e3d2c1b0a', file: '/', vfstype: 'ext4', options: ['defaults'], freq: 0, passno: 1 },
  ],
  nixos: [
    { spec: '/dev/disk/by-uuid/0f3c8a2e-7d41-4b6a-9e52-1a2b3c4d5e6f', file: '/', vfstype: 'ext4', options: ['x-initrd.mount'], freq: 0, passno: 1 },
    { spec: '/dev/disk/by-uuid/5A1B-C2D3', file: '/boot', vfstype: 'vfat', options: ['fmask=0022', 'dmask=0022'], freq: 0, passno: 2 },
  ],
  arch: [
    { spec: 'UUID=3e1f5c7a-2b4d-4e6f-8a9b-1c2d3e4f5a6b', file: '/', vfstype: 'ext4', options: ['rw', 'relatime'], freq: 0, passno: 1 },
    { spec: 'UUID=ABCD-1234', file: '/boot', vfstype: 'vfat', options: ['rw', 'relatime', 'fmask=0022', 'dmask=0022', 'codepage=437', 'iocharset=ascii', 'shortname=mixed', 'utf8', 'errors=remount-ro'], freq: 0, passno: 2 },
  ],
  'anaconda-old': [
    { spec: '/dev/VolGroup00/LogVol00', file: '/', vfstype: 'ext3', options: ['defaults'], freq: 1, passno: 1 },
    { spec: 'LABEL=/boot', file: '/boot', vfstype: 'ext3', options: ['defaults'], freq: 1, passno: 2 },
    { spec: 'tmpfs', file: '/dev/shm', vfstype: 'tmpfs', options: ['defaults'], freq: 0, passno: 0 },
    { spec: 'devpts', file: '/dev/pts', vfstype: 'devpts', options: ['gid=5', 'mode=620'], freq: 0, passno: 0 },
    { spec: 'sysfs', file: '/sys', vfstype: 'sysfs', options: ['defaults'], freq: 0, passno: 0 },
    { spec: 'proc', file: '/proc', vfstype: 'proc', options: ['defaults'], freq: 0, passno: 0 },
    { spec: '/dev/VolGroup00/LogVol01', file: 'swap', vfstype: 'swap', options: ['defaults'], freq: 0, passno: 0 },
  ],
  gentoo: [
    { spec: '/dev/sda1', file: '/boot', vfstype: 'vfat', options: ['defaults', 'noatime'], freq: 0, passno: 2 },
    { spec: '/dev/sda3', file: '/', vfstype: 'ext4', options: ['noatime'], freq: 0, passno: 1 },
    { spec: '/dev/sda2', file: 'none', vfstype: 'swap', options: ['sw'], freq: 0, passno: 0 },
    { spec: '/dev/cdrom', file: '/mnt/cdrom', vfstype: 'auto', options: ['noauto', 'user'], freq: 0, passno: 0 },
  ],
  'sles11': [
    { spec: '/dev/disk/by-id/scsi-SATA_VBOX_HARDDISK_VB1a2b3c4d-part1', file: 'swap', vfstype: 'swap', options: ['defaults'], freq: 0, passno: 0 },
    { spec: '/dev/disk/by-id/scsi-SATA_VBOX_HARDDISK_VB1a2b3c4d-part2', file: '/', vfstype: 'ext3', options: ['acl', 'user_xattr'], freq: 1, passno: 1 },
    { spec: 'proc', file: '/proc', vfstype: 'proc', options: ['defaults'], freq: 0, passno: 0 },
    { spec: 'sysfs', file: '/sys', vfstype: 'sysfs', options: ['noauto'], freq: 0, passno: 0 },
  ],
  'phony-debian': [
    { spec: 'LABEL=BOOT', file: '/boot', vfstype: 'ext2', options: ['default'], freq: 0, passno: 0 },
    { spec: '/dev/debian/root', file: '/', vfstype: 'ext2', options: ['default'], freq: 0, passno: 0 },
    { spec: '/dev/debian/usr', file: '/usr', vfstype: 'ext2', options: ['default'], freq: 1, passno: 2 },
    { spec: '/dev/debian/var', file: '/var', vfstype: 'ext2', options: ['default'], freq: 1, passno: 2 },
    { spec: '/dev/debian/home', file: '/home', vfstype: 'ext2', options: ['default'], freq: 1, passno: 2 },
  ],
  'phony-ubuntu': [
    { spec: 'LABEL=BOOT', file: '/boot', vfstype: 'ext2', options: ['default'], freq: 0, passno: 0 },
    { spec: '/dev/sda2', file: '/', vfstype: 'ext2', options: ['default'], freq: 1, passno: 2 },
    { spec: '/dev/mapper/cryptswap1', file: 'none', vfstype: 'swap', options: ['sw'], freq: 0, passno: 0 },
  ],
  'phony-fedora': [
    { spec: 'LABEL=BOOT', file: '/boot', vfstype: 'ext2', options: ['default'], freq: 0, passno: 0 },
    { spec: 'LABEL=ROOT', file: '/', vfstype: 'ext2', options: ['default'], freq: 0, passno: 0 },
  ],
  'phony-archlinux': [
    { spec: '/dev/sda1', file: '/', vfstype: 'ext4', options: ['rw', 'relatime', 'data=ordered'], freq: 0, passno: 1 },
  ],
};
