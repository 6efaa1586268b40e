/**
 * The distro samples: release files of real distributions and what inspection
 * must report for each. One table, two kinds of sample:
 *
 * - A fixture root (`root`): a committed tree under test/fixtures/distro-roots,
 *   its release files copied byte for byte from the public source SOURCES.md
 *   names. `libguestfs` is what libguestfs (daemon/inspect_fs_unix.ml,
 *   inspect_fs.ml, lib/inspect-osinfo.c at upstream HEAD) reports for the same
 *   files; `vmcraft` lists the fields where vmcraft deliberately reports
 *   something else, and `why`. A row without `vmcraft` must match libguestfs
 *   exactly.
 * - An inline sample (`name`): release and hostname files written out in this
 *   table, the fields that matter of what the named release ships (no
 *   byte-for-byte source is recorded for them), with the facts vmcraft must
 *   report in `facts`. Its root has an empty /etc/fstab and no crypttab.
 *
 * Rows are sorted by name; a fixture root comes before an inline sample of the
 * same name.
 */
import type { CrypttabEntry } from '../../../../src/inspect/parsers/crypttab.js';
import type { OsFacts } from '../../../../src/inspect/types.js';

/** The release-derived facts a sample states (and, for a fixture root, compares with libguestfs). */
export type ReleaseFacts = Pick<OsFacts, 'distro' | 'productName' | 'majorVersion' | 'minorVersion' | 'hostname' | 'packageFormat' | 'packageManagement' | 'osinfo'>;

