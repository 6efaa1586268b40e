/** Inspection of a Linux root filesystem, as a pure function of its files. */
import { elfArch } from '../parsers/elf.js';
import { parseCrypttab } from '../parsers/crypttab.js';
import { parseFstab } from '../parsers/fstab.js';
import type { GuestReader, OsFacts } from '../types.js';
import { linuxHostname } from './hostname.js';
import { linuxOsinfo } from './osinfo.js';
import { packageFormat, packageManagement } from './packages.js';
import { readRelease } from './release.js';

/** Binaries whose ELF header gives the architecture, in libguestfs' order (plus merged-/usr names). */
const ARCH_BINARIES = ['/bin/bash', '/bin/ls', '/bin/echo', '/bin/rm', '/bin/sh', '/usr/bin/ls', '/bin/true', '/usr/bin/true'];

/** Whether a tree looks like a Linux root: /etc, /bin (or /bin → usr/bin), and /etc/fstab or /etc/hosts. */
export async function isLinuxRoot(reader: GuestReader): Promise<boolean> {
  return (
    (await reader.isDir('/etc')) &&
    (await reader.isDir('/bin')) &&
    ((await reader.readText('/etc/fstab')) !== undefined || (await reader.readText('/etc/hosts')) !== undefined)
  );
}

async function architecture(reader: GuestReader): Promise<string> {
  for (const file of ARCH_BINARIES) {
    const head = await reader.readHead(file, 64);
    const arch = head ? elfArch(head) : undefined;
    if (arch) return arch;
  }
  return 'unknown';
}

/** Everything the files of a Linux root say, or undefined when the tree is not one. */
export async function inspectLinuxRoot(reader: GuestReader): Promise<OsFacts | undefined> {
  if (!(await isLinuxRoot(reader))) return undefined;
  const release = await readRelease(reader);
  const distro = release.distro ?? 'unknown';
  const { major, minor } = release.version ?? { major: 0, minor: 0 };
  return {
    type: 'linux',
    distro,
    productName: release.productName ?? 'unknown',
    majorVersion: major,
    minorVersion: minor,
    arch: await architecture(reader),
    hostname: (await linuxHostname(reader)) ?? 'unknown',
    packageFormat: packageFormat(distro),
    packageManagement: await packageManagement(distro, major, reader),
    osinfo: linuxOsinfo(distro, major, minor),
    fstab: parseFstab((await reader.readText('/etc/fstab')) ?? ''),
    crypttab: parseCrypttab((await reader.readText('/etc/crypttab')) ?? ''),
  };
}
