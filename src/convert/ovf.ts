/** OVF descriptors (the XML inside an OVA) as a typed description of the VM. */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { VmcraftError } from '../core/errors.js';

/** A file the OVF references. */
export interface OvfFile { id: string; href: string; size?: number }
/** A virtual disk of the OVF. */
export interface OvfDisk {
  id: string;
  fileRef?: string;
  /** The referenced file's name in the package (from References). */
  href?: string;
  capacityBytes: number;
  format?: string;
  populatedSize?: number;
}
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
  /** UEFI Secure Boot asked for (VMware `bootOptions.efiSecureBootEnabled` / `uefi.secureBoot.enabled`). */
  secureBoot?: boolean;
  nics: OvfNic[];
  /** OS type: VMware's `osType` (e.g. `debian11_64Guest`) or VirtualBox's `OSType` (e.g. `Ubuntu_64`). */
  osType?: string;
  /** The CIM operating system id (`OperatingSystemSection ovf:id`, e.g. 96 for Debian 64-bit). */
  osId?: number;
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

function capacityOf(d: Node): number {
  const capacity = Number(d['@capacity']);
  // ovftool packages may carry an unresolved `${property}` reference instead of a number.
  if (!Number.isFinite(capacity)) throw new VmcraftError('EFORMAT', `the OVF disk ${String(d['@diskId'])} has a capacity that is not a number: ${JSON.stringify(d['@capacity'])}`);
  return capacity * allocationUnits(d['@capacityAllocationUnits'] as string | undefined);
}

/** Firmware and Secure Boot from VMware `Config` entries or the VirtualBox machine section. */
function bootOf(hardware: Node, system: Node): { firmware: 'bios' | 'efi'; secureBoot?: boolean } {
  const config = new Map(asArray(hardware.Config as Node[]).map((c) => [String(c['@key']), String(c['@value'])]));
  const vboxFirmware = (((system.Machine as Node | undefined)?.Hardware as Node | undefined)?.Firmware as Node | undefined)?.['@type'];
  const efi = config.get('firmware') === 'efi' || /^EFI/i.test(String(vboxFirmware ?? ''));
  const secure = config.get('bootOptions.efiSecureBootEnabled') ?? config.get('uefi.secureBoot.enabled');
  return { firmware: efi ? 'efi' : 'bios', ...(secure !== undefined ? { secureBoot: secure === 'true' } : {}) };
}

/**
 * Parses an OVF descriptor (VMware ovftool, VirtualBox, OVF 1.x/2.x); EFORMAT
 * when it is not well-formed OVF. Shape of the input, trimmed:
 * ```xml
 * <Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" …>
 *   <References><File ovf:href="web01-disk1.vmdk" ovf:id="file1" ovf:size="1234"/></References>
 *   <DiskSection><Disk ovf:capacity="16" ovf:capacityAllocationUnits="byte * 2^30" ovf:diskId="vmdisk1" ovf:fileRef="file1"/></DiskSection>
 *   <VirtualSystem ovf:id="web01"><Name>web01</Name>
 *     <OperatingSystemSection ovf:id="96" vmw:osType="debian11_64Guest"><Description>Debian 11</Description></OperatingSystemSection>
 *     <VirtualHardwareSection>
 *       <Item><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>2</rasd:VirtualQuantity></Item>
 *       <vmw:Config vmw:key="firmware" vmw:value="efi"/>
 * ```
 */
export function parseOvf(xml: string): OvfDescriptor {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new VmcraftError('EFORMAT', `the OVF is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: true, parseAttributeValue: false, parseTagValue: false }).parse(xml) as Node;
  if (doc.Envelope === undefined) throw new VmcraftError('EFORMAT', 'the OVF has no Envelope element');
  const env = (typeof doc.Envelope === 'object' ? doc.Envelope : {}) as Node;
  const files = asArray((env.References as Node | undefined)?.File as Node[]).map((f) => ({
    id: String(f['@id']), href: String(f['@href']), ...(f['@size'] !== undefined ? { size: Number(f['@size']) } : {}),
  }));
  const hrefOf = new Map(files.map((f) => [f.id, f.href]));
  const disks = asArray((env.DiskSection as Node | undefined)?.Disk as Node[]).map((d) => {
    const fileRef = d['@fileRef'] === undefined ? undefined : String(d['@fileRef']);
    const href = fileRef === undefined ? undefined : hrefOf.get(fileRef);
    return {
      id: String(d['@diskId']),
      capacityBytes: capacityOf(d),
      ...(fileRef !== undefined ? { fileRef } : {}),
      ...(href !== undefined ? { href } : {}),
      ...(d['@format'] !== undefined ? { format: String(d['@format']) } : {}),
      ...(d['@populatedSize'] !== undefined ? { populatedSize: Number(d['@populatedSize']) } : {}),
    };
  });
  const system = asArray(env.VirtualSystem as Node[])[0] ?? {};
  const hardware = (system.VirtualHardwareSection ?? {}) as Node;
  const items = [...asArray(hardware.Item as Node[]), ...asArray(hardware.EthernetPortItem as Node[])];
  const byType = (t: string) => items.filter((i) => text(i.ResourceType) === t);
  const cpu = byType(RESOURCE.cpu)[0];
  const mem = byType(RESOURCE.memory)[0];
  const os = (system.OperatingSystemSection ?? {}) as Node;
  const osType = os['@osType'] !== undefined ? String(os['@osType']) : text(os.OSType);
  const osId = os['@id'] !== undefined ? Number(os['@id']) : undefined;
  const vsType = text(((hardware.System ?? {}) as Node).VirtualSystemType);
  return {
    files,
    disks,
    ...bootOf(hardware, system),
    nics: byType(RESOURCE.nic).map((n) => {
      const type = text(n.ResourceSubType);
      const network = text(n.Connection);
      const mac = text(n.Address);
      return { ...(type ? { type } : {}), ...(network ? { network } : {}), ...(mac ? { mac } : {}) };
    }),
    ...(text(system.Name) ? { name: text(system.Name) } : {}),
    ...(cpu ? { cpus: Number(text(cpu.VirtualQuantity)) } : {}),
    ...(mem ? { memoryMiB: (Number(text(mem.VirtualQuantity)) * allocationUnits(text(mem.AllocationUnits) ?? 'byte * 2^20')) / 2 ** 20 } : {}),
    ...(osType ? { osType } : {}),
    ...(osId !== undefined && Number.isFinite(osId) ? { osId } : {}),
    ...(text(os.Description) ? { osDescription: text(os.Description) } : {}),
    ...(vsType ? { virtualSystemType: vsType } : {}),
  };
}

/** One manifest line: `SHA256(disk1.vmdk)= 3b1f…`. */
export interface ManifestEntry { algorithm: 'sha1' | 'sha256' | 'sha512'; file: string; digest: string }

/**
 * Parses an OVA manifest (.mf), one digest a line:
 * ```
 * SHA256(web01.ovf)= 0f4b8b0d…
 * SHA1(web01-disk1.vmdk)= da39a3ee…
 * ```
 */
export function parseManifest(text: string): ManifestEntry[] {
  return text.split(/\r?\n/).flatMap((line) => {
    const m = /^(SHA1|SHA256|SHA512)\s*\((.+)\)\s*=\s*([0-9a-fA-F]+)\s*$/.exec(line.trim());
    return m ? [{ algorithm: m[1]!.toLowerCase() as ManifestEntry['algorithm'], file: m[2]!, digest: m[3]!.toLowerCase() }] : [];
  });
}
