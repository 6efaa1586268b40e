/** Types shared by the OS inspection modules. */
import type { CrypttabEntry } from './parsers/crypttab.js';

/** Operating system type, with the libguestfs values. */
export type OsType = 'linux' | 'windows' | 'freebsd' | 'netbsd' | 'openbsd' | 'hurd' | 'dos' | 'minix' | 'unknown';

/** Package format, with the libguestfs values. */
export type PackageFormat = 'deb' | 'rpm' | 'pacman' | 'apk' | 'ebuild' | 'pisi' | 'pkgsrc' | 'xbps' | 'nix' | 'unknown';

/** Package management tool, with the libguestfs values. */
export type PackageManagement =
  | 'apt' | 'yum' | 'dnf' | 'up2date' | 'zypper' | 'urpmi' | 'pacman' | 'apk' | 'portage' | 'pisi'
  | 'xbps' | 'nix' | 'tdnf' | 'unknown';

/** One fstab line, parsed. */
export interface FstabEntry {
  /** First field as written: `UUID=…`, `LABEL=…`, `PARTUUID=…`, `/dev/sda1`, `server:/export`… */
  spec: string;
  /** Mount point (`/`, `/boot`, `none` for swap). */
  file: string;
  /** Filesystem type (`ext4`, `swap`, `nfs`, `auto`…). */
  vfstype: string;
  /** Mount options, split on commas. */
  options: string[];
  /** dump field (0 when absent). */
  freq: number;
  /** fsck pass (0 when absent). */
  passno: number;
}

/** Windows-only facts (from the SOFTWARE and SYSTEM hives). */
export interface WindowsDetails {
  /** Guest path of the system root, as spelled on disk (`/Windows`). */
  systemroot: string;
  /** `Client` or `Server` (libguestfs `inspect_get_product_variant`). */
  productVariant: string;
  /** EditionID: `ServerStandard`, `Professional`… */
  editionId: string;
  /** CurrentBuildNumber: `17763`… */
  buildNumber: string;
  /** The control set in use (`ControlSet001`), from Select\Current (libguestfs `inspect_get_windows_current_control_set`). */
  currentControlSet: string;
  /** Guest path of the SYSTEM hive as spelled on disk (`/Windows/System32/config/SYSTEM`). */
  systemHive: string;
  /** Guest path of the SOFTWARE hive as spelled on disk (`/Windows/System32/config/SOFTWARE`). */
  softwareHive: string;
  /** Drive letters from MountedDevices, with this session's device where it is one of them. */
  drives: { drive: string; device?: string }[];
  /** Installed applications (Uninstall keys with a DisplayName, 64- and 32-bit views; Microsoft Defender when its key says it is on). */
  applications: WindowsApplication[];
}

/** One installed Windows application, from its Uninstall key. */
export interface WindowsApplication {
  /** DisplayName (what Programs and Features shows). */
  name: string;
  /** The Uninstall subkey's name: a product code `{…}` or a plain name (libguestfs' `app2_name`). */
  key: string;
  /** DisplayVersion, or empty. */
  version: string;
  /** Publisher, or empty. */
  publisher: string;
  /** InstallDate (`YYYYMMDD` as written), or empty. */
  installDate: string;
  /** InstallLocation, or empty. */
  installLocation: string;
  /** URLInfoAbout, or empty. */
  url: string;
  /** Comments, or empty. */
  comments: string;
}

/**
 * One installed package or application, as libguestfs'
 * `inspect_list_applications2` gives it (its `application2` struct, the
 * `app2_` prefix dropped, in camelCase). A field a package format does not
 * have is empty (`epoch` 0).
 */
