/** Package format and manager of a distro (libguestfs' check_package_format / _management). */
import type { InspectFiles } from '../guest-files.js';
import type { PackageFormat, PackageManagement } from '../types.js';

const RPM = ['altlinux', 'centos', 'fedora', 'mageia', 'mandriva', 'meego', 'neokylin', 'opensuse', 'oraclelinux', 'redhat-based',
  'rhel', 'scientificlinux', 'sles', 'suse-based', 'rocky', 'almalinux', 'circle', 'amazonlinux', 'photon', 'openmandriva', 'kylin', 'openeuler'];
const DEB = ['debian', 'kalilinux', 'linuxmint', 'ubuntu', 'pardus'];
const FORMATS: Record<string, PackageFormat> = {
  ...Object.fromEntries(RPM.map((d) => [d, 'rpm'])),
  ...Object.fromEntries(DEB.map((d) => [d, 'deb'])),
  pardus: 'pisi', archlinux: 'pacman', gentoo: 'ebuild', alpinelinux: 'apk', voidlinux: 'xbps', nixos: 'nix',
};

/** The package format of a distro, or `unknown`. */
export function packageFormat(distro: string): PackageFormat {
  return FORMATS[distro] ?? 'unknown';
}

const RHEL_FAMILY = new Set(['centos', 'oraclelinux', 'redhat-based', 'rhel', 'scientificlinux', 'rocky', 'almalinux', 'circle']);
const FIXED: Record<string, PackageManagement> = {
  altlinux: 'apt', debian: 'apt', kalilinux: 'apt', linuxmint: 'apt', ubuntu: 'apt', archlinux: 'pacman', gentoo: 'portage',
  pardus: 'pisi', mageia: 'urpmi', mandriva: 'urpmi', opensuse: 'zypper', sles: 'zypper', 'suse-based': 'zypper',
  alpinelinux: 'apk', voidlinux: 'xbps', meego: 'yum', neokylin: 'dnf', openmandriva: 'dnf', kylin: 'dnf', photon: 'tdnf', nixos: 'nix', openeuler: 'dnf',
};

/** The package manager of a distro at a version (Fedora ≥ 22 with dnf installed → dnf, RHEL ≥ 8 → dnf, …). */
export async function packageManagement(distro: string, major: number, files: InspectFiles): Promise<PackageManagement> {
  if (distro === 'fedora') {
    if (major >= 22 && (await files.exists('/usr/bin/dnf'))) return 'dnf';
    return major >= 1 ? 'yum' : 'unknown';
  }
  if (RHEL_FAMILY.has(distro)) {
    if (major >= 8) return 'dnf';
    if (major >= 5) return 'yum';
    return major >= 2 ? 'up2date' : 'unknown';
  }
  if (distro === 'amazonlinux') return major >= 2022 ? 'dnf' : 'yum';
  return FIXED[distro] ?? 'unknown';
}
