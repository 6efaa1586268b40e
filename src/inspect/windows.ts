/**
 * Inspection of a Windows system volume: the system root found by a
 * case-insensitive search (/Windows, /WINNT with System32/config), the
 * product from the SOFTWARE hive, host name and architecture from the SYSTEM
 * hive's current control set (Select\Current), as libguestfs does.
 */
import { VmcraftError } from '../core/errors.js';
import type { GuestReader } from '../fs/reader.js';
import type { RegKey } from '../registry/hive.js';
import { findValue, type RegSection, type RegValue } from '../registry/reg-format.js';
import type { BlockDevice } from '../storage/types.js';
import { inspectFiles, type InspectFiles, type Warn } from './guest-files.js';
import type { OsFacts, WindowsApplication } from './types.js';

/** Reads a key from a hive at a guest path; `exportTree` gives its subtree as sections. */
export type HiveKeyReader = (guestHive: string, key: string) => Promise<RegKey>;
/** Reads a key's subtree (2 levels) from a hive at a guest path. */
export type HiveTreeReader = (guestHive: string, key: string) => Promise<RegSection[]>;

/** GUID text of 16 bytes in Windows' mixed-endian layout. */
export function guidFromBytes(b: Buffer): string {
  const hex = (x: Buffer) => x.toString('hex');
  const le = (x: Buffer) => hex(Buffer.from(x).reverse());
  return `${le(b.subarray(0, 4))}-${le(b.subarray(4, 6))}-${le(b.subarray(6, 8))}-${hex(b.subarray(8, 10))}-${hex(b.subarray(10, 16))}`.toUpperCase();
}

/** The session device a MountedDevices value names: MBR (signature + byte offset) or GPT (`DMIO:ID:` + partition GUID). */
export function mountedDevice(data: Buffer, devices: readonly BlockDevice[]): BlockDevice | undefined {
  if (data.length === 24 && data.toString('latin1', 0, 8) === 'DMIO:ID:') {
    const guid = guidFromBytes(data.subarray(8));
    return devices.find((d) => d.probe.partEntry?.uuid?.toUpperCase() === guid);
  }
  if (data.length === 12) {
    const signature = data.readUInt32LE(0).toString(16).padStart(8, '0');
    const sector = Number(data.readBigUInt64LE(4) / 512n);
    const disk = devices.find((d) => d.kind === 'disk' && d.probe.ptType === 'dos' && d.probe.ptUuid?.toLowerCase() === signature);
    return disk && devices.find((d) => d.parent === disk.name && d.probe.partEntry?.offsetSectors === sector);
  }
  return undefined;
}

async function findCi(files: InspectFiles, dir: string, name: RegExp): Promise<string | undefined> {
  const hit = (await files.list(dir)).find((e) => name.test(e));
  return hit === undefined ? undefined : `${dir === '/' ? '' : dir}/${hit}`;
}

/** The system root and its config directory, or undefined when the volume holds no Windows. */
export async function findSystemRoot(files: InspectFiles): Promise<{ systemroot: string; config: string } | undefined> {
  for (const candidate of [/^windows$/i, /^winnt$/i]) {
    const systemroot = await findCi(files, '/', candidate);
    const system32 = systemroot && (await findCi(files, systemroot, /^system32$/i));
    const config = system32 && (await findCi(files, system32, /^config$/i));
    if (systemroot && config && (await files.isDir(config))) return { systemroot, config };
  }
  return undefined;
}

function value(key: RegKey, name: string): RegValue['data'] | undefined {
  return findValue(key.values, name)?.data;
}

const ARCHES: Record<string, string> = { AMD64: 'x86_64', X86: 'i386', ARM64: 'aarch64', IA64: 'ia64' };

/** osinfo ids of Windows versions, by libguestfs' rules (lib/inspect-osinfo.c). */
export function windowsOsinfo(major: number, minor: number, productName: string, variant: string, build: number): string {
  const server = variant.includes('Server');
  if (major === 5) return minor === 1 || productName.includes('XP') ? 'winxp' : productName.includes('R2') ? 'win2k3r2' : 'win2k3';
  if (major === 6) return [server ? 'win2k8' : 'winvista', server ? 'win2k8r2' : 'win7', server ? 'win2k12' : 'win8', server ? 'win2k12r2' : 'win8.1'][minor] ?? 'unknown';
  if (major === 10 && minor === 0) {
    if (server) return productName.includes('2025') ? 'win2k25' : productName.includes('2022') ? 'win2k22' : productName.includes('2019') ? 'win2k19' : 'win2k16';
    return build >= 22000 ? 'win11' : 'win10';
  }
  return 'unknown';
}

/** The Uninstall keys libguestfs lists: native, then 32-bit programs on 64-bit Windows. */
const UNINSTALL_KEYS = ['\\Microsoft\\Windows\\CurrentVersion\\Uninstall', '\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall'];

/**
 * The installed applications, as libguestfs finds them: every Uninstall
 * subkey with a string DisplayName (other values as strings, or empty when
 * absent or not a string), plus Microsoft Defender, which has no Uninstall
 * key, when its key exists and DisableAntiVirus is not 1.
 */
