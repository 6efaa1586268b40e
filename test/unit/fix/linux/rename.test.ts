import { describe, expect, it } from 'vitest';
import { renameIfcfg, renameIfupdown, renameNetplan, renameNetworkd, renameNmKeyfile } from '../../../../src/fix/linux/rename.js';

const R = { ens192: 'ens3', eth1: 'ens4' };

describe('renaming interfaces for their KVM names', () => {
  it('ifupdown (Debian /etc/network/interfaces)', () => {
    const text = '# The primary network interface\nallow-hotplug ens192\niface ens192 inet dhcp\n\nauto br0\niface br0 inet static\n    bridge_ports eth1 ens192\n    address 10.0.0.2/24\n# ens192 mentioned in a comment\n';
    const { text: out, changes } = renameIfupdown(text, R);
    expect(out).toBe('# The primary network interface\nallow-hotplug ens3\niface ens3 inet dhcp\n\nauto br0\niface br0 inet static\n    bridge_ports ens4 ens3\n    address 10.0.0.2/24\n# ens192 mentioned in a comment\n');
    expect(changes).toHaveLength(3);
  });

  it('ifcfg, NetworkManager and networkd', () => {
    expect(renameIfcfg('DEVICE=ens192\nNAME=ens192\nONBOOT=yes\n', R).text).toBe('DEVICE=ens3\nNAME=ens3\nONBOOT=yes\n');
    expect(renameNmKeyfile('[connection]\nid=ens192\ninterface-name=ens192\n', R).text).toBe('[connection]\nid=ens192\ninterface-name=ens3\n');
    expect(renameNetworkd('[Match]\nName=ens192\n[Network]\nDHCP=yes\n', R).text).toBe('[Match]\nName=ens3\n[Network]\nDHCP=yes\n');
    expect(renameIfcfg('DEVICE=ens1920\n', R).changes).toEqual([]);
  });

  it('netplan: ethernets ids, set-name and bridge members, comments kept', () => {
    const text = '# netplan\nnetwork:\n  version: 2\n  ethernets:\n    ens192:\n      dhcp4: true\n    eth1: {}\n  bridges:\n    br0:\n      interfaces: [eth1]\n';
    const { text: out, changes } = renameNetplan(text, R);
    expect(changes).toEqual(['ethernets.ens192 → ens3', 'ethernets.eth1 → ens4', 'bridges member eth1 → ens4']);
    expect(out).toContain('# netplan');
    expect(out).toMatch(/ethernets:\n {4}ens3:\n {6}dhcp4: true\n {4}ens4: {}/);
    expect(out).toMatch(/interfaces: \[ ens4 \]|interfaces: \[ens4\]/);
  });
});