export interface Application {
  /** Package name (deb, rpm, apk, pacman); the Uninstall key name on Windows. */
  name: string;
  /** Windows: DisplayName; empty elsewhere. */
  displayName: string;
  /** Epoch (0 when none). */
  epoch: number;
  /** Upstream version (deb/apk/pacman: before the last `-`; rpm: VERSION; Windows: DisplayVersion). */
  version: string;
  /** Release (deb: Debian revision; rpm: RELEASE; apk: without its `r`; pacman: pkgrel), or empty. */
  release: string;
  /** Architecture (`amd64`, `x86_64`, `noarch`…; rpm's `(none)` when the header has none), or empty. */
  arch: string;
  /** Windows: InstallLocation; empty elsewhere. */
  installPath: string;
  /** Always empty: libguestfs does not implement it either. */
  transPath: string;
  /** Windows: Publisher; empty elsewhere. */
  publisher: string;
  /** Home page (deb Homepage, rpm URL — `(none)` when the header has none —, apk U, pacman %URL%, Windows URLInfoAbout), or empty. */
  url: string;
  /** deb: the Source package name (without its version); empty elsewhere. */
  sourcePackage: string;
  /** One-line summary (deb: the Description's first line; rpm: SUMMARY), or empty. */
  summary: string;
  /** Long description (deb: the Description's continuation lines; rpm: DESCRIPTION; apk T; pacman %DESC%; Windows Comments), or empty. */
  description: string;
  /** libguestfs' `app2_class`: `antivirus` for Windows anti-virus software, else empty. */
  class: string;
}

/** What the files of one root say about the installed OS (no device knowledge). */
export interface OsFacts {
  type: OsType;
  /** libguestfs distro id: `debian`, `ubuntu`, `fedora`, `rhel`, `centos`, `rocky`, … or `unknown`. */
  distro: string;
  /**
   * Product name, as libguestfs' `inspect_get_product_name` gives it: os-release
   * PRETTY_NAME when os-release decides (`Fedora Linux 39 (Server Edition)`), else
   * the line of the release file that decides (`12.5` from Debian's /etc/debian_version,
   * `CentOS Linux release 7.9.2009 (Core)`), Windows' ProductName, or `unknown`.
   */
  productName: string;
  /** vmcraft extra: os-release PRETTY_NAME (`Debian GNU/Linux 12 (bookworm)`), when the guest has one. */
  prettyName?: string;
  majorVersion: number;
  minorVersion: number;
  /** Architecture from the ELF header of a guest binary: `x86_64`, `i386`, `aarch64`, … or `unknown`. */
  arch: string;
  /** Guest hostname, or `unknown`. Windows: Tcpip\Parameters\Hostname of the current control set, as libguestfs. */
  hostname: string;
  /** vmcraft extra, Windows: Control\ComputerName\ComputerName of the current control set (the NetBIOS name, `WIN-SRV01`). */
  computerName?: string;
  /** libguestfs `inspect_get_build_id`: os-release BUILD_ID, Windows CurrentBuildNumber, or `unknown`. */
  buildId: string;
  packageFormat: PackageFormat;
  packageManagement: PackageManagement;
  /** osinfo short id, e.g. `debian12`, `ubuntu22.04`, `fedora39`, `rhel9.3`, or `unknown`. */
  osinfo: string;
  /** Parsed /etc/fstab (empty when there is none). */
  fstab: FstabEntry[];
  /** Parsed /etc/crypttab: LUKS mapping names the fstab may use (empty when there is none). */
  crypttab: CrypttabEntry[];
  /** Present for Windows guests. */
  windows?: WindowsDetails;
}

/** A mount point of an inspected OS, resolved to a session device. */
export interface OsMountpoint {
  /** Guest mount point (`/`, `/boot`, `/home`). */
  mountpoint: string;
  /** Session device (`/dev/sda2`). */
  device: string;
}

/**
 * Everything inspection found about one installed OS (libguestfs'
 * `inspect_get_*` calls, as one typed object).
 */
export interface OsInfo extends Omit<OsFacts, 'fstab' | 'crypttab'> {
  /** The root filesystem's session device; pass it to `mountRoot()`. */
  root: string;
  /** Mount points from the guest's fstab that resolve to this session's devices, parents first. */
  mountpoints: OsMountpoint[];
  /** Every session device that belongs to this OS (root, fstab filesystems, swap). */
  filesystems: string[];
  /** The guest's fstab as written, including entries that name no device of this session. */
  fstab: FstabEntry[];
  /** The guest's crypttab as written. */
  crypttab: CrypttabEntry[];
}
