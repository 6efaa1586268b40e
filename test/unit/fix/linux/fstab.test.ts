import { describe, expect, it } from 'vitest';
import { rewriteSpecs } from '../../../../src/fix/linux/fstab.js';

const STABLE: Record<string, string> = { '/dev/sda1': 'UUID=1111-aaaa', '/dev/sda2': 'UUID=2222-bbbb', '/dev/sdb1': 'PARTUUID=3333-cccc', '/dev/disk/by-path/pci-0000:03:00.0-scsi-0:0:1:0-part1': 'UUID=4444' };
const stable = (spec: string) => STABLE[spec];

describe('rewriteSpecs (fstab of a CentOS 7 guest from VMware)', () => {
  const FSTAB = `
#
# /etc/fstab
# Created by anaconda on Tue Mar  3 10:41:12 2020
#
/dev/mapper/centos-root /                       xfs     defaults        0 0
/dev/sda1               /boot                   xfs     defaults        0 0
/dev/sdb1	/data	ext4	defaults,noatime	0 2
/dev/sdc1               /scratch                ext4    defaults        0 0
/dev/disk/by-path/pci-0000:03:00.0-scsi-0:0:1:0-part1 /srv ext4 defaults 0 0
UUID=9d6b-0001          swap                    swap    defaults        0 0
nas:/export/home        /home                   nfs     defaults,_netdev 0 0
tmpfs                   /dev/shm                tmpfs   defaults        0 0
`;

  it('rewrites only unstable, resolvable specs and keeps everything else byte for byte', () => {
    const { text, rewrites } = rewriteSpecs(FSTAB, 0, stable);
    expect(rewrites).toEqual([
      { line: 7, from: '/dev/sda1', to: 'UUID=1111-aaaa' },
      { line: 8, from: '/dev/sdb1', to: 'PARTUUID=3333-cccc' },
      { line: 10, from: '/dev/disk/by-path/pci-0000:03:00.0-scsi-0:0:1:0-part1', to: 'UUID=4444' },
    ]);
    expect(text).toBe(FSTAB.replace('/dev/sda1               /boot', 'UUID=1111-aaaa               /boot').replace('/dev/sdb1\t/data', 'PARTUUID=3333-cccc\t/data').replace('/dev/disk/by-path/pci-0000:03:00.0-scsi-0:0:1:0-part1 /srv', 'UUID=4444 /srv'));
    expect(text).toContain('/dev/sdc1               /scratch'); // no device of this session: left alone
  });

  it('is idempotent', () => {
    const once = rewriteSpecs(FSTAB, 0, stable).text;
    expect(rewriteSpecs(once, 0, stable)).toEqual({ text: once, rewrites: [] });
  });

  it('rewrites the source field of crypttab', () => {
    expect(rewriteSpecs('sda2_crypt /dev/sda2 none luks,discard\n', 1, stable).text).toBe('sda2_crypt UUID=2222-bbbb none luks,discard\n');
  });
});
