import { describe, expect, it } from 'vitest';
import { rewriteSpecs } from '../../../src/fix/linux/fstab.js';
import { unpinIfcfg, unpinNetplan, unpinNetworkd, unpinNmKeyfile } from '../../../src/fix/linux/network.js';
import { stabilizeRootArgs } from '../../../src/fix/linux/boot.js';

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

describe('MAC pinning', () => {
  it('ifcfg (RHEL on VMware, ifcfg-ens192)', () => {
    const ifcfg = 'TYPE=Ethernet\nBOOTPROTO=dhcp\nNAME=ens192\nDEVICE=ens192\nONBOOT=yes\nHWADDR=00:50:56:8e:4a:21\nUUID=5fb06bd0-0bb0-7ffb-45f1-d6edd65f3e03\n';
    expect(unpinIfcfg(ifcfg)).toEqual({ text: ifcfg.replace('HWADDR=00:50:56:8e:4a:21\n', ''), removed: ['HWADDR=00:50:56:8e:4a:21'] });
    expect(unpinIfcfg('DEVICE=eth0\n').removed).toEqual([]);
  });

  it('netplan written by cloud-init (match macaddress + set-name), comments kept', () => {
    const netplan = `# This file is generated from information provided by the datasource.
network:
    ethernets:
        ens3:
            dhcp4: true
            match:
                macaddress: fa:16:3e:12:34:56
            set-name: ens3
        ens4:
            dhcp4: false
    version: 2
`;
    const { text, removed } = unpinNetplan(netplan);
    expect(removed).toEqual(['ens3: match.macaddress fa:16:3e:12:34:56', 'ens3: set-name ens3']);
    expect(text).toContain('# This file is generated from information provided by the datasource.');
    expect(text).not.toContain('macaddress');
    expect(text).toContain('ens4:');
    expect(unpinNetplan(text)).toEqual({ text, removed: [] });
  });

  it('NetworkManager keyfile and systemd-networkd', () => {
    const nm = '[connection]\nid=Wired connection 1\ntype=ethernet\n\n[ethernet]\nmac-address=00:15:5D:01:02:03\ncloned-mac-address=preserve\n\n[ipv4]\nmethod=auto\n';
    expect(unpinNmKeyfile(nm).text).toBe(nm.replace('mac-address=00:15:5D:01:02:03\n', ''));
    const networkd = '[Match]\nMACAddress=00:15:5d:01:02:03\nName=eth0\n\n[Network]\nDHCP=yes\n\n[Link]\nMACAddress=00:15:5d:01:02:03\n';
    expect(unpinNetworkd(networkd)).toEqual({ text: '[Match]\nName=eth0\n\n[Network]\nDHCP=yes\n\n[Link]\nMACAddress=00:15:5d:01:02:03\n', removed: ['MACAddress=00:15:5d:01:02:03'] });
  });
});

describe('stabilizeRootArgs (grub)', () => {
  it('rewrites root= and resume= device names on kernel command lines', () => {
    const grub = 'GRUB_CMDLINE_LINUX="root=/dev/sda2 resume=/dev/sda1 crashkernel=auto rhgb quiet"\n';
    expect(stabilizeRootArgs(grub, stable)).toEqual({ text: 'GRUB_CMDLINE_LINUX="root=UUID=2222-bbbb resume=UUID=1111-aaaa crashkernel=auto rhgb quiet"\n', reasons: ['root=/dev/sda2 → root=UUID=2222-bbbb', 'resume=/dev/sda1 → resume=UUID=1111-aaaa'] });
    const cfg = "\tlinux\t/vmlinuz-3.10.0-1160.el7.x86_64 root=/dev/mapper/centos-root ro\n\tlinux /boot/vmlinuz root=/dev/sda2 ro quiet\n";
    expect(stabilizeRootArgs(cfg, stable).reasons).toEqual(['root=/dev/sda2 → root=UUID=2222-bbbb']);
  });
});
