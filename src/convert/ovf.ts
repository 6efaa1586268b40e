/** OVF descriptors (the XML inside an OVA) as a typed description of the VM. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { VmcraftError } from '../core/errors.js';

/** A file the OVF references. */
export interface OvfFile { id: string; href: string; size?: number }
/** A virtual disk of the OVF. */
export interface OvfDisk { id: string; fileRef?: string; capacityBytes: number; format?: string; populatedSize?: number }
/** A network adapter. */
export interface OvfNic { type?: string; network?: string; mac?: string }

/** What an OVF says about its VM. */
export interface OvfDescriptor {
  name?: string;
  files: OvfFile[];
  disks: OvfDisk[];
  cpus?: number;
  memoryMiB?: number;
  firmware: 'bios' | 'efi';
  nics: OvfNic[];
  /** OS type: VMware's `osType` (e.g. `debian11_64Guest`) or the CIM id's description. */
  osType?: string;
  osDescription?: string;
  /** `vmx-19`, `virtualbox-2.2`, … */
  virtualSystemType?: string;
}

type Node = Record<string, unknown>;
const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const text = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : typeof v === 'object' ? String((v as Node)['#text'] ?? '') : String(v));

/** Bytes in one unit of an OVF allocation-units string: `byte * 2^30` → 2^30, `MegaBytes` → 2^20. */
export function allocationUnits(units: string | undefined): number {
  if (!units) return 1;
  const pow = /2\s*\^\s*(\d+)/.exec(units);
  let factor = pow ? 2 ** Number(pow[1]) : 1;
  const times = /\*\s*(\d+)(?!\s*\^)/.exec(units.replace(/2\s*\^\s*\d+/, ''));
  if (times) factor *= Number(times[1]);
  if (/^(kilo|kb)/i.test(units)) factor = 2 ** 10;
  if (/^(mega|mb)/i.test(units)) factor = 2 ** 20;
  if (/^(giga|gb)/i.test(units)) factor = 2 ** 30;
  return factor;
}

/** CIM resource types used in VirtualHardwareSection items. */
const RESOURCE = { cpu: '3', memory: '4', nic: '10' } as const;

/** Parses an OVF descriptor; EFORMAT when it is not well-formed OVF. */
export function parseOvf(xml: string): OvfDescriptor {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new VmcraftError('EFORMAT', `the OVF is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, parseAttributeValue: false, parseTagValue: false }).parse(xml) as Node;
  if (doc.Envelope === undefined) throw new VmcraftError('EFORMAT', 'the OVF has no Envelope element');
  const env = (typeof doc.Envelope === 'object' ? doc.Envelope : {}) as Node;
  const files = asArray((env.References as Node | undefined)?.File as Node[]).map((f) => ({
    id: String(f['@id']), href: String(f['@href']), ...(f['@size'] !== undefined ? { size: Number(f['@size']) } : {}),
  }));
  const disks = asArray((env.DiskSection as Node | undefined)?.Disk as Node[]).map((d) => ({
    id: String(d['@diskId']),
    capacityBytes: Number(d['@capacity']) * allocationUnits(d['@capacityAllocationUnits'] as string | undefined),
    ...(d['@fileRef'] !== undefined ? { fileRef: String(d['@fileRef']) } : {}),
    ...(d['@format'] !== undefined ? { format: String(d['@format']) } : {}),
    ...(d['@populatedSize'] !== undefined ? { populatedSize: Number(d['@populatedSize']) } : {}),
  }));
  const system = asArray(env.VirtualSystem as Node[])[0] ?? {};
  const hardware = (system.VirtualHardwareSection ?? {}) as Node;
  const items = [...asArray(hardware.Item as Node[]), ...asArray(hardware.EthernetPortItem as Node[])];
  const byType = (t: string) => items.filter((i) => text(i.ResourceType) === t);
  const cpu = byType(RESOURCE.cpu)[0];
  const mem = byType(RESOURCE.memory)[0];
  const configs = asArray(hardware.Config as Node[]);
  const firmware = configs.some((c) => c['@key'] === 'firmware' && c['@value'] === 'efi') ? 'efi' : 'bios';
  const os = (system.OperatingSystemSection ?? {}) as Node;
  const vsType = text(((hardware.System ?? {}) as Node).VirtualSystemType);
  return {
    files,
    disks,
    firmware,
    nics: byType(RESOURCE.nic).map((n) => {
      const type = text(n.ResourceSubType);
      const network = text(n.Connection);
      const mac = text(n.Address);
      return { ...(type ? { type } : {}), ...(network ? { network } : {}), ...(mac ? { mac } : {}) };
    }),
    ...(text(system.Name) ? { name: text(system.Name) } : {}),
    ...(cpu ? { cpus: Number(text(cpu.VirtualQuantity)) } : {}),
    ...(mem ? { memoryMiB: (Number(text(mem.VirtualQuantity)) * allocationUnits(text(mem.AllocationUnits) ?? 'byte * 2^20')) / 2 ** 20 } : {}),
    ...(os['@osType'] !== undefined ? { osType: String(os['@osType']) } : {}),
    ...(text(os.Description) ? { osDescription: text(os.Description) } : {}),
    ...(vsType ? { virtualSystemType: vsType } : {}),
  };
}

/** One manifest line: `SHA256(disk1.vmdk)= 3b1f…`. */
export interface ManifestEntry { algorithm: 'sha1' | 'sha256' | 'sha512'; file: string; digest: string }

/** Parses an OVA manifest (.mf). */
export function parseManifest(text: string): ManifestEntry[] {
  return text.split(/\r?\n/).flatMap((line) => {
    const m = /^(SHA1|SHA256|SHA512)\s*\((.+)\)\s*=\s*([0-9a-fA-F]+)\s*$/.exec(line.trim());
    return m ? [{ algorithm: m[1]!.toLowerCase() as ManifestEntry['algorithm'], file: m[2]!, digest: m[3]!.toLowerCase() }] : [];
  });
}
