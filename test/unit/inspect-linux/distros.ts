/**
 * What inspection must report for every root under test/fixtures/distro-roots.
 *
 * `libguestfs` is what libguestfs (daemon/inspect_fs_unix.ml, inspect_fs.ml,
 * lib/inspect-osinfo.c at upstream HEAD) reports for the same files. `vmcraft`
 * lists the fields where vmcraft deliberately reports something else, and
 * `why`. A row without `vmcraft` must match libguestfs exactly.
 */
import type { CrypttabEntry } from '../../../src/inspect/parsers/crypttab.js';
import type { OsFacts } from '../../../src/inspect/types.js';

/** The release-derived facts compared with libguestfs. */
export type ReleaseFacts = Pick<OsFacts, 'distro' | 'productName' | 'majorVersion' | 'minorVersion' | 'hostname' | 'packageFormat' | 'packageManagement' | 'osinfo'>;

/** One fixture root and what it must inspect as. */
export interface DistroRoot {
  /** Directory name under test/fixtures/distro-roots. */
  root: string;
  /** Key of the expected parse of its /etc/fstab in FSTABS. */
  fstab: string;
  /** libguestfs' result for these files. */
  libguestfs: ReleaseFacts;
  /** Fields where vmcraft knowingly differs from libguestfs. */
  vmcraft?: Partial<ReleaseFacts>;
  /** Why vmcraft differs. */
  why?: string;
  /** A difference from libguestfs that is a vmcraft bug: the row asserts libguestfs' values and fails until it is fixed. */
  bug?: string;
  /** Parsed /etc/crypttab, when the root has one. */
  crypttab?: CrypttabEntry[];
}

