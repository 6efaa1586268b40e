/** Inspection of a Linux root filesystem, as a pure function of its files. */
import { elfArch } from '../../fs/elf.js';
import type { GuestReader } from '../../fs/reader.js';
import { parseCrypttab } from '../parsers/crypttab.js';
import { parseFstab } from '../parsers/fstab.js';
import { inspectFiles, TABLE_FILE_LIMIT, type InspectFiles, type Warn } from '../guest-files.js';
import type { OsFacts } from '../types.js';
import { linuxHostname } from './hostname.js';
import { linuxOsinfo } from './osinfo.js';
import { packageFormat, packageManagement } from './packages.js';
import { readRelease } from './release.js';

/** Binaries whose ELF header gives the architecture, in libguestfs' order (plus merged-/usr names). */
const ARCH_BINARIES = ['/bin/bash', '/bin/ls', '/bin/echo', '/bin/rm', '/bin/sh', '/usr/bin/ls', '/bin/true', '/usr/bin/true'];

/** Whether a tree looks like a Linux root: /etc, /bin (or /bin → usr/bin), and a regular /etc/fstab or /etc/hosts. */
async function isLinuxRoot(files: InspectFiles): Promise<boolean> {
  // A head of 0 bytes: whether the file is a readable regular file, whatever its size.
  const isFile = async (p: string) => (await files.readHead(p, 0)) !== undefined;
  return (await files.isDir('/etc')) && (await files.isDir('/bin')) && ((await isFile('/etc/fstab')) || (await isFile('/etc/hosts')));
}

async function architecture(files: InspectFiles): Promise<string> {
  for (const file of ARCH_BINARIES) {
    const head = await files.readHead(file, 64);
    const arch = head ? elfArch(head) : undefined;
    if (arch) return arch;
  }
  return 'unknown';
}

/**
 * Everything the files of a Linux root say, or undefined when the tree is not
 * one. Every file is read bounded ({@link inspectFiles}); one that cannot be
 * read is absent, with a warning to `warn`.
 */
export async function inspectLinuxRoot(reader: GuestReader, warn: Warn = () => {}): Promise<OsFacts | undefined> {
  const files = inspectFiles(reader, warn);
  if (!(await isLinuxRoot(files))) return undefined;
  const release = await readRelease(files);
  const distro = release.distro ?? 'unknown';
  const { major, minor } = release.version ?? { major: 0, minor: 0 };
  // Independent reads, side by side.
  const [arch, hostname, management, fstab, crypttab] = await Promise.all([
    architecture(files),
    linuxHostname(files, warn),
    packageManagement(distro, major, files),
    files.readText('/etc/fstab', TABLE_FILE_LIMIT),
    files.readText('/etc/crypttab', TABLE_FILE_LIMIT),
  ]);
  return {
    type: 'linux',
    distro,
    productName: release.productName ?? 'unknown',
    majorVersion: major,
    minorVersion: minor,
    arch,
    hostname: hostname ?? 'unknown',
    packageFormat: packageFormat(distro),
    packageManagement: management,
    osinfo: linuxOsinfo(distro, major, minor),
    buildId: release.buildId ?? 'unknown',
    ...(release.prettyName !== undefined ? { prettyName: release.prettyName } : {}),
    fstab: parseFstab(fstab ?? ''),
    crypttab: parseCrypttab(crypttab ?? ''),
  };
}
