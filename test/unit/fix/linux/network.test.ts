import { describe, expect, it } from 'vitest';
import { unpinIfcfg, unpinNetplan, unpinNetworkd, unpinNmKeyfile } from '../../../../src/fix/linux/network.js';

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
