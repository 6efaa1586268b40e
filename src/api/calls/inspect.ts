/** The inspection calls: find the installed operating systems and answer what libguestfs answers about them. */
import { VmcraftError } from '../../core/errors.js';
import { resolveGuestPath } from '../../fs/paths.js';
import { resolveFstabSpec } from '../../inspect/fstab-devices.js';
import { listApplications } from '../../inspect/apps/index.js';
import { osIcon } from '../../inspect/icon.js';
import { inspectDevices } from '../../inspect/index.js';
import type { OsInfo, WindowsDetails } from '../../inspect/types.js';
import { parseRegExport } from '../../registry/reg-format.js';
import { a, type ArgSpec } from '../args.js';
import { defineCall, type Guest } from '../entry.js';
import { mountScratch } from './mounts.js';
import { hives } from './registry.js';

const v = '0.1.0';

function osInfo(g: Guest, root: string): OsInfo {
  const info = g.roots.get(root);
  if (!info) {
    const known = [...g.roots.keys()];
    throw new VmcraftError('EINVAL', `${root} is not a root found by inspectOs()${known.length ? ` (roots: ${known.join(', ')})` : ' (call inspectOs() first)'}`);
  }
  return info;
}

function windows(g: Guest, root: string): WindowsDetails {
  const info = osInfo(g, root);
  if (!info.windows) throw new VmcraftError('EINVAL', `${root} is not a Windows root (it is ${info.type})`);
  return info.windows;
}

/** A root: any string, so that one not found by inspectOs() gets inspection's own error. */
const root: ArgSpec = a.string('root', { doc: 'a root found by inspectOs()' });

/** The names, summary and argument of a libguestfs `inspect_get_*(root)` call. */
function rootGetter<N extends string>(name: N, libguestfs: string, summary: string, doc: string) {
  return { name, libguestfs, group: 'inspect' as const, since: v, summary, ...(doc ? { doc } : {}), args: [root] };
}