export const DISTRO_ROOTS: DistroRoot[] = [
  { root: 'almalinux-10.0', fstab: 'anaconda',
    libguestfs: { distro: 'redhat-based', productName: 'AlmaLinux release 10.0 (Purple Lion)', majorVersion: 10, minorVersion: 0, hostname: 'alma10', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'redhat-based10.0' },
    vmcraft: { distro: 'almalinux', productName: 'AlmaLinux 10.0 (Purple Lion)', osinfo: 'almalinux10' }, why: 'os-release ID=almalinux is known to vmcraft, not to libguestfs (it ends at redhat-release → redhat-based)' },
  { root: 'almalinux-9.4', fstab: 'anaconda',
    libguestfs: { distro: 'unknown', productName: 'AlmaLinux 9.4 (Seafoam Ocelot)', majorVersion: 9, minorVersion: 4, hostname: 'alma9', packageFormat: 'unknown', packageManagement: 'unknown', osinfo: 'unknown' },
    vmcraft: { distro: 'almalinux', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'almalinux9' }, why: 'os-release ID=almalinux is known to vmcraft, not to libguestfs' },
  { root: 'alpine-3.19', fstab: 'alpine',
    libguestfs: { distro: 'alpinelinux', productName: 'Alpine Linux v3.19', majorVersion: 3, minorVersion: 19, hostname: 'alpine319', packageFormat: 'apk', packageManagement: 'apk', osinfo: 'alpinelinux3.19' } },
  { root: 'amazonlinux-2', fstab: 'nfs',
    libguestfs: { distro: 'unknown', productName: 'Amazon Linux 2', majorVersion: 2, minorVersion: 0, hostname: 'ip-172-31-0-2.ec2.internal', packageFormat: 'unknown', packageManagement: 'unknown', osinfo: 'unknown' },
    vmcraft: { distro: 'amazonlinux', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'amzn2' }, why: 'os-release ID=amzn is known to vmcraft, not to libguestfs' },
  { root: 'amazonlinux-2016.03', fstab: 'anaconda-old',
    libguestfs: { distro: 'unknown', productName: 'Amazon Linux AMI 2016.03', majorVersion: 2016, minorVersion: 3, hostname: 'ip-10-0-0-12', packageFormat: 'unknown', packageManagement: 'unknown', osinfo: 'unknown' },
    vmcraft: { distro: 'amazonlinux', packageFormat: 'rpm', packageManagement: 'yum' }, why: 'os-release ID=amzn is known to vmcraft, not to libguestfs' },
  { root: 'amazonlinux-2023', fstab: 'nfs',
    libguestfs: { distro: 'unknown', productName: 'Amazon Linux 2023', majorVersion: 2023, minorVersion: 0, hostname: 'ip-172-31-5-10.ec2.internal', packageFormat: 'unknown', packageManagement: 'unknown', osinfo: 'unknown' },
    vmcraft: { distro: 'amazonlinux', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'amzn2023' }, why: 'os-release ID=amzn is known to vmcraft, not to libguestfs' },
  { root: 'archlinux', fstab: 'arch',
    libguestfs: { distro: 'archlinux', productName: 'Arch Linux', majorVersion: 0, minorVersion: 0, hostname: 'archbox', packageFormat: 'pacman', packageManagement: 'pacman', osinfo: 'archlinux' } },
  { root: 'archlinux-docker', fstab: 'arch',
    libguestfs: { distro: 'archlinux', productName: 'Arch Linux', majorVersion: 0, minorVersion: 0, hostname: 'unknown', packageFormat: 'pacman', packageManagement: 'pacman', osinfo: 'archlinux' } },
  { root: 'archlinux-no-etc-os-release', fstab: 'arch',
    libguestfs: { distro: 'unknown', productName: 'Arch Linux', majorVersion: 0, minorVersion: 0, hostname: 'arch-rolling', packageFormat: 'unknown', packageManagement: 'unknown', osinfo: 'unknown' },
    vmcraft: { distro: 'archlinux', packageFormat: 'pacman', packageManagement: 'pacman', osinfo: 'archlinux' }, why: '/usr/lib/os-release is read when /etc/os-release is missing (libguestfs stops at lsb-release DISTRIB_ID=Arch → unknown)' },
  { root: 'centos-5', fstab: 'anaconda-old',
    libguestfs: { distro: 'centos', productName: 'CentOS release 5.11 (Final)', majorVersion: 5, minorVersion: 11, hostname: 'centos5.localdomain', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'centos5.11' } },
  { root: 'centos-6.7', fstab: 'anaconda-old',
    libguestfs: { distro: 'centos', productName: 'CentOS release 6.7 (Final)', majorVersion: 6, minorVersion: 7, hostname: 'c6.localdomain', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'centos6.7' } },
  { root: 'centos-7', fstab: 'anaconda',
    libguestfs: { distro: 'centos', productName: 'CentOS Linux release 7.1.1503 (Core) ', majorVersion: 7, minorVersion: 1, hostname: 'centos7.localdomain', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'centos7.0' } },
  { root: 'centos-stream-9', fstab: 'anaconda',
    libguestfs: { distro: 'centos', productName: 'CentOS Stream release 9', majorVersion: 9, minorVersion: 0, hostname: 'stream9', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'centos9' } },
  { root: 'debian-10', fstab: 'debian',
    libguestfs: { distro: 'debian', productName: '10.7', majorVersion: 10, minorVersion: 7, hostname: 'buster', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'debian10' } },
  { root: 'debian-12', fstab: 'debian',
    libguestfs: { distro: 'debian', productName: '12.11', majorVersion: 12, minorVersion: 11, hostname: 'bookworm', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'debian12' },
    crypttab: [{ name: 'vda5_crypt', source: 'UUID=7e5d4c3b-2a19-4807-b6f5-e4d3c2b1a090', keyFile: 'none', options: ['luks', 'discard'] }] },
  { root: 'debian-testing', fstab: 'debian',
    libguestfs: { distro: 'debian', productName: 'bookworm/sid', majorVersion: 0, minorVersion: 0, hostname: 'sid', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'unknown' } },
  { root: 'fedora-39', fstab: 'anaconda',
    libguestfs: { distro: 'fedora', productName: 'Fedora Linux 39 (Server Edition)', majorVersion: 39, minorVersion: 0, hostname: 'fedora39.example.com', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'fedora39' } },
  { root: 'gentoo', fstab: 'gentoo',
    libguestfs: { distro: 'gentoo', productName: 'Gentoo/Linux', majorVersion: 0, minorVersion: 0, hostname: 'unknown', packageFormat: 'ebuild', packageManagement: 'portage', osinfo: 'gentoo' },
    vmcraft: { hostname: 'tux' }, why: 'Gentoo /etc/conf.d/hostname is read (libguestfs does not)' },
  { root: 'kali-2019.4', fstab: 'debian',
    libguestfs: { distro: 'kalilinux', productName: 'Kali GNU/Linux Rolling', majorVersion: 2019, minorVersion: 4, hostname: 'kali', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'kalilinux2019.4' } },
  { root: 'kylin-v10', fstab: 'anaconda',
    libguestfs: { distro: 'kylin', productName: 'Kylin Linux Advanced Server V10 (Sword)', majorVersion: 10, minorVersion: 0, hostname: 'kylin', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'kylin10.0' } },
  { root: 'libguestfs-phony-archlinux', fstab: 'phony-archlinux',
    libguestfs: { distro: 'archlinux', productName: 'unknown', majorVersion: 0, minorVersion: 0, hostname: 'archlinux.test', packageFormat: 'pacman', packageManagement: 'pacman', osinfo: 'archlinux' } },
  { root: 'libguestfs-phony-debian', fstab: 'phony-debian',
    libguestfs: { distro: 'debian', productName: '5.0.1', majorVersion: 5, minorVersion: 0, hostname: 'debian.invalid', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'debian5' } },
  { root: 'libguestfs-phony-fedora', fstab: 'phony-fedora',
    libguestfs: { distro: 'fedora', productName: 'Fedora release 14 (Phony)', majorVersion: 14, minorVersion: 0, hostname: 'fedora.invalid', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'fedora14' } },
  { root: 'libguestfs-phony-ubuntu', fstab: 'phony-ubuntu',
    libguestfs: { distro: 'ubuntu', productName: 'Ubuntu 10.10 (Phony Pharaoh)', majorVersion: 10, minorVersion: 10, hostname: 'ubuntu.invalid', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'ubuntu10.10' } },
  { root: 'linuxmint-17.3', fstab: 'mint',
    libguestfs: { distro: 'ubuntu', productName: 'Ubuntu 14.04.3 LTS', majorVersion: 14, minorVersion: 4, hostname: 'rosa', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'ubuntu14.04' } },
  { root: 'linuxmint-19.1', fstab: 'mint',
    libguestfs: { distro: 'linuxmint', productName: 'Linux Mint 19.1 Tessa', majorVersion: 19, minorVersion: 1, hostname: 'tessa', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'linuxmint19.1' },
    vmcraft: { productName: 'Linux Mint 19.1' }, why: '/usr/lib/os-release (ID=linuxmint) wins over lsb-release DISTRIB_DESCRIPTION' },
  { root: 'linuxmint-21.3', fstab: 'mint',
    libguestfs: { distro: 'unknown', productName: 'Linux Mint 21.3', majorVersion: 21, minorVersion: 3, hostname: 'virginia', packageFormat: 'unknown', packageManagement: 'unknown', osinfo: 'unknown' },
    vmcraft: { distro: 'linuxmint', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'linuxmint21.3' }, why: 'os-release ID=linuxmint is known to vmcraft, not to libguestfs' },
  { root: 'mageia-9', fstab: 'nfs',
    libguestfs: { distro: 'mageia', productName: 'Mageia 9', majorVersion: 9, minorVersion: 0, hostname: 'mageia9.localdomain', packageFormat: 'rpm', packageManagement: 'urpmi', osinfo: 'mageia9' } },
  { root: 'nixos-23.11', fstab: 'nixos',
    libguestfs: { distro: 'unknown', productName: 'NixOS 23.11 (Tapir)', majorVersion: 23, minorVersion: 11, hostname: 'nixos', packageFormat: 'unknown', packageManagement: 'unknown', osinfo: 'unknown' },
    vmcraft: { distro: 'nixos', packageFormat: 'nix', packageManagement: 'nix', osinfo: 'nixos23.11' }, why: 'os-release ID=nixos is known to vmcraft, not to libguestfs' },
  { root: 'openeuler-20.03', fstab: 'anaconda',
    libguestfs: { distro: 'openeuler', productName: 'openEuler 20.03 (LTS)', majorVersion: 20, minorVersion: 3, hostname: 'euler', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'openeuler20.3' },
    bug: 'os-release ID=openEuler is not mapped (libguestfs: openeuler, rpm, dnf)' },
  { root: 'opensuse-13.2', fstab: 'suse',
    libguestfs: { distro: 'opensuse', productName: 'openSUSE 13.2 (Harlequin) (x86_64)', majorVersion: 13, minorVersion: 2, hostname: 'harlequin.site', packageFormat: 'rpm', packageManagement: 'zypper', osinfo: 'opensuse13.2' } },
  { root: 'opensuse-leap-15.5', fstab: 'suse',
    libguestfs: { distro: 'opensuse', productName: 'openSUSE Leap 15.5', majorVersion: 15, minorVersion: 5, hostname: 'leap.suse', packageFormat: 'rpm', packageManagement: 'zypper', osinfo: 'opensuse15.5' } },
  { root: 'oraclelinux-7.5', fstab: 'anaconda',
    libguestfs: { distro: 'oraclelinux', productName: 'Oracle Linux Server release 7.5', majorVersion: 7, minorVersion: 5, hostname: 'ol7', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'oraclelinux7.5' },
    vmcraft: { productName: 'Oracle Linux Server 7.5', osinfo: 'ol7.5' }, why: 'os-release ID=ol is known to vmcraft, not to libguestfs; osinfo uses the osinfo-db short id ol<M>.<m>' },
  { root: 'oraclelinux-8.9', fstab: 'anaconda',
    libguestfs: { distro: 'unknown', productName: 'Oracle Linux Server 8.9', majorVersion: 8, minorVersion: 9, hostname: 'ol8', packageFormat: 'unknown', packageManagement: 'unknown', osinfo: 'unknown' },
    vmcraft: { distro: 'oraclelinux', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'ol8.9' }, why: 'os-release ID=ol is known to vmcraft, not to libguestfs' },
  { root: 'pardus-19.1', fstab: 'debian',
    libguestfs: { distro: 'pardus', productName: 'Pardus GNU/Linux Ondokuz', majorVersion: 19, minorVersion: 1, hostname: 'pardus', packageFormat: 'pisi', packageManagement: 'pisi', osinfo: 'pardus19.1' },
    bug: 'os-release ID=pardus is not mapped (libguestfs: pardus)' },
  { root: 'photon-5.0', fstab: 'nfs',
    libguestfs: { distro: 'unknown', productName: 'VMware Photon OS/Linux', majorVersion: 5, minorVersion: 0, hostname: 'photon-5', packageFormat: 'unknown', packageManagement: 'unknown', osinfo: 'unknown' },
    vmcraft: { distro: 'photon', packageFormat: 'rpm', packageManagement: 'tdnf', osinfo: 'photon5.0' }, why: 'os-release ID=photon is known to vmcraft, not to libguestfs' },
  { root: 'rhel-4.9', fstab: 'anaconda-old',
    libguestfs: { distro: 'rhel', productName: 'Red Hat Enterprise Linux AS release 4 (Nahant Update 9)', majorVersion: 4, minorVersion: 9, hostname: 'nahant.example.com', packageFormat: 'rpm', packageManagement: 'up2date', osinfo: 'rhel4.9' } },
  { root: 'rhel-5.11', fstab: 'anaconda-old',
    libguestfs: { distro: 'rhel', productName: 'Red Hat Enterprise Linux Server release 5.11 (Tikanga)', majorVersion: 5, minorVersion: 11, hostname: 'tikanga.example.com', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'rhel5.11' } },
  { root: 'rhel-6.7', fstab: 'anaconda-old',
    libguestfs: { distro: 'rhel', productName: 'Red Hat Enterprise Linux Server release 6.7 (Santiago)', majorVersion: 6, minorVersion: 7, hostname: 'santiago.example.com', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'rhel6.7' } },
  { root: 'rhel-9.3', fstab: 'anaconda',
    libguestfs: { distro: 'rhel', productName: 'Red Hat Enterprise Linux 9.3 (Plow)', majorVersion: 9, minorVersion: 3, hostname: 'rhel9.example.com', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'rhel9.3' } },
  { root: 'rocky-9.3', fstab: 'anaconda',
    libguestfs: { distro: 'rocky', productName: 'Rocky Linux 9.3 (Blue Onyx)', majorVersion: 9, minorVersion: 3, hostname: 'rocky9', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'rocky9' } },
  { root: 'sles-11-sp3', fstab: 'sles11',
    libguestfs: { distro: 'sles', productName: 'SUSE Linux Enterprise Server 11 (x86_64)', majorVersion: 11, minorVersion: 3, hostname: 'sles11sp3.site', packageFormat: 'rpm', packageManagement: 'zypper', osinfo: 'sles11sp3' } },
  { root: 'sles-11-sp4', fstab: 'sles11',
    libguestfs: { distro: 'sles', productName: 'SUSE Linux Enterprise Server 11 SP4', majorVersion: 11, minorVersion: 4, hostname: 'sles11sp4.site', packageFormat: 'rpm', packageManagement: 'zypper', osinfo: 'sles11sp4' } },
  { root: 'sles-12-sp1', fstab: 'suse',
    libguestfs: { distro: 'sles', productName: 'SUSE Linux Enterprise Server 12 SP1', majorVersion: 12, minorVersion: 1, hostname: 'sles12.suse', packageFormat: 'rpm', packageManagement: 'zypper', osinfo: 'sles12sp1' } },
  { root: 'sles-15-sp5', fstab: 'suse',
    libguestfs: { distro: 'sles', productName: 'SUSE Linux Enterprise Server 15 SP5', majorVersion: 15, minorVersion: 5, hostname: 'sles15sp5', packageFormat: 'rpm', packageManagement: 'zypper', osinfo: 'sle15sp5' },
    bug: 'osinfo of SLES >= 15 is sle<M>sp<m> since libguestfs db46bcb53 (2025-06)' },
  { root: 'ubuntu-10.04-unclosed-quote', fstab: 'debian',
    libguestfs: { distro: 'ubuntu', productName: '"Ubuntu 10.04.4 LTS', majorVersion: 10, minorVersion: 4, hostname: 'lucid', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'ubuntu10.04' } },
  { root: 'ubuntu-22.04', fstab: 'ubuntu',
    libguestfs: { distro: 'ubuntu', productName: 'Ubuntu 22.04 LTS', majorVersion: 22, minorVersion: 4, hostname: 'jammy', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'ubuntu22.04' } },
  { root: 'ubuntu-24.04', fstab: 'ubuntu',
    libguestfs: { distro: 'ubuntu', productName: 'Ubuntu 24.04.3 LTS', majorVersion: 24, minorVersion: 4, hostname: 'noble', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'ubuntu24.04' } },
  { root: 'voidlinux', fstab: 'void',
    libguestfs: { distro: 'voidlinux', productName: 'Void Linux', majorVersion: 0, minorVersion: 0, hostname: 'void', packageFormat: 'xbps', packageManagement: 'xbps', osinfo: 'voidlinux' } },
];
