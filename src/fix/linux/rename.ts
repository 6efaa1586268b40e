/**
 * Renaming network interfaces in the guest's configuration, for guests whose
 * NIC gets another name on KVM (VMware's ens192 → virtio's ens3, eth0 →
 * enp1s0…): netplan, ifupdown, ifcfg, NetworkManager keyfiles, networkd.
 */
import { isMap, isSeq, parseDocument } from 'yaml';

/** Old name → new name. */
export type InterfaceRenames = Readonly<Record<string, string>>;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Replaces whole-word names after the given line prefixes (`iface eth0 inet dhcp` → `iface ens3 …`). */
function renameWords(text: string, renames: InterfaceRenames, linePattern: RegExp): { text: string; changes: string[] } {
  const changes: string[] = [];
  const out = text.split('\n').map((line) => {
    if (!linePattern.test(line)) return line;
    let next = line;
    for (const [from, to] of Object.entries(renames)) next = next.replace(new RegExp(`(?<=[\\s=,])${escape(from)}(?=\\s|$|,|:)`, 'g'), to);
    if (next !== line) changes.push(`${line.trim()} → ${next.trim()}`);
    return next;
  });
  return { text: out.join('\n'), changes };
}

/** /etc/network/interfaces: auto, allow-*, iface, and bridge/bond member lists. */
export function renameIfupdown(text: string, renames: InterfaceRenames) {
  return renameWords(text, renames, /^\s*(auto|allow-[\w-]+|iface|bridge[_-]ports|bond[_-]slaves)\s/);
}

/** ifcfg: DEVICE= and NAME= (the file itself is renamed by the caller). */
export function renameIfcfg(text: string, renames: InterfaceRenames) {
  return renameWords(text, renames, /^\s*(DEVICE|NAME|MASTER|BRIDGE)\s*=/);
}

/** NetworkManager keyfiles: interface-name=. */
export function renameNmKeyfile(text: string, renames: InterfaceRenames) {
  return renameWords(text, renames, /^\s*interface-name\s*=/);
}

/** systemd-networkd: Name= in [Match]. */
export function renameNetworkd(text: string, renames: InterfaceRenames) {
  return renameWords(text, renames, /^\s*Name\s*=/);
}

/** netplan: ethernets keys, set-name values and bridge/bond member lists. */
export function renameNetplan(text: string, renames: InterfaceRenames): { text: string; changes: string[] } {
  const doc = parseDocument(text);
  const changes: string[] = [];
  const ethernets = doc.getIn(['network', 'ethernets']);
  if (isMap(ethernets)) {
    for (const item of ethernets.items) {
      const key = item.key as { value?: unknown };
      const id = String(key?.value ?? item.key);
      const to = renames[id];
      if (to) {
        if (key && typeof key === 'object' && 'value' in key) key.value = to;
        else item.key = to as never;
        changes.push(`ethernets.${id} → ${to}`);
      }
      if (isMap(item.value) && typeof item.value.get('set-name') === 'string' && renames[item.value.get('set-name') as string]) {
        const from = item.value.get('set-name') as string;
        item.value.set('set-name', renames[from]);
        changes.push(`set-name ${from} → ${renames[from]}`);
      }
    }
  }
  for (const kind of ['bridges', 'bonds']) {
    const group = doc.getIn(['network', kind]);
    if (!isMap(group)) continue;
    for (const item of group.items) {
      const members = isMap(item.value) ? item.value.get('interfaces') : undefined;
      if (!isSeq(members)) continue;
      members.items = members.items.map((m) => {
        const name = String((m as { value?: unknown })?.value ?? m);
        if (!renames[name]) return m;
        changes.push(`${kind} member ${name} → ${renames[name]}`);
        return doc.createNode(renames[name]);
      });
    }
  }
  return { text: changes.length ? doc.toString() : text, changes };
}