async function windowsApplications(software: string, readKey: HiveKeyReader, readTree: HiveTreeReader): Promise<WindowsApplication[]> {
  const applications: WindowsApplication[] = [];
  for (const key of UNINSTALL_KEYS) {
    for (const section of (await readTree(software, key).catch(() => [])).slice(1)) {
      const text = (n: string) => {
        const data = findValue(section.values, n)?.data;
        return typeof data === 'string' ? data : '';
      };
      const name = findValue(section.values, 'DisplayName')?.data;
      if (typeof name !== 'string') continue;
      applications.push({
        name, key: section.path.slice(section.path.lastIndexOf('\\') + 1), version: text('DisplayVersion'), publisher: text('Publisher'), installDate: text('InstallDate'),
        installLocation: text('InstallLocation'), url: text('URLInfoAbout'), comments: text('Comments'),
      });
    }
  }
  const defender = await readKey(software, '\\Microsoft\\Windows Defender').catch(() => undefined);
  if (defender && value(defender, 'DisableAntiVirus') !== 1) {
    applications.push({ name: 'Microsoft Defender Antivirus', key: 'WinDefend', version: '', publisher: 'Microsoft Corporation', installDate: '', installLocation: '', url: '', comments: '' });
  }
  return applications;
}

/**
 * Everything the hives say, or undefined when the tree is not a Windows system
 * volume. A directory that cannot be listed is absent, with a warning to `warn`.
 */
export async function inspectWindowsRoot(
  reader: GuestReader,
  readKey: HiveKeyReader,
  readTree: HiveTreeReader,
  devices: readonly BlockDevice[],
  warn: Warn,
): Promise<OsFacts | undefined> {
  const files = inspectFiles(reader, warn);
  const found = await findSystemRoot(files);
  if (!found) return undefined;
  const software = await findCi(files, found.config, /^software$/i);
  const system = await findCi(files, found.config, /^system$/i);
  if (!software || !system) throw new VmcraftError('EINSPECT', `${found.config} has no SOFTWARE or SYSTEM hive`);
  const cv = await readKey(software, '\\Microsoft\\Windows NT\\CurrentVersion');
  const productName = String(value(cv, 'ProductName') ?? 'unknown');
  const major = value(cv, 'CurrentMajorVersionNumber');
  const [oldMajor, oldMinor] = String(value(cv, 'CurrentVersion') ?? '0.0').split('.').map(Number);
  const majorVersion = typeof major === 'number' ? major : (oldMajor ?? 0);
  const minorVersion = typeof major === 'number' ? Number(value(cv, 'CurrentMinorVersionNumber') ?? 0) : (oldMinor ?? 0);
  const productVariant = String(value(cv, 'InstallationType') ?? 'Client').includes('Server') ? 'Server' : 'Client';
  const buildNumber = String(value(cv, 'CurrentBuildNumber') ?? '');
  const select = await readKey(system, '\\Select');
  const currentControlSet = `ControlSet${String(value(select, 'Current') ?? 1).padStart(3, '0')}`;
  const computer = await readKey(system, `\\${currentControlSet}\\Control\\ComputerName\\ComputerName`).catch(() => undefined);
  // libguestfs' hostname: the TCP/IP host name, not the NetBIOS ComputerName.
  const tcpip = await readKey(system, `\\${currentControlSet}\\Services\\Tcpip\\Parameters`).catch(() => undefined);
  const tcpipHostname = tcpip?.values.find((v) => v.name === 'Hostname')?.data;
  const computerName = computer && value(computer, 'ComputerName');
  const env = await readKey(system, `\\${currentControlSet}\\Control\\Session Manager\\Environment`).catch(() => undefined);
  const arch = ARCHES[String((env && value(env, 'PROCESSOR_ARCHITECTURE')) ?? '').toUpperCase()] ?? 'unknown';
  const mounted = await readKey(system, '\\MountedDevices').catch(() => undefined);
  const drives = (mounted?.values ?? [])
    .filter((v) => /^\\DosDevices\\[A-Z]:$/i.test(v.name) && Buffer.isBuffer(v.data))
    .map((v) => ({ drive: v.name.slice(-2).toUpperCase(), device: mountedDevice(v.data as Buffer, devices)?.name }))
    .map((d) => (d.device ? d : { drive: d.drive }))
    .sort((a, b) => a.drive.localeCompare(b.drive));
  const applications = await windowsApplications(software, readKey, readTree);
  return {
    type: 'windows',
    distro: 'windows',
    productName,
    majorVersion,
    minorVersion,
    arch,
    hostname: typeof tcpipHostname === 'string' ? tcpipHostname : 'unknown',
    ...(typeof computerName === 'string' ? { computerName } : {}),
    buildId: buildNumber === '' ? 'unknown' : buildNumber,
    packageFormat: 'unknown',
    packageManagement: 'unknown',
    osinfo: windowsOsinfo(majorVersion, minorVersion, productName, productVariant, Number(buildNumber)),
    fstab: [],
    crypttab: [],
    windows: { systemroot: found.systemroot, productVariant, editionId: String(value(cv, 'EditionID') ?? ''), buildNumber, currentControlSet, systemHive: system, softwareHive: software, drives, applications },
  };
}
