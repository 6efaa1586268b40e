/**
 * Maps the first field of an fstab line to a device of this session:
 * UUID=, LABEL=, PARTUUID=, PARTLABEL=, /dev/disk/by-*, and the kernel names
 * the guest saw (/dev/sda1, /dev/vdb2, /dev/xvda1, /dev/hda1, /dev/nvme0n1p2)
 * mapped by drive order, as libguestfs does.
 */
import type { BlockDevice } from '../storage/types.js';
import type { CrypttabEntry } from './parsers/crypttab.js';

function byProbe(devices: readonly BlockDevice[], pick: (d: BlockDevice) => string | undefined, value: string): BlockDevice | undefined {
  const want = value.toLowerCase();
  return devices.find((d) => pick(d)?.toLowerCase() === want);
}

/** Drive index and partition number from a guest kernel device name, or undefined. */
export function parseGuestDeviceName(spec: string): { drive: number; partition?: number } | undefined {
  const classic = /^\/dev\/(?:sd|vd|hd|xvd)([a-z]+)(\d*)$/.exec(spec);
  if (classic) {
    const drive = [...classic[1]!].reduce((n, ch) => n * 26 + (ch.charCodeAt(0) - 96), 0) - 1;
    return { drive, ...(classic[2] ? { partition: Number(classic[2]) } : {}) };
  }
  const nvme = /^\/dev\/nvme(\d+)n1(?:p(\d+))?$/.exec(spec);
  if (nvme) return { drive: Number(nvme[1]), ...(nvme[2] ? { partition: Number(nvme[2]) } : {}) };
  return undefined;
}

const BY_DIR: Record<string, (d: BlockDevice) => string | undefined> = {
  'by-uuid': (d) => d.probe.uuid,
  'by-label': (d) => d.probe.label,
  'by-partuuid': (d) => d.probe.partEntry?.uuid,
  'by-partlabel': (d) => d.probe.partEntry?.name,
};
const BY_KEY: Record<string, string> = { UUID: 'by-uuid', LABEL: 'by-label', PARTUUID: 'by-partuuid', PARTLABEL: 'by-partlabel' };

/** Decodes the \xNN escapes udev puts in /dev/disk/by-label names. */
function udevUnescape(name: string): string {
  return name.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * The session device an fstab spec names, or undefined when it names none of
 * them. `/dev/mapper/<name>` of a crypttab entry resolves to the opened LUKS
 * device whose encrypted source the entry names, whatever we named the mapping.
 */
export function resolveFstabSpec(spec: string, devices: readonly BlockDevice[], crypttab: readonly CrypttabEntry[] = []): BlockDevice | undefined {
  const mapped = /^\/dev\/mapper\/(.+)$/.exec(spec);
  const crypt = mapped ? crypttab.find((c) => c.name === mapped[1]) : undefined;
  if (crypt) {
    const source = resolveFstabSpec(crypt.source, devices);
    const opened = source && devices.find((d) => d.kind === 'crypt' && d.parent === source.name);
    if (opened) return opened;
  }
  const keyed = /^(UUID|LABEL|PARTUUID|PARTLABEL)=(.*)$/.exec(spec);
  if (keyed) {
    const value = keyed[2]!.replace(/^"(.*)"$/, '$1');
    return byProbe(devices, BY_DIR[BY_KEY[keyed[1]!]!]!, value);
  }
  const byPath = /^\/dev\/disk\/(by-[a-z]+)\/(.+)$/.exec(spec);
  if (byPath) {
    const pick = BY_DIR[byPath[1]!];
    return pick ? byProbe(devices, pick, udevUnescape(byPath[2]!)) : undefined;
  }
  const named = parseGuestDeviceName(spec);
  if (named) {
    return devices.find((d) => d.drive === named.drive && (named.partition === undefined ? d.kind === 'disk' : d.partNumber === named.partition));
  }
  // /dev/VG/LV and /dev/md/NAME are session names; /dev/mapper/… and /dev/mdN are the host nodes of layer devices.
  return devices.find((d) => d.name === spec) ?? devices.find((d) => (d.kind === 'lv' || d.kind === 'crypt' || d.kind === 'md') && d.hostPath === spec);
}
