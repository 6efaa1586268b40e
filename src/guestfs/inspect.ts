/** The inspection calls of the GuestFS façade, and mountRoot(). */
import { formatError, isVmcraftError, VmcraftError } from '../core/errors.js';
import { inspectDevices, isLocalMount } from '../inspect/index.js';
import { resolveFstabSpec } from '../inspect/fstab-devices.js';
import type { FstabEntry, OsInfo, OsMountpoint, WindowsDetails } from '../inspect/types.js';
import { GuestFSFiles } from './files.js';
import { exportKey, readKey } from '../registry/hive.js';
import { parseRegExport } from '../registry/reg-format.js';
import { resolveGuestPath } from '../fs/paths.js';

/** Options of {@link GuestFSInspect.mountRoot}. */
export interface MountRootOptions {
  /** Mount read-only even in a read-write session. @default the session's `readonly` */
  readonly?: boolean;
}

/** Finding installed operating systems and mounting them. */
export class GuestFSInspect extends GuestFSFiles {
  #roots = new Map<string, OsInfo>();

  /**
   * Looks at every filesystem (mounted read-only on a private scratch
   * directory, then unmounted) and returns the root devices of the operating
   * systems found. Nothing is written, even in a read-write session.
   */
  async inspectOs(): Promise<string[]> {
    this.assertLaunched();
    const found = await this.timings.time('inspect', () =>
      inspectDevices(
        this.devices,
        (device) => this.mountScratch(device),
        (message) => this.emit('log', { level: 'warn', message }),
        (scratchDir) => ({
          readKey: async (guestHive, key) => readKey(await resolveGuestPath(scratchDir, guestHive), key, this.runner, guestHive),
          readTree: async (guestHive, key) => parseRegExport(await exportKey(await resolveGuestPath(scratchDir, guestHive), key, this.runner, 2, guestHive)),
        }),
      ),
    );
    this.#roots = new Map(found.map((os) => [os.root, os]));
    return [...this.#roots.keys()];
  }

  /** Everything inspection found about a root, as one typed object. */
  inspectOsInfo(root: string): OsInfo {
    this.assertLaunched();
    const info = this.#roots.get(root);
    if (!info) {
      const known = [...this.#roots.keys()];
      throw new VmcraftError('EINVAL', `${root} is not a root found by inspectOs()${known.length ? ` (roots: ${known.join(', ')})` : ' (call inspectOs() first)'}`);
    }
    return info;
  }

  /**
   * The guest's fstab entries of a root, each with the session device it
   * names (UUID=, LABEL=, /dev/sdX…, crypttab names), or none when it names
   * no device of this session (a network share, tmpfs, a missing disk).
   */
  inspectFstabDevices(root: string): { entry: FstabEntry; device?: string }[] {
    const info = this.inspectOsInfo(root);
    return info.fstab.map((entry) => {
      const device = resolveFstabSpec(entry.spec, this.devices, info.crypttab);
      return device ? { entry, device: device.name } : { entry };
    });
  }

  /** The roots found by the last inspectOs(). */
  inspectGetRoots(): string[] {
    this.assertLaunched();
    return [...this.#roots.keys()];
  }

  /** `linux`, `windows`, … */
  inspectGetType(root: string): string { return this.inspectOsInfo(root).type; }
  /** `debian`, `fedora`, `rhel`, … */
  inspectGetDistro(root: string): string { return this.inspectOsInfo(root).distro; }
  /** Product name as libguestfs gives it (Debian: /etc/debian_version's `12.5`); os-release's PRETTY_NAME is `inspectOsInfo(root).prettyName`. */
  inspectGetProductName(root: string): string { return this.inspectOsInfo(root).productName; }
  /** Build id: os-release BUILD_ID, Windows CurrentBuildNumber, or `unknown`. */
  inspectGetBuildId(root: string): string { return this.inspectOsInfo(root).buildId; }
  /** Major version number. */
  inspectGetMajorVersion(root: string): number { return this.inspectOsInfo(root).majorVersion; }
  /** Minor version number. */
  inspectGetMinorVersion(root: string): number { return this.inspectOsInfo(root).minorVersion; }
  /** Architecture, from the ELF headers of guest binaries. */
  inspectGetArch(root: string): string { return this.inspectOsInfo(root).arch; }
  /** Hostname configured in the guest (Windows: Tcpip\Parameters\Hostname; the ComputerName is `inspectOsInfo(root).computerName`). */
  inspectGetHostname(root: string): string { return this.inspectOsInfo(root).hostname; }
  /** `deb`, `rpm`, … */
  inspectGetPackageFormat(root: string): string { return this.inspectOsInfo(root).packageFormat; }
  /** `apt`, `dnf`, … */
  inspectGetPackageManagement(root: string): string { return this.inspectOsInfo(root).packageManagement; }
  /** osinfo short id, e.g. `debian12`. */
  inspectGetOsinfo(root: string): string { return this.inspectOsInfo(root).osinfo; }
  /** Mount points resolved to this session's devices, parents first. */
  inspectGetMountpoints(root: string): OsMountpoint[] { return this.inspectOsInfo(root).mountpoints; }
  /** Every device that belongs to the OS. */
  inspectGetFilesystems(root: string): string[] { return this.inspectOsInfo(root).filesystems; }
  /** `Client` or `Server` for Windows, `unknown` for other guests. */
  inspectGetProductVariant(root: string): string { return this.inspectOsInfo(root).windows?.productVariant ?? 'unknown'; }
  /** The Windows system root as spelled on disk (`/Windows`); EINVAL for other guests. */
  inspectGetWindowsSystemroot(root: string): string { return this.#windows(root).systemroot; }
  /** Guest path of the SYSTEM hive as spelled on disk (`/Windows/System32/config/SYSTEM`); EINVAL for other guests. */
  inspectGetWindowsSystemHive(root: string): string { return this.#windows(root).systemHive; }
  /** Guest path of the SOFTWARE hive as spelled on disk (`/Windows/System32/config/SOFTWARE`); EINVAL for other guests. */
  inspectGetWindowsSoftwareHive(root: string): string { return this.#windows(root).softwareHive; }
  /** The control set Windows boots with (`ControlSet001`), from Select\Current; EINVAL for other guests. */
  inspectGetWindowsCurrentControlSet(root: string): string { return this.#windows(root).currentControlSet; }
  /** Windows drive letters (`C`) → this session's devices; letters of devices not in this session are left out, as libguestfs does. */
  inspectGetDriveMappings(root: string): Record<string, string> {
    return Object.fromEntries(this.#windows(root).drives.filter((d) => d.device).map((d) => [d.drive.replace(/:$/, ''), d.device!]));
  }

  #windows(root: string): WindowsDetails {
    const info = this.inspectOsInfo(root);
    if (!info.windows) throw new VmcraftError('EINVAL', `${root} is not a Windows root (it is ${info.type})`);
    return info.windows;
  }

  /**
   * Mounts an inspected root at `/` and its fstab mount points below it,
   * parents first. Read-only when the session (or `options.readonly`) is.
   * As guestfish -i does, a mount point that fails (its directory missing in
   * the guest, its filesystem refusing to mount) is skipped with a `log`
   * warning, and so is a local fstab entry (not `noauto`) that names no device
   * of this session; only the root failing throws.
   *
   * @returns The mount points mounted, parents first.
   */
  async mountRoot(root: string, options: MountRootOptions = {}): Promise<OsMountpoint[]> {
    const { mountpoints, fstab } = this.inspectOsInfo(root);
    const ro = options.readonly ?? this.readonly;
    const warn = (message: string) => this.emit('log', { level: 'warn', message: `mountRoot ${root}: ${message}` });
    for (const entry of fstab) {
      if (isLocalMount(entry) && !entry.options.includes('noauto') && !mountpoints.some((m) => m.mountpoint === entry.file)) {
        warn(`${entry.file} skipped: fstab's ${entry.spec} names no device of this session`);
      }
    }
    const mounted: OsMountpoint[] = [];
    for (const m of mountpoints) {
      try {
        await (ro ? this.mountRo(m.device, m.mountpoint) : this.mount(m.device, m.mountpoint));
        mounted.push(m);
      } catch (err) {
        if (m.mountpoint === '/' || !isVmcraftError(err) || err.code === 'EABORTED') throw err;
        warn(`${m.mountpoint} skipped: ${formatError(err)}`);
      }
    }
    return mounted;
  }
}
