/**
 * Release files of real distributions (as their images ship them; versions
 * named in each entry) and what inspection must report for each, following
 * libguestfs' rules (daemon/inspect_fs_unix.ml, lib/inspect-osinfo.c).
 */

/** One fake guest root: its files and the expected facts. */
export interface DistroCase {
  name: string;
  files: Record<string, string>;
  expect: { distro: string; productName: string; majorVersion: number; minorVersion: number; hostname: string; packageFormat: string; packageManagement: string; osinfo: string };
}

const osRelease = (fields: Record<string, string>) => `${Object.entries(fields).map(([k, v]) => `${k}=${v}`).join('\n')}\n`;

export const DISTROS: DistroCase[] = [
  {
    name: 'ubuntu-22.04',
    files: {
      'etc/os-release': osRelease({ PRETTY_NAME: '"Ubuntu 22.04.3 LTS"', NAME: '"Ubuntu"', VERSION_ID: '"22.04"', VERSION: '"22.04.3 LTS (Jammy Jellyfish)"', VERSION_CODENAME: 'jammy', ID: 'ubuntu', ID_LIKE: 'debian', HOME_URL: '"https://www.ubuntu.com/"', UBUNTU_CODENAME: 'jammy' }),
      'etc/lsb-release': 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\nDISTRIB_DESCRIPTION="Ubuntu 22.04.3 LTS"\n',
      'etc/debian_version': 'bookworm/sid\n',
      'etc/hostname': 'jammy-vm\n',
    },
    expect: { distro: 'ubuntu', productName: 'Ubuntu 22.04.3 LTS', majorVersion: 22, minorVersion: 4, hostname: 'jammy-vm', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'ubuntu22.04' },
  },
  {
    name: 'ubuntu-10.04-lsb-only',
    files: { 'etc/lsb-release': 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=10.04\nDISTRIB_CODENAME=lucid\nDISTRIB_DESCRIPTION="Ubuntu 10.04.4 LTS"\n', 'etc/debian_version': 'squeeze/sid\n', 'etc/hostname': 'lucid\n' },
    expect: { distro: 'ubuntu', productName: 'Ubuntu 10.04.4 LTS', majorVersion: 10, minorVersion: 4, hostname: 'lucid', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'ubuntu10.04' },
  },
  {
    name: 'debian-12',
    files: {
      'etc/os-release': osRelease({ PRETTY_NAME: '"Debian GNU/Linux 12 (bookworm)"', NAME: '"Debian GNU/Linux"', VERSION_ID: '"12"', VERSION: '"12 (bookworm)"', VERSION_CODENAME: 'bookworm', ID: 'debian' }),
      'etc/debian_version': '12.5\n',
      'etc/hostname': 'bookworm\n',
    },
    expect: { distro: 'debian', productName: '12.5', majorVersion: 12, minorVersion: 5, hostname: 'bookworm', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'debian12' },
  },
  {
    name: 'debian-6-version-file-only',
    files: { 'etc/debian_version': '6.0.10\n', 'etc/hostname': 'squeeze\n' },
    expect: { distro: 'debian', productName: '6.0.10', majorVersion: 6, minorVersion: 0, hostname: 'squeeze', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'debian6' },
  },
  {
    name: 'debian-testing',
    files: { 'etc/os-release': osRelease({ PRETTY_NAME: '"Debian GNU/Linux trixie/sid"', NAME: '"Debian GNU/Linux"', VERSION_CODENAME: 'trixie', ID: 'debian' }), 'etc/debian_version': 'trixie/sid\n' },
    expect: { distro: 'debian', productName: 'trixie/sid', majorVersion: 0, minorVersion: 0, hostname: 'unknown', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'unknown' },
  },
  {
    name: 'linuxmint-21.2',
    files: { 'etc/os-release': osRelease({ NAME: '"Linux Mint"', VERSION: '"21.2 (Victoria)"', ID: 'linuxmint', ID_LIKE: 'ubuntu', PRETTY_NAME: '"Linux Mint 21.2"', VERSION_ID: '"21.2"' }), 'etc/hostname': 'mint\n' },
    expect: { distro: 'linuxmint', productName: 'Linux Mint 21.2', majorVersion: 21, minorVersion: 2, hostname: 'mint', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'linuxmint21.2' },
  },
  {
    name: 'kali-2024.1',
    files: { 'etc/os-release': osRelease({ PRETTY_NAME: '"Kali GNU/Linux Rolling"', NAME: '"Kali GNU/Linux"', VERSION: '"2024.1"', VERSION_ID: '"2024.1"', VERSION_CODENAME: 'kali-rolling', ID: 'kali', ID_LIKE: 'debian' }) },
    expect: { distro: 'kalilinux', productName: 'Kali GNU/Linux Rolling', majorVersion: 2024, minorVersion: 1, hostname: 'unknown', packageFormat: 'deb', packageManagement: 'apt', osinfo: 'kalilinux2024.1' },
  },
  {
    name: 'fedora-20-release-file-only',
    files: { 'etc/redhat-release': 'Fedora release 20 (Heisenbug)\n', 'etc/fedora-release': 'Fedora release 20 (Heisenbug)\n', 'etc/hostname': 'heisenbug\n', 'usr/bin/dnf': '' },
    expect: { distro: 'fedora', productName: 'Fedora release 20 (Heisenbug)', majorVersion: 20, minorVersion: 0, hostname: 'heisenbug', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'fedora20' },
  },
  {
    name: 'rhel-9.3',
    files: {
      'etc/os-release': osRelease({ NAME: '"Red Hat Enterprise Linux"', VERSION: '"9.3 (Plow)"', ID: '"rhel"', ID_LIKE: '"fedora"', VERSION_ID: '"9.3"', PLATFORM_ID: '"platform:el9"', PRETTY_NAME: '"Red Hat Enterprise Linux 9.3 (Plow)"', ANSI_COLOR: '"0;31"' }),
      'etc/redhat-release': 'Red Hat Enterprise Linux release 9.3 (Plow)\n',
      'etc/hostname': 'rhel9.example.com\n',
    },
    expect: { distro: 'rhel', productName: 'Red Hat Enterprise Linux 9.3 (Plow)', majorVersion: 9, minorVersion: 3, hostname: 'rhel9.example.com', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'rhel9.3' },
  },
  {
    name: 'rhel-5.11',
    files: { 'etc/redhat-release': 'Red Hat Enterprise Linux Server release 5.11 (Tikanga)\n', 'etc/sysconfig/network': 'NETWORKING=yes\nNETWORKING_IPV6=no\nHOSTNAME=tikanga.example.com\n' },
    expect: { distro: 'rhel', productName: 'Red Hat Enterprise Linux Server release 5.11 (Tikanga)', majorVersion: 5, minorVersion: 11, hostname: 'tikanga.example.com', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'rhel5.11' },
  },
  {
    name: 'rhel-4-update',
    files: { 'etc/redhat-release': 'Red Hat Enterprise Linux AS release 4 (Nahant Update 9)\n' },
    expect: { distro: 'rhel', productName: 'Red Hat Enterprise Linux AS release 4 (Nahant Update 9)', majorVersion: 4, minorVersion: 9, hostname: 'unknown', packageFormat: 'rpm', packageManagement: 'up2date', osinfo: 'rhel4.9' },
  },
  {
    name: 'centos-7',
    files: {
      'etc/os-release': osRelease({ NAME: '"CentOS Linux"', VERSION: '"7 (Core)"', ID: '"centos"', ID_LIKE: '"rhel fedora"', VERSION_ID: '"7"', PRETTY_NAME: '"CentOS Linux 7 (Core)"', CPE_NAME: '"cpe:/o:centos:centos:7"' }),
      'etc/centos-release': 'CentOS Linux release 7.9.2009 (Core)\n',
      'etc/redhat-release': 'CentOS Linux release 7.9.2009 (Core)\n',
      'etc/hostname': 'centos7\n',
    },
    expect: { distro: 'centos', productName: 'CentOS Linux release 7.9.2009 (Core)', majorVersion: 7, minorVersion: 9, hostname: 'centos7', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'centos7.0' },
  },
  {
    name: 'centos-6',
    files: { 'etc/centos-release': 'CentOS release 6.10 (Final)\n', 'etc/redhat-release': 'CentOS release 6.10 (Final)\n', 'etc/sysconfig/network': 'NETWORKING=yes\nHOSTNAME="c6.local"\n' },
    expect: { distro: 'centos', productName: 'CentOS release 6.10 (Final)', majorVersion: 6, minorVersion: 10, hostname: 'c6.local', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'centos6.10' },
  },
  {
    name: 'centos-stream-9',
    files: {
      'etc/os-release': osRelease({ NAME: '"CentOS Stream"', VERSION: '"9"', ID: '"centos"', ID_LIKE: '"rhel fedora"', VERSION_ID: '"9"', PLATFORM_ID: '"platform:el9"', PRETTY_NAME: '"CentOS Stream 9"' }),
      'etc/centos-release': 'CentOS Stream release 9\n',
    },
    expect: { distro: 'centos', productName: 'CentOS Stream release 9', majorVersion: 9, minorVersion: 0, hostname: 'unknown', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'centos9' },
  },
  {
    name: 'rocky-9.3',
    files: { 'etc/os-release': osRelease({ NAME: '"Rocky Linux"', VERSION: '"9.3 (Blue Onyx)"', ID: '"rocky"', ID_LIKE: '"rhel centos fedora"', VERSION_ID: '"9.3"', PRETTY_NAME: '"Rocky Linux 9.3 (Blue Onyx)"' }), 'etc/rocky-release': 'Rocky Linux release 9.3 (Blue Onyx)\n' },
    expect: { distro: 'rocky', productName: 'Rocky Linux 9.3 (Blue Onyx)', majorVersion: 9, minorVersion: 3, hostname: 'unknown', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'rocky9' },
  },
  {
    name: 'almalinux-9.3',
    files: { 'etc/os-release': osRelease({ NAME: '"AlmaLinux"', VERSION: '"9.3 (Shamrock Pampas Cat)"', ID: '"almalinux"', ID_LIKE: '"rhel centos fedora"', VERSION_ID: '"9.3"', PRETTY_NAME: '"AlmaLinux 9.3 (Shamrock Pampas Cat)"' }) },
    expect: { distro: 'almalinux', productName: 'AlmaLinux 9.3 (Shamrock Pampas Cat)', majorVersion: 9, minorVersion: 3, hostname: 'unknown', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'almalinux9' },
  },
  {
    name: 'oraclelinux-8.9',
    files: { 'etc/os-release': osRelease({ NAME: '"Oracle Linux Server"', VERSION: '"8.9"', ID: '"ol"', ID_LIKE: '"fedora"', VERSION_ID: '"8.9"', PRETTY_NAME: '"Oracle Linux Server 8.9"' }), 'etc/oracle-release': 'Oracle Linux Server release 8.9\n' },
    expect: { distro: 'oraclelinux', productName: 'Oracle Linux Server 8.9', majorVersion: 8, minorVersion: 9, hostname: 'unknown', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'ol8.9' },
  },
  {
    name: 'amazonlinux-2',
    files: { 'etc/os-release': osRelease({ NAME: '"Amazon Linux"', VERSION: '"2"', ID: '"amzn"', ID_LIKE: '"centos rhel fedora"', VERSION_ID: '"2"', PRETTY_NAME: '"Amazon Linux 2"' }), 'etc/system-release': 'Amazon Linux release 2 (Karoo)\n' },
    expect: { distro: 'amazonlinux', productName: 'Amazon Linux 2', majorVersion: 2, minorVersion: 0, hostname: 'unknown', packageFormat: 'rpm', packageManagement: 'yum', osinfo: 'amzn2' },
  },
  {
    name: 'amazonlinux-2023',
    files: { 'etc/os-release': osRelease({ NAME: '"Amazon Linux"', VERSION: '"2023"', ID: '"amzn"', ID_LIKE: '"fedora"', VERSION_ID: '"2023"', PRETTY_NAME: '"Amazon Linux 2023.3.20240131"' }) },
    expect: { distro: 'amazonlinux', productName: 'Amazon Linux 2023.3.20240131', majorVersion: 2023, minorVersion: 0, hostname: 'unknown', packageFormat: 'rpm', packageManagement: 'dnf', osinfo: 'amzn2023' },
  },
  {
    name: 'opensuse-leap-15.5',
    files: { 'etc/os-release': osRelease({ NAME: '"openSUSE Leap"', VERSION: '"15.5"', ID: '"opensuse-leap"', ID_LIKE: '"suse opensuse"', VERSION_ID: '"15.5"', PRETTY_NAME: '"openSUSE Leap 15.5"' }), 'etc/HOSTNAME': 'leap.suse\n' },
    expect: { distro: 'opensuse', productName: 'openSUSE Leap 15.5', majorVersion: 15, minorVersion: 5, hostname: 'leap.suse', packageFormat: 'rpm', packageManagement: 'zypper', osinfo: 'opensuse15.5' },
  },
  {
    name: 'sles-15-sp5',
    files: { 'etc/os-release': osRelease({ NAME: '"SLES"', VERSION: '"15-SP5"', VERSION_ID: '"15.5"', PRETTY_NAME: '"SUSE Linux Enterprise Server 15 SP5"', ID: '"sles"', ID_LIKE: '"suse"' }) },
    expect: { distro: 'sles', productName: 'SUSE Linux Enterprise Server 15 SP5', majorVersion: 15, minorVersion: 5, hostname: 'unknown', packageFormat: 'rpm', packageManagement: 'zypper', osinfo: 'sle15sp5' },
  },
  {
    name: 'sles-11-sp4-suse-release',
    files: { 'etc/SuSE-release': 'SUSE Linux Enterprise Server 11 (x86_64)\nVERSION = 11\nPATCHLEVEL = 4\n', 'etc/HOSTNAME': 'sles11.site\n' },
    expect: { distro: 'sles', productName: 'SUSE Linux Enterprise Server 11 (x86_64)', majorVersion: 11, minorVersion: 4, hostname: 'sles11.site', packageFormat: 'rpm', packageManagement: 'zypper', osinfo: 'sles11sp4' },
  },
  {
    name: 'archlinux',
    files: { 'etc/os-release': osRelease({ NAME: '"Arch Linux"', PRETTY_NAME: '"Arch Linux"', ID: 'arch', BUILD_ID: 'rolling', ANSI_COLOR: '"38;2;23;147;209"', LOGO: 'archlinux-logo' }), 'etc/arch-release': '' },
    expect: { distro: 'archlinux', productName: 'Arch Linux', majorVersion: 0, minorVersion: 0, hostname: 'unknown', packageFormat: 'pacman', packageManagement: 'pacman', osinfo: 'archlinux' },
  },
  {
    name: 'alpine-3.19',
    files: { 'etc/os-release': osRelease({ NAME: '"Alpine Linux"', ID: 'alpine', VERSION_ID: '3.19.1', PRETTY_NAME: '"Alpine Linux v3.19"' }), 'etc/alpine-release': '3.19.1\n', 'etc/hostname': 'alpine\n' },
    expect: { distro: 'alpinelinux', productName: 'Alpine Linux v3.19', majorVersion: 3, minorVersion: 19, hostname: 'alpine', packageFormat: 'apk', packageManagement: 'apk', osinfo: 'alpinelinux3.19' },
  },
  {
    name: 'gentoo',
    files: { 'etc/os-release': osRelease({ NAME: 'Gentoo', ID: 'gentoo', PRETTY_NAME: '"Gentoo Linux"', VERSION_ID: '"2.15"' }), 'etc/gentoo-release': 'Gentoo Base System release 2.15\n', 'etc/conf.d/hostname': '# Hostname fallback if no hostname is set\nhostname="gentoo-box"\n' },
    expect: { distro: 'gentoo', productName: 'Gentoo Linux', majorVersion: 2, minorVersion: 15, hostname: 'gentoo-box', packageFormat: 'ebuild', packageManagement: 'portage', osinfo: 'gentoo' },
  },
  {
    name: 'mageia-9',
    files: { 'etc/os-release': osRelease({ NAME: '"Mageia"', VERSION: '"9"', ID: 'mageia', VERSION_ID: '9', ID_LIKE: '"mandriva fedora"', PRETTY_NAME: '"Mageia 9"' }), 'etc/mageia-release': 'Mageia release 9 (Official) for x86_64\n' },
    expect: { distro: 'mageia', productName: 'Mageia 9', majorVersion: 9, minorVersion: 0, hostname: 'unknown', packageFormat: 'rpm', packageManagement: 'urpmi', osinfo: 'mageia9' },
  },
  {
    name: 'voidlinux',
    files: { 'etc/os-release': osRelease({ NAME: '"Void"', ID: '"void"', PRETTY_NAME: '"Void Linux"', HOME_URL: '"https://voidlinux.org/"' }) },
    expect: { distro: 'voidlinux', productName: 'Void Linux', majorVersion: 0, minorVersion: 0, hostname: 'unknown', packageFormat: 'xbps', packageManagement: 'xbps', osinfo: 'voidlinux' },
  },
  {
    name: 'nixos-23.11',
    files: { 'etc/os-release': osRelease({ BUILD_ID: '"23.11.20240115.b8dd8be"', ID: 'nixos', NAME: 'NixOS', PRETTY_NAME: '"NixOS 23.11 (Tapir)"', VERSION: '"23.11 (Tapir)"', VERSION_CODENAME: 'tapir', VERSION_ID: '"23.11"' }) },
    expect: { distro: 'nixos', productName: 'NixOS 23.11 (Tapir)', majorVersion: 23, minorVersion: 11, hostname: 'unknown', packageFormat: 'nix', packageManagement: 'nix', osinfo: 'nixos23.11' },
  },
  {
    name: 'photon-5',
    files: { 'etc/os-release': osRelease({ NAME: '"VMware Photon OS"', VERSION: '"5.0"', ID: 'photon', VERSION_ID: '5.0', PRETTY_NAME: '"VMware Photon OS/Linux"' }), 'etc/photon-release': 'VMware Photon OS 5.0\nPHOTON_BUILD_NUMBER=dde71ec57\n' },
    expect: { distro: 'photon', productName: 'VMware Photon OS/Linux', majorVersion: 5, minorVersion: 0, hostname: 'unknown', packageFormat: 'rpm', packageManagement: 'tdnf', osinfo: 'photon5.0' },
  },
];
