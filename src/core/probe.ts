/**
 * Host capability probe: which tools are installed, which filesystems the
 * kernel knows, and whether nbd, device-mapper, md, FUSE and loop exist.
 * Feature groups (`g.available(['lvm2'])`) are answered from it.
 */
import { access, readdir, readFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What the host can do, as found by {@link probeHost}. */
export interface HostCapabilities {
  /** Whether the process runs as root (needed for loop devices and mounts). */
  root: boolean;
  /** Tool name → absolute path, for the tools found on PATH. */
  tools: Record<string, string>;
  /**
   * Filesystem types the running kernel supports: those in /proc/filesystems,
   * and those whose module it can load on first mount (listed in
   * /lib/modules/<release>/modules.dep, what `modprobe -n` looks at).
   */
  kernelFilesystems: string[];
  /** Kernel features relevant to attaching and activating storage. */
  kernel: { nbd: boolean; deviceMapper: boolean; md: boolean; fuse: boolean; loop: boolean };
}

/** The tools vmcraft may call, probed on PATH. */
export const KNOWN_TOOLS = [
  'qemu-img', 'qemu-nbd', 'qemu-storage-daemon', 'losetup', 'partx', 'blkid', 'sfdisk', 'mount', 'umount',
  'blockdev', 'lvm', 'cryptsetup', 'mdadm', 'ntfs-3g', 'hivexsh', 'hivexget', 'hivexregedit', 'augtool', 'modprobe',
  'mkfs.ext4', 'mkfs.xfs', 'mkfs.btrfs', 'btrfs', 'xfs_info', 'dumpe2fs', 'fusermount3', 'bwrap', 'prlimit', 'setpriv',
] as const;

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

async function readOr(file: string, fallback: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return fallback;
  }
}

/** Parses /proc/filesystems into the list of type names ("nodev ext4" → "ext4"). */
export function parseProcFilesystems(text: string): string[] {
  return text.split('\n').map((l) => l.trim().split(/\s+/).pop() ?? '').filter(Boolean);
}

/** Filesystem modules worth knowing about: the ones vmcraft may mount. */
const FILESYSTEM_MODULES = new Set(['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'vfat', 'msdos', 'exfat', 'ntfs3', 'ntfs', 'iso9660', 'udf', 'squashfs', 'f2fs', 'jfs', 'reiserfs', 'hfsplus', 'erofs']);

/**
 * Parses modules.dep into the filesystem modules it lists
 * (`kernel/fs/ntfs3/ntfs3.ko.xz: …` → `ntfs3`).
 */
export function parseModulesDep(text: string): string[] {
  const found = new Set<string>();
  for (const line of text.split('\n')) {
    const match = /^kernel\/fs\/(?:[^/:]+\/)*([^/:]+)\.ko(?:\.[a-z]+)?:/.exec(line);
    if (match && FILESYSTEM_MODULES.has(match[1]!)) found.add(match[1]!);
  }
  return [...found];
}

/** Parses /proc/devices into the names of block and character drivers. */
export function parseProcDevices(text: string): Set<string> {
  return new Set(text.split('\n').map((l) => l.trim().split(/\s+/)[1] ?? '').filter(Boolean));
}

let cached: Promise<HostCapabilities> | undefined;

/** Probes the host once per process (pass `fresh` to probe again). */
export function probeHost(fresh = false): Promise<HostCapabilities> {
  if (!cached || fresh) cached = doProbe();
  return cached;
}

/** Each known tool's first executable on PATH: one readdir per directory, then access() only for the names found. */
async function findKnownTools(searchPath = process.env.PATH ?? ''): Promise<Record<string, string>> {
  const dirs = [...new Set([...searchPath.split(':'), '/usr/sbin', '/sbin', '/usr/bin', '/bin'].filter(Boolean))];
  const listings = await Promise.all(dirs.map((dir) => readdir(dir).then((names) => new Set(names), () => new Set<string>())));
  const found = await Promise.all(
    KNOWN_TOOLS.map(async (tool) => {
      for (const [i, dir] of dirs.entries()) {
        const candidate = path.join(dir, tool);
        if (listings[i]!.has(tool) && (await access(candidate, constants.X_OK).then(() => true, () => false))) return [tool, candidate] as const;
      }
      return undefined;
    }),
  );
  return Object.fromEntries(found.filter((entry) => entry !== undefined));
}

async function doProbe(): Promise<HostCapabilities> {
  const tools = await findKnownTools();
  const loaded = parseProcFilesystems(await readOr('/proc/filesystems', ''));
  const loadable = parseModulesDep(await readOr(`/lib/modules/${os.release()}/modules.dep`, ''));
  const kernelFilesystems = [...new Set([...loaded, ...loadable])];
  const devices = parseProcDevices(await readOr('/proc/devices', ''));
  const kernel = {
    nbd: devices.has('nbd') || (await exists('/sys/module/nbd')) || (await exists('/dev/nbd0')),
    deviceMapper: devices.has('device-mapper') && (await exists('/dev/mapper/control')),
    md: devices.has('md') || (await exists('/proc/mdstat')),
    fuse: await exists('/dev/fuse'),
    loop: await exists('/dev/loop-control'),
  };
  return { root: process.getuid?.() === 0, tools, kernelFilesystems, kernel };
}
