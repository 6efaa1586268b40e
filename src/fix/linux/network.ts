/**
 * Network configuration that pins interfaces to the old hypervisor's MAC
 * addresses: ifcfg HWADDR/MACADDR, netplan match.macaddress, NetworkManager
 * mac-address, systemd-networkd [Match] MACAddress, udev persistent-net rules.
 * On the new hypervisor the NIC has another MAC, so such config never applies.
 */
import { parseDocument, isMap } from 'yaml';

/** ifcfg-* (Red Hat, SUSE): drops HWADDR= and MACADDR= lines. */
export function unpinIfcfg(text: string): { text: string; removed: string[] } {
  const removed: string[] = [];
  const kept = text.split('\n').filter((l) => {
    const hit = /^\s*(HWADDR|MACADDR)\s*=/.test(l);
    if (hit) removed.push(l.trim());
    return !hit;
  });
  return { text: kept.join('\n'), removed };
}

/** NetworkManager keyfiles: drops mac-address= (and cloned-mac-address= stays: it sets, not matches). */
export function unpinNmKeyfile(text: string): { text: string; removed: string[] } {
  const removed: string[] = [];
  const kept = text.split('\n').filter((l) => {
    const hit = /^\s*mac-address\s*=/.test(l);
    if (hit) removed.push(l.trim());
    return !hit;
  });
  return { text: kept.join('\n'), removed };
}

/** systemd-networkd .network/.link: drops MACAddress= / PermanentMACAddress= in [Match]. */
export function unpinNetworkd(text: string): { text: string; removed: string[] } {
  const removed: string[] = [];
  let section = '';
  const kept = text.split('\n').filter((l) => {
    const header = /^\s*\[(\w+)\]/.exec(l);
    if (header) section = header[1]!;
    const hit = section === 'Match' && /^\s*(Permanent)?MACAddress\s*=/.test(l);
    if (hit) removed.push(l.trim());
    return !hit;
  });
  return { text: kept.join('\n'), removed };
}

/**
 * netplan: removes `match: macaddress:` (and `set-name`, which needs a match)
 * from ethernets; an interface left without a match is matched by its id,
 * the name it had. Comments and layout of the rest are kept.
 */
export function unpinNetplan(text: string): { text: string; removed: string[] } {
  const doc = parseDocument(text);
  const removed: string[] = [];
  const ethernets = doc.getIn(['network', 'ethernets']);
  if (!isMap(ethernets)) return { text, removed };
  for (const item of ethernets.items) {
    const id = String((item.key as { value?: unknown })?.value ?? item.key);
    const iface = item.value;
    if (!isMap(iface)) continue;
    const match = iface.get('match');
    if (!isMap(match) || !match.has('macaddress')) continue;
    removed.push(`${id}: match.macaddress ${String(match.get('macaddress'))}`);
    match.delete('macaddress');
    if (match.items.length === 0) {
      iface.delete('match');
      if (iface.has('set-name')) {
        removed.push(`${id}: set-name ${String(iface.get('set-name'))}`);
        iface.delete('set-name');
      }
    }
  }
  return { text: removed.length ? doc.toString() : text, removed };
}