/** The calls of this module, in table order. */
export const INSPECT_CALLS = [
  defineCall({
    name: 'inspectOs', libguestfs: 'inspect_os', group: 'inspect', since: v,
    summary: 'find the installed operating systems',
    doc: 'Looks at every filesystem (mounted read-only on a private scratch directory, then unmounted) and returns the root devices of the operating systems found. Nothing is written, even in a read-write session.',
    args: [], returns: 'stringList', ts: 'Promise<string[]>',
    impl: async (g) => {
      const found = await g.timings.time('inspect', () =>
        inspectDevices(
          g.devices,
          (device) => mountScratch(g, device),
          (message) => g.warn(message),
          (scratchDir) => ({
            readKey: async (guestHive, key) => (await hives()).readKey(await resolveGuestPath(scratchDir, guestHive), key, g.runner, guestHive),
            readTree: async (guestHive, key) => parseRegExport(await (await hives()).exportKey(await resolveGuestPath(scratchDir, guestHive), key, g.runner, 2, guestHive)),
          }),
        ),
      );
      g.roots = new Map(found.map((os) => [os.root, os]));
      return [...g.roots.keys()];
    },
  }),
  defineCall({
    name: 'inspectOsInfo', group: 'inspect', since: v, noShell: true,
    summary: 'get everything inspection found about a root', doc: 'As one typed object; the libguestfs answers plus vmcraft\'s richer ones (`prettyName`, `computerName`…).',
    args: [root], returns: 'struct', ts: 'OsInfo',
    impl: (g, r) => osInfo(g, r),
  }),
  defineCall({
    name: 'inspectGetRoots', libguestfs: 'inspect_get_roots', group: 'inspect', since: v,
    summary: 'get the roots found by inspection', doc: 'By the last inspectOs().',
    args: [], returns: 'stringList', ts: 'string[]',
    impl: (g) => [...g.roots.keys()],
  }),
  defineCall({
    name: 'inspectFstabDevices', group: 'inspect', since: v,
    summary: "map each of a root's fstab entries to the session device it names",
    doc: 'UUID=, LABEL=, /dev/sdX…, crypttab names; no device when it names none of this session (a network share, tmpfs, a missing disk).',
    args: [root], returns: 'structList', ts: '{ entry: FstabEntry; device?: string }[]',
    impl: (g, r) => {
      const info = osInfo(g, r);
      return info.fstab.map((entry) => {
        const device = resolveFstabSpec(entry.spec, g.devices, info.crypttab);
        return device ? { entry, device: device.name } : { entry };
      });
    },
  }),
  defineCall({ ...rootGetter('inspectGetType', 'inspect_get_type', 'get the operating system type', '`linux`, `windows`, …'), returns: 'string', ts: 'string', impl: (g, r) => osInfo(g, r).type }),
  defineCall({ ...rootGetter('inspectGetDistro', 'inspect_get_distro', 'get the distribution', '`debian`, `fedora`, `rhel`, …'), returns: 'string', ts: 'string', impl: (g, r) => osInfo(g, r).distro }),
  defineCall({ ...rootGetter('inspectGetProductName', 'inspect_get_product_name', 'get the product name', "As libguestfs gives it (Debian: /etc/debian_version's `12.5`); os-release's PRETTY_NAME is `inspectOsInfo(root).prettyName`."), returns: 'string', ts: 'string', impl: (g, r) => osInfo(g, r).productName }),
  defineCall({ ...rootGetter('inspectGetBuildId', 'inspect_get_build_id', 'get the system build id', 'os-release BUILD_ID, Windows CurrentBuildNumber, or `unknown`.'), returns: 'string', ts: 'string', impl: (g, r) => osInfo(g, r).buildId }),
  defineCall({ ...rootGetter('inspectGetMajorVersion', 'inspect_get_major_version', 'get the major version', ''), returns: 'int', ts: 'number', impl: (g, r) => osInfo(g, r).majorVersion }),
  defineCall({ ...rootGetter('inspectGetMinorVersion', 'inspect_get_minor_version', 'get the minor version', ''), returns: 'int', ts: 'number', impl: (g, r) => osInfo(g, r).minorVersion }),
  defineCall({ ...rootGetter('inspectGetArch', 'inspect_get_arch', 'get the architecture', 'From the ELF headers of guest binaries.'), returns: 'string', ts: 'string', impl: (g, r) => osInfo(g, r).arch }),
  defineCall({ ...rootGetter('inspectGetHostname', 'inspect_get_hostname', 'get the hostname', 'Configured in the guest (Windows: Tcpip\\Parameters\\Hostname; the ComputerName is `inspectOsInfo(root).computerName`).'), returns: 'string', ts: 'string', impl: (g, r) => osInfo(g, r).hostname }),
  defineCall({ ...rootGetter('inspectGetPackageFormat', 'inspect_get_package_format', 'get the package format', '`deb`, `rpm`, …'), returns: 'string', ts: 'string', impl: (g, r) => osInfo(g, r).packageFormat }),
  defineCall({ ...rootGetter('inspectGetPackageManagement', 'inspect_get_package_management', 'get the package management tool', '`apt`, `dnf`, …'), returns: 'string', ts: 'string', impl: (g, r) => osInfo(g, r).packageManagement }),
  defineCall({ ...rootGetter('inspectGetProductVariant', 'inspect_get_product_variant', 'get the product variant (client or server for windows)', '`Client` or `Server` for Windows, `unknown` for other guests.'), returns: 'string', ts: 'string', impl: (g, r) => osInfo(g, r).windows?.productVariant ?? 'unknown' }),
  defineCall({ ...rootGetter('inspectGetWindowsSystemroot', 'inspect_get_windows_systemroot', 'get the windows system root', 'As spelled on disk (`/Windows`); EINVAL for other guests.'), returns: 'string', ts: 'string', impl: (g, r) => windows(g, r).systemroot }),
  defineCall({ ...rootGetter('inspectGetWindowsSystemHive', 'inspect_get_windows_system_hive', 'get the path of the windows system hive', 'As spelled on disk (`/Windows/System32/config/SYSTEM`); EINVAL for other guests.'), returns: 'string', ts: 'string', impl: (g, r) => windows(g, r).systemHive }),
  defineCall({ ...rootGetter('inspectGetWindowsSoftwareHive', 'inspect_get_windows_software_hive', 'get the path of the windows software hive', 'As spelled on disk (`/Windows/System32/config/SOFTWARE`); EINVAL for other guests.'), returns: 'string', ts: 'string', impl: (g, r) => windows(g, r).softwareHive }),
  defineCall({ ...rootGetter('inspectGetWindowsCurrentControlSet', 'inspect_get_windows_current_control_set', 'get the windows current control set', 'The control set Windows boots with (`ControlSet001`), from Select\\Current; EINVAL for other guests.'), returns: 'string', ts: 'string', impl: (g, r) => windows(g, r).currentControlSet }),
  defineCall({
    name: 'inspectGetDriveMappings', libguestfs: 'inspect_get_drive_mappings', group: 'inspect', since: v,
    summary: 'get the windows drive letters and their devices', doc: "`C` → this session's device; letters of devices not in this session are left out, as libguestfs does.",
    args: [root], returns: 'hash', ts: 'Record<string, string>',
    impl: (g, r) => Object.fromEntries(windows(g, r).drives.filter((d) => d.device).map((d) => [d.drive.replace(/:$/, ''), d.device!])),
  }),
  defineCall({ ...rootGetter('inspectGetOsinfo', 'inspect_get_osinfo', 'get the osinfo short id', 'e.g. `debian12`.'), returns: 'string', ts: 'string', impl: (g, r) => osInfo(g, r).osinfo }),
  defineCall({
    name: 'inspectGetMountpoints', libguestfs: 'inspect_get_mountpoints', group: 'inspect', since: v,
    summary: 'get the mount points of a root',
    doc: "As libguestfs's hash: mount point → this session's device, parents first (`{ '/': '/dev/sda2', '/boot/efi': '/dev/sda1' }`). `inspectOsInfo(root).mountpoints` has them as a list.",
    args: [root], returns: 'hash', ts: 'Record<string, string>',
    impl: (g, r) => Object.fromEntries(osInfo(g, r).mountpoints.map((m) => [m.mountpoint, m.device])),
  }),
  defineCall({ ...rootGetter('inspectGetFilesystems', 'inspect_get_filesystems', 'get the filesystems of a root', 'Every device that belongs to the OS.'), returns: 'stringList', ts: 'string[]', impl: (g, r) => osInfo(g, r).filesystems }),
  defineCall({
    name: 'inspectListApplications2', libguestfs: 'inspect_list_applications2', group: 'inspect', since: '0.2.0',
    summary: 'get list of applications installed in the operating system',
    doc: [
      "As libguestfs, the guest's filesystems must be mounted (`mountRoot(root)`): the packages are read from dpkg's status (deb), the rpm database (rpm: read by the host's `rpm` on a private copy of the database, under time and memory limits), apk's `installed` database or pacman's local database; Windows applications come from the Uninstall keys inspection read. Sorted by name; an empty list for other package formats.",
      'Fields as libguestfs fills them for each format: `name`, `epoch`, `version`, `release`, `arch` for packages; `displayName`, `installPath`, `publisher` only on Windows (where `name` is the Uninstall key); `sourcePackage` and `summary` for deb (summary for rpm too); `transPath` always empty.',
      'A package database larger than libguestfs allows (dpkg status or apk database over 50 MB, a pacman desc over 8 KiB, an rpm database over 512 MiB), or one rpm cannot read within its limits, is `EINSPECT`; entries without a name or version are left out with a warning.',
    ].join('\n\n'),
    args: [root], returns: 'structList', ts: 'Promise<Application[]>',
    impl: (g, r) => {
      const info = osInfo(g, r);
      return g.timings.time('inspect', () => listApplications({ files: g.fileContext(), runner: g.runner, workDir: g.workDir, warn: (m) => g.warn(`inspectListApplications2 ${r}: ${m}`) }, info));
    },
  }),
  defineCall({
    name: 'inspectGetIcon', libguestfs: 'inspect_get_icon', group: 'inspect', since: '0.2.0',
    summary: 'get the icon corresponding to this operating system',
    doc: [
      "As libguestfs, the guest's filesystems must be mounted (`mountRoot(root)`). Looks for `/etc/favicon.png` first (unless `favicon` is false), then where each distribution keeps its logo (Fedora, RHEL and its rebuilds, Debian, Ubuntu, Mageia, openSUSE/SLES, Void, ALT, Gentoo, OpenMandriva), and returns the first file that is a PNG of 16 to 1024 pixels a side within libguestfs' size bound for that place. An empty buffer means no icon: callers must check for it.",
      "Not read: Cirros's text logo (libguestfs renders it with netpbm) and Windows icons (libguestfs extracts them from explorer.exe with icoutils and netpbm); both give an empty buffer. The bytes come from the untrusted guest: treat them as such before decoding them.",
    ].join('\n\n'),
    args: [root, a.options('options', [
      a.bool('favicon', { doc: 'look for /etc/favicon.png first', defaultText: 'true' }),
      a.bool('highquality', { doc: 'only high-quality icons (turns the favicon off)', defaultText: 'false' }),
    ], { ts: 'InspectIconOptions' })],
    returns: 'buffer', ts: 'Promise<Buffer>',
    impl: (g, r, options) => osIcon(g.fileContext(), osInfo(g, r), options),
  }),
];
