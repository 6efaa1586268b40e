import { describe, expect, it } from 'vitest';
import { stabilizeRootArgs } from '../../../../src/fix/linux/boot.js';

const STABLE: Record<string, string> = { '/dev/sda1': 'UUID=1111-aaaa', '/dev/sda2': 'UUID=2222-bbbb', '/dev/sdb1': 'PARTUUID=3333-cccc', '/dev/disk/by-path/pci-0000:03:00.0-scsi-0:0:1:0-part1': 'UUID=4444' };
const stable = (spec: string) => STABLE[spec];

describe('stabilizeRootArgs (grub)', () => {
  it('rewrites root= and resume= device names on kernel command lines', () => {
    const grub = 'GRUB_CMDLINE_LINUX="root=/dev/sda2 resume=/dev/sda1 crashkernel=auto rhgb quiet"\n';
    expect(stabilizeRootArgs(grub, stable)).toEqual({ text: 'GRUB_CMDLINE_LINUX="root=UUID=2222-bbbb resume=UUID=1111-aaaa crashkernel=auto rhgb quiet"\n', reasons: ['root=/dev/sda2 → root=UUID=2222-bbbb', 'resume=/dev/sda1 → resume=UUID=1111-aaaa'] });
    const cfg = "\tlinux\t/vmlinuz-3.10.0-1160.el7.x86_64 root=/dev/mapper/centos-root ro\n\tlinux /boot/vmlinuz root=/dev/sda2 ro quiet\n";
    expect(stabilizeRootArgs(cfg, stable).reasons).toEqual(['root=/dev/sda2 → root=UUID=2222-bbbb']);
  });
});