/** A committed root under test/fixtures/distro-roots and what it must inspect as. */
export interface FixtureSample {
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

/** Release files given here, and what vmcraft must report for them. */
export interface InlineSample {
  /** Distro and release (plus what is special about the sample). */
  name: string;
  /** Guest path → content. */
  files: Record<string, string>;
  /** vmcraft's result for these files. */
  facts: ReleaseFacts;
}

export type DistroSample = FixtureSample | InlineSample;

export const isFixture = (sample: DistroSample): sample is FixtureSample => 'root' in sample;

/** The release facts a sample must inspect as. */
export const releaseFacts = (sample: DistroSample): ReleaseFacts => (isFixture(sample) ? { ...sample.libguestfs, ...sample.vmcraft } : sample.facts);

/** A test title for a sample: its name, what kind it is, and a known bug. */
export function sampleTitle(sample: DistroSample): string {
  if (!isFixture(sample)) return `${sample.name} (inline)`;
  return sample.bug ? `${sample.root} [vmcraft bug: ${sample.bug}]` : sample.root;
}

/** An os-release file of the given fields, one `KEY=value` line each (values quoted as given). */
const osRelease = (fields: Record<string, string>) => `${Object.entries(fields).map(([k, v]) => `${k}=${v}`).join('\n')}\n`;

export const DISTROS: DistroSample[] = [
  { root: 'almalinux-10.0', fstab: 'anaconda',
    libguestfs: { distro: 'redhat-based', productName: 'AlmaLinux release 10.0 (Purple Lion)', majorVersion: 10, minorVersion: 0, hostname: 'alma10', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'redhat-based10.0' },
    vmcraft: { distro: 'almalinux', productName: 'AlmaLinux 10.0 (Purple Lion)', osinfo: 'almalinux10' }, why: 'os-release ID=almalinux is known to vmcraft, not to libguestfs (it ends at redhat-release → redhat-based)' },
  { name: 'almalinux-9.3',
    files: { 'etc/os-release': osRelease({ NAME: '"AlmaLinux"', VERSION: '"9.3 (Shamrock Pampas Cat)"', ID: '"almalinux"', ID_LIKE: '"rhel centos fedora"', VERSION_ID: '"9.3"', PRETTY_NAME: '"AlmaLinux 9.3 (Shamrock Pampas Cat)"' }) },
    facts: { distro: 'almalinux', productName: 'AlmaLinux 9.3 (Shamrock Pampas Cat)', majorVersion: 9, minorVersion: 3, hostname: 'unknown', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'almalinux9' } },
  { root: 'almalinux-9.4', fstab: 'anaconda',
    libguestfs: { distro: 'unknown', productName: 'AlmaLinux 9.4 (Seafoam Ocelot)', majorVersion: 9, minorVersion: 4, hostname: 'alma9', packageFormat: 'unknown', packageManagement: 'unknown', osinfo: 'unknown' },
    vmcraft: { distro: 'almalinux', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'almalinux9' }, why: 'os-release ID=almalinux is known to vmcraft, not to libguestfs' },
  { root: 'alpine-3.19', fstab: 'alpine',
    libguestfs: { distro: 'alpinelinux', productName: 'Alpine Linux v3.19', majorVersion: 3, minorVersion: 19, hostname: 'alpine319', packageFormat: 'apk', packageManagement: 'apk', osinfo: 'alpinelinux3.19' } },
  { name: 'alpine-3.19',
    files: { 'etc/os-release': osRelease({ NAME: '"Alpine Linux"', ID: 'alpine', VERSION_ID: '3.19.1', PRETTY_NAME: '"Alpine Linux v3.19"' }), 'etc/alpine-release': '3.19.1\n', 'etc/hostname': 'alpine\n' },
    facts: { distro: 'alpinelinux', productName: 'Alpine Linux v3.19', majorVersion: 3, minorVersion: 19, hostname: 'alpine', packageFormat: 'apk', packageManagement: 'apk', osinfo: 'alpinelinux3.19' } },
  { root: 'amazonlinux-2', fstab: 'nfs',
    libguestfs: { distro: 'unknown', productName: 'Amazon Linux 2', majorVersion: 2, minorVersion: 0, hostname: 'ip-172-31-0-2.ec2.internal', packageFormat: 'unknown', packageManagement: 'unknown', osinfo: 'unknown' },
    vmcraft: { distro: 'amazonlinux', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'amzn2' }, why: 'os-release ID=amzn is known to vmcraft, not to libguestfs' },
  { name: 'amazonlinux-2',
    files: { 'etc/os-release': osRelease({ NAME: '"Amazon Linux"', VERSION: '"2"', ID: '"amzn"', ID_LIKE: '"centos rhel fedora"', VERSION_ID: '"2"', PRETTY_NAME: '"Amazon Linux 2"' }), 'etc/system-release': 'Amazon Linux release 2 (Karoo)\n' },
    facts: { distro: 'amazonlinux', productName: 'Amazon Linux 2', majorVersion: 2, minorVersion: 0, hostname: 'unknown', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'amzn2' } },
  { root: 'amazonlinux-2016.03', fstab: 'anaconda-old',
    libguestfs: { distro: 'unknown', productName: 'Amazon Linux AMI 2016.03', majorVersion: 2016, minorVersion: 3, hostname: 'ip-10-0-0-12', packageFormat: 'unknown', packageManagement: 'unknown', osinfo: 'unknown' },
    vmcraft: { distro: 'amazonlinux', packageFormat: 'rpm', packageManagement: 'yum' }, why: 'os-release ID=amzn is known to vmcraft, not to libguestfs' },
  { root: 'amazonlinux-2023', fstab: 'nfs',
    libguestfs: { distro: 'unknown', productName: 'Amazon Linux 2023', majorVersion: 2023, minorVersion: 0, hostname: 'ip-172-31-5-10.ec2.internal', packageFormat: 'unknown', packageManagement: 'unknown', osinfo: 'unknown' },
    vmcraft: { distro: 'amazonlinux', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'amzn2023' }, why: 'os-release ID=amzn is known to vmcraft, not to libguestfs' },
  { name: 'amazonlinux-2023',
    files: { 'etc/os-release': osRelease({ NAME: '"Amazon Linux"', VERSION: '"2023"', ID: '"amzn"', ID_LIKE: '"fedora"', VERSION_ID: '"2023"', PRETTY_NAME: '"Amazon Linux 2023.3.20240131"' }) },
    facts: { distro: 'amazonlinux', productName: 'Amazon Linux 2023.3.20240131', majorVersion: 2023, minorVersion: 0, hostname: 'unknown', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'amzn2023' } },
  { root: 'archlinux', fstab: 'arch',
    libguestfs: { distro: 'archlinux', productName: 'Arch Linux', majorVersion: 0, minorVersion: 0, hostname: 'archbox', packageFormat: 'pacman', packageManagement: 'pacman', osinfo: 'archlinux' } },
  { name: 'archlinux',
    files: { 'etc/os-release': osRelease({ NAME: '"Arch Linux"', PRETTY_NAME: '"Arch Linux"', ID: 'arch', BUILD_ID: 'rolling', ANSI_COLOR: '"38;2;23;147;209"', LOGO: 'archlinux-logo' }), 'etc/arch-release': '' },
    facts: { distro: 'archlinux', productName: 'Arch Linux', majorVersion: 0, minorVersion: 0, hostname: 'unknown', packageFormat: 'pacman', packageManagement: 'pacman', osinfo: 'archlinux' } },
  { root: 'archlinux-docker', fstab: 'arch',
    libguestfs: { distro: 'archlinux', productName: 'Arch Linux', majorVersion: 0, minorVersion: 0, hostname: 'unknown', packageFormat: 'pacman', packageManagement: 'pacman', osinfo: 'archlinux' } },
  { root: 'archlinux-no-etc-os-release', fstab: 'arch',
    libguestfs: { distro: 'unknown', productName: 'Arch Linux', majorVersion: 0, minorVersion: 0, hostname: 'arch-rolling', packageFormat: 'unknown', packageManagement: 'unknown', osinfo: 'unknown' },
    vmcraft: { distro: 'archlinux', packageFormat: 'pacman', packageManagement: 'pacman', osinfo: 'archlinux' }, why: '/usr/lib/os-release is read when /etc/os-release is missing (libguestfs stops at lsb-release DISTRIB_ID=Arch → unknown)' },
  { root: 'centos-5', fstab: 'anaconda-old',
    libguestfs: { distro: 'centos', productName: 'CentOS release 5.11 (Final)', majorVersion: 5, minorVersion: 11, hostname: 'centos5.localdomain', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'centos5.11' } },
  { name: 'centos-6',
    files: { 'etc/centos-release': 'CentOS release 6.10 (Final)\n', 'etc/redhat-release': 'CentOS release 6.10 (Final)\n', 'etc/sysconfig/network': 'NETWORKING=yes\nHOSTNAME="c6.local"\n' },
    facts: { distro: 'centos', productName: 'CentOS release 6.10 (Final)', majorVersion: 6, minorVersion: 10, hostname: 'c6.local', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'centos6.10' } },
  { root: 'centos-6.7', fstab: 'anaconda-old',
    libguestfs: { distro: 'centos', productName: 'CentOS release 6.7 (Final)', majorVersion: 6, minorVersion: 7, hostname: 'c6.localdomain', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'centos6.7' } },
  { root: 'centos-7', fstab: 'anaconda',
    libguestfs: { distro: 'centos', productName: 'CentOS Linux release 7.1.1503 (Core) ', majorVersion: 7, minorVersion: 1, hostname: 'centos7.localdomain', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'centos7.0' } },
  { name: 'centos-7',
    files: {
      'etc/os-release': osRelease({ NAME: '"CentOS Linux"', VERSION: '"7 (Core)"', ID: '"centos"', ID_LIKE: '"rhel fedora"', VERSION_ID: '"7"', PRETTY_NAME: '"CentOS Linux 7 (Core)"', CPE_NAME: '"cpe:/o:centos:centos:7"' }),
      'etc/centos-release': 'CentOS Linux release 7.9.2009 (Core)\n',
      'etc/redhat-release': 'CentOS Linux release 7.9.2009 (Core)\n',
      'etc/hostname': 'centos7\n',
    },
    facts: { distro: 'centos', productName: 'CentOS Linux release 7.9.2009 (Core)', majorVersion: 7, minorVersion: 9, hostname: 'centos7', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'centos7.0' } },
  { root: 'centos-stream-9', fstab: 'anaconda',
    libguestfs: { distro: 'centos', productName: 'CentOS Stream release 9', majorVersion: 9, minorVersion: 0, hostname: 'stream9', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'centos9' } },
  { name: 'centos-stream-9',
    files: {
      'etc/os-release': osRelease({ NAME: '"CentOS Stream"', VERSION: '"9"', ID: '"centos"', ID_LIKE: '"rhel fedora"', VERSION_ID: '"9"', PLATFORM_ID: '"platform:el9"', PRETTY_NAME: '"CentOS Stream 9"' }),
      'etc/centos-release': 'CentOS Stream release 9\n',
    },
    facts: { distro: 'centos', productName: 'CentOS Stream release 9', majorVersion: 9, minorVersion: 0, hostname: 'unknown', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'centos9' } },
  { root: 'debian-10', fstab: 'debian',
    libguestfs: { distro: 'debian', productName: '10.7', majorVersion: 10, minorVersion: 7, hostname: 'buster', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'debian10' } },
  { root: 'debian-12', fstab: 'debian',
    libguestfs: { distro: 'debian', productName: '12.11', majorVersion: 12, minorVersion: 11, hostname: 'bookworm', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'debian12' },
    crypttab: [{ name: 'vda5_crypt', source: 'UUID=7e5d4c3b-2a19-4807-b6f5-e4d3c2b1a090', keyFile: 'none', options: ['luks', 'discard'] }] },
  { name: 'debian-12',
    files: {
      'etc/os-release': osRelease({ PRETTY_NAME: '"Debian GNU/Linux 12 (bookworm)"', NAME: '"Debian GNU/Linux"', VERSION_ID: '"12"', VERSION: '"12 (bookworm)"', VERSION_CODENAME: 'bookworm', ID: 'debian' }),
      'etc/debian_version': '12.5\n',
      'etc/hostname': 'bookworm\n',
    },
    facts: { distro: 'debian', productName: '12.5', majorVersion: 12, minorVersion: 5, hostname: 'bookworm', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'debian12' } },
  { name: 'debian-6-version-file-only',
    files: { 'etc/debian_version': '6.0.10\n', 'etc/hostname': 'squeeze\n' },
    facts: { distro: 'debian', productName: '6.0.10', majorVersion: 6, minorVersion: 0, hostname: 'squeeze', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'debian6' } },
  { root: 'debian-testing', fstab: 'debian',
    libguestfs: { distro: 'debian', productName: 'bookworm/sid', majorVersion: 0, minorVersion: 0, hostname: 'sid', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'unknown' } },
  { name: 'debian-testing',
    files: { 'etc/os-release': osRelease({ PRETTY_NAME: '"Debian GNU/Linux trixie/sid"', NAME: '"Debian GNU/Linux"', VERSION_CODENAME: 'trixie', ID: 'debian' }), 'etc/debian_version': 'trixie/sid\n' },
    facts: { distro: 'debian', productName: 'trixie/sid', majorVersion: 0, minorVersion: 0, hostname: 'unknown', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'unknown' } },
  { name: 'fedora-20-release-file-only',
    files: { 'etc/redhat-release': 'Fedora release 20 (Heisenbug)\n', 'etc/fedora-release': 'Fedora release 20 (Heisenbug)\n', 'etc/hostname': 'heisenbug\n', 'usr/bin/dnf': '' },
    facts: { distro: 'fedora', productName: 'Fedora release 20 (Heisenbug)', majorVersion: 20, minorVersion: 0, hostname: 'heisenbug', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'fedora20' } },
  { root: 'fedora-39', fstab: 'anaconda',
    libguestfs: { distro: 'fedora', productName: 'Fedora Linux 39 (Server Edition)', majorVersion: 39, minorVersion: 0, hostname: 'fedora39.example.com', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'fedora39' } },
  { root: 'gentoo', fstab: 'gentoo',
    libguestfs: { distro: 'gentoo', productName: 'Gentoo/Linux', majorVersion: 0, minorVersion: 0, hostname: 'unknown', packageFormat: 'ebuild', packageManagement: 'portage', osinfo: 'gentoo' },
    vmcraft: { hostname: 'tux' }, why: 'Gentoo /etc/conf.d/hostname is read (libguestfs does not)' },
  { name: 'gentoo',
    files: { 'etc/os-release': osRelease({ NAME: 'Gentoo', ID: 'gentoo', PRETTY_NAME: '"Gentoo Linux"', VERSION_ID: '"2.15"' }), 'etc/gentoo-release': 'Gentoo Base System release 2.15\n', 'etc/conf.d/hostname': '# Hostname fallback if no hostname is set\nhostname="gentoo-box"\n' },
    facts: { distro: 'gentoo', productName: 'Gentoo Linux', majorVersion: 2, minorVersion: 15, hostname: 'gentoo-box', packageFormat: 'ebuild', packageManagement: 'portage', osinfo: 'gentoo' } },
  { root: 'kali-2019.4', fstab: 'debian',
    libguestfs: { distro: 'kalilinux', productName: 'Kali GNU/Linux Rolling', majorVersion: 2019, minorVersion: 4, hostname: 'kali', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'kalilinux2019.4' } },
  { name: 'kali-2024.1',
    files: { 'etc/os-release': osRelease({ PRETTY_NAME: '"Kali GNU/Linux Rolling"', NAME: '"Kali GNU/Linux"', VERSION: '"2024.1"', VERSION_ID: '"2024.1"', VERSION_CODENAME: 'kali-rolling', ID: 'kali', ID_LIKE: 'debian' }) },
    facts: { distro: 'kalilinux', productName: 'Kali GNU/Linux Rolling', majorVersion: 2024, minorVersion: 1, hostname: 'unknown', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'kalilinux2024.1' } },
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
  { name: 'linuxmint-21.2',
    files: { 'etc/os-release': osRelease({ NAME: '"Linux Mint"', VERSION: '"21.2 (Victoria)"', ID: 'linuxmint', ID_LIKE: 'ubuntu', PRETTY_NAME: '"Linux Mint 21.2"', VERSION_ID: '"21.2"' }), 'etc/hostname': 'mint\n' },
    facts: { distro: 'linuxmint', productName: 'Linux Mint 21.2', majorVersion: 21, minorVersion: 2, hostname: 'mint', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'linuxmint21.2' } },
  { root: 'linuxmint-21.3', fstab: 'mint',
    libguestfs: { distro: 'unknown', productName: 'Linux Mint 21.3', majorVersion: 21, minorVersion: 3, hostname: 'virginia', packageFormat: 'unknown', packageManagement: 'unknown', osinfo: 'unknown' },
    vmcraft: { distro: 'linuxmint', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'linuxmint21.3' }, why: 'os-release ID=linuxmint is known to vmcraft, not to libguestfs' },
  { root: 'mageia-9', fstab: 'nfs',
    libguestfs: { distro: 'mageia', productName: 'Mageia 9', majorVersion: 9, minorVersion: 0, hostname: 'mageia9.localdomain', packageFormat: 'rpm', packageManagement: 'urpmi', osinfo: 'mageia9' } },
  { name: 'mageia-9',
    files: { 'etc/os-release': osRelease({ NAME: '"Mageia"', VERSION: '"9"', ID: 'mageia', VERSION_ID: '9', ID_LIKE: '"mandriva fedora"', PRETTY_NAME: '"Mageia 9"' }), 'etc/mageia-release': 'Mageia release 9 (Official) for x86_64\n' },
    facts: { distro: 'mageia', productName: 'Mageia 9', majorVersion: 9, minorVersion: 0, hostname: 'unknown', packageFormat: 'rpm', packageManagement: 'urpmi', osinfo: 'mageia9' } },
  { root: 'nixos-23.11', fstab: 'nixos',
    libguestfs: { distro: 'unknown', productName: 'NixOS 23.11 (Tapir)', majorVersion: 23, minorVersion: 11, hostname: 'nixos', packageFormat: 'unknown', packageManagement: 'unknown', osinfo: 'unknown' },
    vmcraft: { distro: 'nixos', packageFormat: 'nix', packageManagement: 'nix', osinfo: 'nixos23.11' }, why: 'os-release ID=nixos is known to vmcraft, not to libguestfs' },
  { name: 'nixos-23.11',
    files: { 'etc/os-release': osRelease({ BUILD_ID: '"23.11.20240115.b8dd8be"', ID: 'nixos', NAME: 'NixOS', PRETTY_NAME: '"NixOS 23.11 (Tapir)"', VERSION: '"23.11 (Tapir)"', VERSION_CODENAME: 'tapir', VERSION_ID: '"23.11"' }) },
    facts: { distro: 'nixos', productName: 'NixOS 23.11 (Tapir)', majorVersion: 23, minorVersion: 11, hostname: 'unknown', packageFormat: 'nix', packageManagement: 'nix', osinfo: 'nixos23.11' } },
  { root: 'openeuler-20.03', fstab: 'anaconda',
    libguestfs: { distro: 'openeuler', productName: 'openEuler 20.03 (LTS)', majorVersion: 20, minorVersion: 3, hostname: 'euler', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'openeuler20.3' } },
  { root: 'opensuse-13.2', fstab: 'suse',
    libguestfs: { distro: 'opensuse', productName: 'openSUSE 13.2 (Harlequin) (x86_64)', majorVersion: 13, minorVersion: 2, hostname: 'harlequin.site', packageFormat: 'rpm', packageManagement: 'zypper', osinfo: 'opensuse13.2' } },
  { root: 'opensuse-leap-15.5', fstab: 'suse',
    libguestfs: { distro: 'opensuse', productName: 'openSUSE Leap 15.5', majorVersion: 15, minorVersion: 5, hostname: 'leap.suse', packageFormat: 'rpm', packageManagement: 'zypper', osinfo: 'opensuse15.5' } },
  { name: 'opensuse-leap-15.5',
    files: { 'etc/os-release': osRelease({ NAME: '"openSUSE Leap"', VERSION: '"15.5"', ID: '"opensuse-leap"', ID_LIKE: '"suse opensuse"', VERSION_ID: '"15.5"', PRETTY_NAME: '"openSUSE Leap 15.5"' }), 'etc/HOSTNAME': 'leap.suse\n' },
    facts: { distro: 'opensuse', productName: 'openSUSE Leap 15.5', majorVersion: 15, minorVersion: 5, hostname: 'leap.suse', packageFormat: 'rpm', packageManagement: 'zypper', osinfo: 'opensuse15.5' } },
  { root: 'oraclelinux-7.5', fstab: 'anaconda',
    libguestfs: { distro: 'oraclelinux', productName: 'Oracle Linux Server release 7.5', majorVersion: 7, minorVersion: 5, hostname: 'ol7', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'oraclelinux7.5' },
    vmcraft: { productName: 'Oracle Linux Server 7.5', osinfo: 'ol7.5' }, why: 'os-release ID=ol is known to vmcraft, not to libguestfs; osinfo uses the osinfo-db short id ol<M>.<m>' },
  { root: 'oraclelinux-8.9', fstab: 'anaconda',
    libguestfs: { distro: 'unknown', productName: 'Oracle Linux Server 8.9', majorVersion: 8, minorVersion: 9, hostname: 'ol8', packageFormat: 'unknown', packageManagement: 'unknown', osinfo: 'unknown' },
    vmcraft: { distro: 'oraclelinux', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'ol8.9' }, why: 'os-release ID=ol is known to vmcraft, not to libguestfs' },
  { name: 'oraclelinux-8.9',
    files: { 'etc/os-release': osRelease({ NAME: '"Oracle Linux Server"', VERSION: '"8.9"', ID: '"ol"', ID_LIKE: '"fedora"', VERSION_ID: '"8.9"', PRETTY_NAME: '"Oracle Linux Server 8.9"' }), 'etc/oracle-release': 'Oracle Linux Server release 8.9\n' },
    facts: { distro: 'oraclelinux', productName: 'Oracle Linux Server 8.9', majorVersion: 8, minorVersion: 9, hostname: 'unknown', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'ol8.9' } },
  { root: 'pardus-19.1', fstab: 'debian',
    libguestfs: { distro: 'pardus', productName: 'Pardus GNU/Linux Ondokuz', majorVersion: 19, minorVersion: 1, hostname: 'pardus', packageFormat: 'pisi', packageManagement: 'pisi', osinfo: 'pardus19.1' } },
  { name: 'photon-5',
    files: { 'etc/os-release': osRelease({ NAME: '"VMware Photon OS"', VERSION: '"5.0"', ID: 'photon', VERSION_ID: '5.0', PRETTY_NAME: '"VMware Photon OS/Linux"' }), 'etc/photon-release': 'VMware Photon OS 5.0\nPHOTON_BUILD_NUMBER=dde71ec57\n' },
    facts: { distro: 'photon', productName: 'VMware Photon OS/Linux', majorVersion: 5, minorVersion: 0, hostname: 'unknown', packageFormat: 'rpm', packageManagement: 'tdnf', osinfo: 'photon5.0' } },
  { root: 'photon-5.0', fstab: 'nfs',
    libguestfs: { distro: 'unknown', productName: 'VMware Photon OS/Linux', majorVersion: 5, minorVersion: 0, hostname: 'photon-5', packageFormat: 'unknown', packageManagement: 'unknown', osinfo: 'unknown' },
    vmcraft: { distro: 'photon', packageFormat: 'rpm', packageManagement: 'tdnf', osinfo: 'photon5.0' }, why: 'os-release ID=photon is known to vmcraft, not to libguestfs' },
  { name: 'rhel-4-update',
    files: { 'etc/redhat-release': 'Red Hat Enterprise Linux AS release 4 (Nahant Update 9)\n' },
    facts: { distro: 'rhel', productName: 'Red Hat Enterprise Linux AS release 4 (Nahant Update 9)', majorVersion: 4, minorVersion: 9, hostname: 'unknown', packageFormat: 'rpm', packageManagement: 'up2date', osinfo: 'rhel4.9' } },
  { root: 'rhel-4.9', fstab: 'anaconda-old',
    libguestfs: { distro: 'rhel', productName: 'Red Hat Enterprise Linux AS release 4 (Nahant Update 9)', majorVersion: 4, minorVersion: 9, hostname: 'nahant.example.com', packageFormat: 'rpm', packageManagement: 'up2date', osinfo: 'rhel4.9' } },
  { root: 'rhel-5.11', fstab: 'anaconda-old',
    libguestfs: { distro: 'rhel', productName: 'Red Hat Enterprise Linux Server release 5.11 (Tikanga)', majorVersion: 5, minorVersion: 11, hostname: 'tikanga.example.com', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'rhel5.11' } },
  { name: 'rhel-5.11',
    files: { 'etc/redhat-release': 'Red Hat Enterprise Linux Server release 5.11 (Tikanga)\n', 'etc/sysconfig/network': 'NETWORKING=yes\nNETWORKING_IPV6=no\nHOSTNAME=tikanga.example.com\n' },
    facts: { distro: 'rhel', productName: 'Red Hat Enterprise Linux Server release 5.11 (Tikanga)', majorVersion: 5, minorVersion: 11, hostname: 'tikanga.example.com', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'rhel5.11' } },
  { root: 'rhel-6.7', fstab: 'anaconda-old',
    libguestfs: { distro: 'rhel', productName: 'Red Hat Enterprise Linux Server release 6.7 (Santiago)', majorVersion: 6, minorVersion: 7, hostname: 'santiago.example.com', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'rhel6.7' } },
  { root: 'rhel-9.3', fstab: 'anaconda',
    libguestfs: { distro: 'rhel', productName: 'Red Hat Enterprise Linux 9.3 (Plow)', majorVersion: 9, minorVersion: 3, hostname: 'rhel9.example.com', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'rhel9.3' } },
  { name: 'rhel-9.3',
    files: {
      'etc/os-release': osRelease({ NAME: '"Red Hat Enterprise Linux"', VERSION: '"9.3 (Plow)"', ID: '"rhel"', ID_LIKE: '"fedora"', VERSION_ID: '"9.3"', PLATFORM_ID: '"platform:el9"', PRETTY_NAME: '"Red Hat Enterprise Linux 9.3 (Plow)"', ANSI_COLOR: '"0;31"' }),
      'etc/redhat-release': 'Red Hat Enterprise Linux release 9.3 (Plow)\n',
      'etc/hostname': 'rhel9.example.com\n',
    },
    facts: { distro: 'rhel', productName: 'Red Hat Enterprise Linux 9.3 (Plow)', majorVersion: 9, minorVersion: 3, hostname: 'rhel9.example.com', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'rhel9.3' } },
  { root: 'rocky-9.3', fstab: 'anaconda',
    libguestfs: { distro: 'rocky', productName: 'Rocky Linux 9.3 (Blue Onyx)', majorVersion: 9, minorVersion: 3, hostname: 'rocky9', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'rocky9' } },
  { name: 'rocky-9.3',
    files: { 'etc/os-release': osRelease({ NAME: '"Rocky Linux"', VERSION: '"9.3 (Blue Onyx)"', ID: '"rocky"', ID_LIKE: '"rhel centos fedora"', VERSION_ID: '"9.3"', PRETTY_NAME: '"Rocky Linux 9.3 (Blue Onyx)"' }), 'etc/rocky-release': 'Rocky Linux release 9.3 (Blue Onyx)\n' },
    facts: { distro: 'rocky', productName: 'Rocky Linux 9.3 (Blue Onyx)', majorVersion: 9, minorVersion: 3, hostname: 'unknown', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'rocky9' } },
  { root: 'sles-11-sp3', fstab: 'sles11',
    libguestfs: { distro: 'sles', productName: 'SUSE Linux Enterprise Server 11 (x86_64)', majorVersion: 11, minorVersion: 3, hostname: 'sles11sp3.site', packageFormat: 'rpm', packageManagement: 'zypper', osinfo: 'sles11sp3' } },
  { root: 'sles-11-sp4', fstab: 'sles11',
    libguestfs: { distro: 'sles', productName: 'SUSE Linux Enterprise Server 11 SP4', majorVersion: 11, minorVersion: 4, hostname: 'sles11sp4.site', packageFormat: 'rpm', packageManagement: 'zypper', osinfo: 'sles11sp4' } },
  { name: 'sles-11-sp4-suse-release',
    files: { 'etc/SuSE-release': 'SUSE Linux Enterprise Server 11 (x86_64)\nVERSION = 11\nPATCHLEVEL = 4\n', 'etc/HOSTNAME': 'sles11.site\n' },
    facts: { distro: 'sles', productName: 'SUSE Linux Enterprise Server 11 (x86_64)', majorVersion: 11, minorVersion: 4, hostname: 'sles11.site', packageFormat: 'rpm', packageManagement: 'zypper', osinfo: 'sles11sp4' } },
  { root: 'sles-12-sp1', fstab: 'suse',
    libguestfs: { distro: 'sles', productName: 'SUSE Linux Enterprise Server 12 SP1', majorVersion: 12, minorVersion: 1, hostname: 'sles12.suse', packageFormat: 'rpm', packageManagement: 'zypper', osinfo: 'sles12sp1' } },
  { root: 'sles-15-sp5', fstab: 'suse',
    libguestfs: { distro: 'sles', productName: 'SUSE Linux Enterprise Server 15 SP5', majorVersion: 15, minorVersion: 5, hostname: 'sles15sp5', packageFormat: 'rpm', packageManagement: 'zypper', osinfo: 'sle15sp5' } },
  { name: 'sles-15-sp5',
    files: { 'etc/os-release': osRelease({ NAME: '"SLES"', VERSION: '"15-SP5"', VERSION_ID: '"15.5"', PRETTY_NAME: '"SUSE Linux Enterprise Server 15 SP5"', ID: '"sles"', ID_LIKE: '"suse"' }) },
    facts: { distro: 'sles', productName: 'SUSE Linux Enterprise Server 15 SP5', majorVersion: 15, minorVersion: 5, hostname: 'unknown', packageFormat: 'rpm', packageManagement: 'zypper', osinfo: 'sle15sp5' } },
  { name: 'ubuntu-10.04-lsb-only',
    files: { 'etc/lsb-release': 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=10.04\nDISTRIB_CODENAME=lucid\nDISTRIB_DESCRIPTION="Ubuntu 10.04.4 LTS"\n', 'etc/debian_version': 'squeeze/sid\n', 'etc/hostname': 'lucid\n' },
    facts: { distro: 'ubuntu', productName: 'Ubuntu 10.04.4 LTS', majorVersion: 10, minorVersion: 4, hostname: 'lucid', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'ubuntu10.04' } },
  { root: 'ubuntu-10.04-unclosed-quote', fstab: 'debian',
    libguestfs: { distro: 'ubuntu', productName: '"Ubuntu 10.04.4 LTS', majorVersion: 10, minorVersion: 4, hostname: 'lucid', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'ubuntu10.04' } },
  { root: 'ubuntu-22.04', fstab: 'ubuntu',
    libguestfs: { distro: 'ubuntu', productName: 'Ubuntu 22.04 LTS', majorVersion: 22, minorVersion: 4, hostname: 'jammy', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'ubuntu22.04' } },
  { name: 'ubuntu-22.04',
    files: {
      'etc/os-release': osRelease({ PRETTY_NAME: '"Ubuntu 22.04.3 LTS"', NAME: '"Ubuntu"', VERSION_ID: '"22.04"', VERSION: '"22.04.3 LTS (Jammy Jellyfish)"', VERSION_CODENAME: 'jammy', ID: 'ubuntu', ID_LIKE: 'debian', HOME_URL: '"https://www.ubuntu.com/"', UBUNTU_CODENAME: 'jammy' }),
      'etc/lsb-release': 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\nDISTRIB_DESCRIPTION="Ubuntu 22.04.3 LTS"\n',
      'etc/debian_version': 'bookworm/sid\n',
      'etc/hostname': 'jammy-vm\n',
    },
    facts: { distro: 'ubuntu', productName: 'Ubuntu 22.04.3 LTS', majorVersion: 22, minorVersion: 4, hostname: 'jammy-vm', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'ubuntu22.04' } },
  { root: 'ubuntu-24.04', fstab: 'ubuntu',
    libguestfs: { distro: 'ubuntu', productName: 'Ubuntu 24.04.3 LTS', majorVersion: 24, minorVersion: 4, hostname: 'noble', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'ubuntu24.04' } },
  { root: 'voidlinux', fstab: 'void',
    libguestfs: { distro: 'voidlinux', productName: 'Void Linux', majorVersion: 0, minorVersion: 0, hostname: 'void', packageFormat: 'xbps', packageManagement: 'xbps', osinfo: 'voidlinux' } },
  { name: 'voidlinux',
    files: { 'etc/os-release': osRelease({ NAME: '"Void"', ID: '"void"', PRETTY_NAME: '"Void Linux"', HOME_URL: '"https://voidlinux.org/"' }) },
    facts: { distro: 'voidlinux', productName: 'Void Linux', majorVersion: 0, minorVersion: 0, hostname: 'unknown', packageFormat: 'xbps', packageManagement: 'xbps', osinfo: 'voidlinux' } },
];

/** The fixture roots of DISTROS. */
export const FIXTURE_SAMPLES: FixtureSample[] = DISTROS.filter(isFixture);
