/**
 * The mount calls. The guest's `/` is a private host directory; other
 * filesystems mount on directories resolved inside it (src/api/mount-table.ts).
 */
import { mkdir, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { formatError, isVmcraftError, VmcraftError } from '../../core/errors.js';
import { mountFilesystem, unmountFilesystem } from '../../fs/mount.js';
import { isLocalMount } from '../../inspect/index.js';
import type { OsMountpoint } from '../../inspect/types.js';
import { a } from '../args.js';
import { defineCall, type Guest } from '../entry.js';
import type { MountRootOptions } from '../types.js';

const v = '0.1.0';
let scratchCount = 0;

function driveReadonly(g: Guest, drive: number): boolean {
  return g.attached[drive]?.readonly ?? g.readonly;
}

function normalizeMountpoint(mountpoint: string): string {
  return path.posix.normalize(mountpoint).replace(/(.)\/$/, '$1');
}

/**
 * Mounts a device read-only on a private scratch directory (not under the
 * guest root) and returns its host path and a release function: how
 * inspection looks at a filesystem without mounting it in the guest.
 */
export async function mountScratch(g: Guest, device: string): Promise<{ hostDir: string; release: () => Promise<void> }> {
  const dev = g.device(device);
  const hostDir = path.join(g.workDir, `scratch${scratchCount++}`);
  await mkdir(hostDir, { mode: 0o700 });
  try {
    await mountFilesystem({ hostDevice: dev.hostPath, vfsType: dev.probe.type ?? 'auto', options: [], readonly: true, hostDir, kernelFilesystems: g.host?.kernelFilesystems ?? [] }, g.runner);
  } catch (err) {
    await rmdir(hostDir);
    throw err;
  }
  const entry = g.cleanup.push(`scratch mount of ${device}`, async () => {
    await unmountFilesystem(hostDir, g.runner);
    await rmdir(hostDir);
  });
  return { hostDir, release: () => g.cleanup.releaseOne(entry) };
}

async function mountVfs(g: Guest, options: string, vfsType: string, device: string, mountpoint: string): Promise<void> {
  const dev = g.device(device);
  const type = vfsType || dev.probe.type;
  if (!type) throw new VmcraftError('EMOUNT', `${device} has no filesystem that blkid recognises`);
  const opts = options.split(',').map((o) => o.trim()).filter(Boolean);
  const readonly = driveReadonly(g, dev.drive) || opts.includes('ro');
  if (driveReadonly(g, dev.drive) && opts.includes('rw')) throw new VmcraftError('EREADONLY', `cannot mount ${device} read-write: its drive is read-only`);
  const guestDir = normalizeMountpoint(mountpoint);
  if (g.mountTable.list().some((m) => m.mountpoint === guestDir)) throw new VmcraftError('EMOUNT', `something is already mounted on ${guestDir}`);
  const hostDir = await g.mountTable.hostDirFor(guestDir);
  await g.timings.time('mount', () =>
    mountFilesystem({ hostDevice: dev.hostPath, vfsType: type, options: opts, readonly, hostDir, kernelFilesystems: g.host?.kernelFilesystems ?? [] }, g.runner),
  );
  const entry = g.cleanup.push(`mount of ${device} on ${guestDir}`, () => unmountFilesystem(hostDir, g.runner));
  g.mountTable.add({ device, mountpoint: guestDir, readonly, hostDir, entry });
}

async function umount(g: Guest, pathOrDevice: string): Promise<void> {
  const target = g.mountTable.list().find((m) => m.mountpoint === pathOrDevice || m.device === pathOrDevice);
  if (!target) throw new VmcraftError('ENOTMOUNTED', `nothing is mounted at ${pathOrDevice}`);
  const nested = g.mountTable.list().filter((m) => m !== target && m.mountpoint.startsWith(target.mountpoint === '/' ? '/' : `${target.mountpoint}/`));
  if (nested.length > 0) throw new VmcraftError('EMOUNT', `${target.mountpoint} has mounts below it: ${nested.map((m) => m.mountpoint).join(', ')}`);
  await g.cleanup.releaseOne(target.entry);
  g.mountTable.remove(target);
}

async function mountRoot(g: Guest, root: string, options: MountRootOptions = {}): Promise<OsMountpoint[]> {
  const { mountpoints, fstab } = g.inspectOsInfo(root);
  const ro = options.readonly ?? g.readonly;
  const warn = (message: string) => g.warn(`mountRoot ${root}: ${message}`);
  for (const entry of fstab) {
    if (isLocalMount(entry) && !entry.options.includes('noauto') && !mountpoints.some((m) => m.mountpoint === entry.file)) {
      warn(`${entry.file} skipped: fstab's ${entry.spec} names no device of this session`);
    }
  }
  const mounted: OsMountpoint[] = [];
  for (const m of mountpoints) {
    try {
      await mountVfs(g, ro ? 'ro' : '', '', m.device, m.mountpoint);
      mounted.push(m);
    } catch (err) {
      if (m.mountpoint === '/' || !isVmcraftError(err) || err.code === 'EABORTED') throw err;
      warn(`${m.mountpoint} skipped: ${formatError(err)}`);
    }
  }
  return mounted;
}

const mountable = a.mountable('mountable');
const mountpoint = a.guestPath('mountpoint', { ts: 'string' });
const options = a.string('options', { doc: "comma-separated `mount -o` options; '' for none" });

/** The calls of this module, in table order. */
export const MOUNTS_CALLS = [
  defineCall({
    name: 'mount', libguestfs: 'mount', group: 'mount', since: v,
    summary: 'mount a filesystem', doc: 'Read-write unless the session (or the drive) is read-only.',
    args: [mountable, mountpoint], returns: 'void', ts: 'Promise<void>',
    impl: (g, device, at) => mountVfs(g, '', '', device, at),
  }),
  defineCall({
    name: 'mountRo', libguestfs: 'mount_ro', group: 'mount', since: v,
    summary: 'mount a filesystem read-only', doc: 'Journal replay is disabled, so the image stays untouched.',
    args: [mountable, mountpoint], returns: 'void', ts: 'Promise<void>',
    impl: (g, device, at) => mountVfs(g, 'ro', '', device, at),
  }),
  defineCall({
    name: 'mountOptions', libguestfs: 'mount_options', group: 'mount', since: v,
    summary: 'mount a filesystem with options',
    args: [options, mountable, mountpoint], returns: 'void', ts: 'Promise<void>',
    impl: (g, opts, device, at) => mountVfs(g, opts, '', device, at),
  }),
  defineCall({
    name: 'mountVfs', libguestfs: 'mount_vfs', group: 'mount', since: v,
    summary: 'mount a filesystem with options and type',
    args: [options, a.string('vfstype', { doc: "filesystem type; '' for the probed one" }), mountable, mountpoint], returns: 'void', ts: 'Promise<void>',
    impl: (g, opts, type, device, at) => mountVfs(g, opts, type, device, at),
  }),
  defineCall({
    name: 'umount', libguestfs: 'umount', group: 'mount', since: v,
    summary: 'unmount a filesystem', doc: 'The one mounted at a guest path, or the one from a device.',
    args: [a.string('pathordevice')], returns: 'void', ts: 'Promise<void>',
    impl: (g, target) => umount(g, target),
  }),
  defineCall({
    name: 'umountAll', libguestfs: 'umount_all', group: 'mount', since: v,
    summary: 'unmount every filesystem', doc: 'Deepest first.',
    args: [], returns: 'void', ts: 'Promise<void>',
    impl: async (g) => {
      const order = [...g.mountTable.list()].sort((x, y) => y.mountpoint.length - x.mountpoint.length);
      for (const m of order) await umount(g, m.mountpoint);
    },
  }),
  defineCall({
    name: 'mountpoints', libguestfs: 'mountpoints', group: 'mount', since: v,
    summary: 'list what is mounted where', doc: 'In mount order.',
    args: [], returns: 'structList', ts: 'MountEntry[]',
    impl: (g) => g.mountTable.list().map(({ device, mountpoint: at, readonly }) => ({ device, mountpoint: at, readonly })),
  }),
  defineCall({
    name: 'mounts', libguestfs: 'mounts', group: 'mount', since: v,
    summary: 'list the mounted devices', doc: 'In mount order.',
    args: [], returns: 'stringList', ts: 'string[]',
    impl: (g) => g.mountTable.list().map((m) => m.device),
  }),
  defineCall({
    name: 'mountRoot', group: 'mount', since: v,
    summary: 'mount an inspected root and its fstab mount points',
    doc: [
      'The root at `/`, its fstab mount points below it, parents first; read-only when the session (or `options.readonly`) is.',
      'As guestfish -i does, a mount point that fails (its directory missing in the guest, its filesystem refusing to mount)',
      'is skipped with a `log` warning, and so is a local fstab entry (not `noauto`) that names no device of this session;',
      'only the root failing throws.',
      '@returns The mount points mounted, parents first.',
    ].join('\n'),
    args: [a.device('root', { doc: 'a root found by inspectOs()' }), a.options('options', [a.bool('readonly')], { ts: 'MountRootOptions' })],
    returns: 'structList', ts: 'Promise<OsMountpoint[]>',
    impl: (g, root, options) => mountRoot(g, root, options),
  }),
];
