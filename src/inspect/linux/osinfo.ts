/** osinfo short ids of Linux distros, by libguestfs' rules (lib/inspect-osinfo.c). */

/** The osinfo id for a distro and version, or `unknown`. */
export function linuxOsinfo(distro: string, major: number, minor: number): string {
  switch (distro) {
    case 'centos':
      if (major >= 8) return `centos${major}`;
      if (major === 7) return 'centos7.0';
      if (major === 6) return `centos6.${minor}`;
      break;
    case 'circle':
    case 'rocky':
    case 'almalinux':
      if (major >= 8) return `${distro}${major}`;
      break;
    case 'debian':
      if (major >= 4) return `debian${major}`;
      break;
    case 'fedora':
    case 'mageia':
      return `${distro}${major}`;
    case 'sles': {
      // libguestfs names SLE 15 and later `sle…` (osinfo's ids changed with SLE 15).
      const prefix = major >= 15 ? 'sle' : 'sles';
      return minor === 0 ? `${prefix}${major}` : `${prefix}${major}sp${minor}`;
    }
    case 'ubuntu':
      return `ubuntu${major}.${String(minor).padStart(2, '0')}`;
    case 'archlinux':
    case 'gentoo':
    case 'voidlinux':
      return distro;
    case 'altlinux':
      return major >= 8 ? `alt${major}.${minor}` : `altlinux${major}.${minor}`;
    case 'oraclelinux':
      return `ol${major}.${minor}`;
    case 'alpinelinux':
      return `alpinelinux${major}.${minor}`;
    case 'amazonlinux':
      return major === 2 ? 'amzn2' : major >= 2022 ? `amzn${major}` : 'unknown';
  }
  return distro !== 'unknown' && (major > 0 || minor > 0) ? `${distro}${major}.${minor}` : 'unknown';
}
