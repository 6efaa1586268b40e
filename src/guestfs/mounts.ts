/**
 * The mount calls of the GuestFS façade. The guest's `/` is a private host
 * directory; other filesystems mount on directories resolved inside it.
 */
import { mkdir, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CleanupEntry } from '../core/cleanup.js';
import { VmcraftError } from '../core/errors.js';
import { mountFilesystem, unmountFilesystem } from '../fs/mount.js';
import { resolveGuestPath } from '../fs/paths.js';
import { GuestFSDevices } from './devices.js';

/** A filesystem mounted in the session. */
export interface MountEntry {
  /** Session device name (`/dev/sda2`). */
  device: string;
  /** Guest mount point (`/`, `/boot`). */
  mountpoint: string;
  /** Whether it is mounted read-only. */
  readonly: boolean;
}

interface ActiveMount extends MountEntry {
  hostDir: string;
  entry: CleanupEntry;
}

/** Mounting and unmounting guest filesystems. */
export class GuestFSMounts extends GuestFSDevices {
  #mounts: ActiveMount[] = [];
  #scratchCount = 0;

  /** Mounts a device at a guest mount point, read-write unless the session is read-only. */
  async mount(device: string, mountpoint: string): Promise<void> {
    await this.mountOptions('', device, mountpoint);
  }

  /** Mounts a device read-only (journal replay disabled, so the image stays untouched). */
  async mountRo(device: string, mountpoint: string): Promise<void> {
    await this.mountOptions('ro', device, mountpoint);
  }

  /** Mounts with `mount -o options` (comma-separated; '' for none). */
  async mountOptions(options: string, device: string, mountpoint: string): Promise<void> {
    await this.mountVfs(options, '', device, mountpoint);
  }

  /** Mounts with explicit options and filesystem type ('' to use the probed type). */
  async mountVfs(options: string, vfsType: string, device: string, mountpoint: string): Promise<void> {
    const dev = this.device(device);
    const type = vfsType || dev.probe.type;
    if (!type) throw new VmcraftError('EMOUNT', `${device} has no filesystem that blkid recognises`);
    const opts = options.split(',').map((o) => o.trim()).filter(Boolean);
    const readonly = this.#driveReadonly(dev.drive) || opts.includes('ro');
    if (this.#driveReadonly(dev.drive) && opts.includes('rw')) throw new VmcraftError('EREADONLY', `cannot mount ${device} read-write: its drive is read-only`);
    const guestDir = normalizeMountpoint(mountpoint);
    if (this.#mounts.some((m) => m.mountpoint === guestDir)) throw new VmcraftError('EMOUNT', `something is already mounted on ${guestDir}`);
    const hostDir = await this.#mountDir(guestDir);
    await this.timings.time('mount', () =>
      mountFilesystem({ hostDevice: dev.hostPath, vfsType: type, options: opts, readonly, hostDir, kernelFilesystems: this.host?.kernelFilesystems ?? [] }, this.runner),
    );
    const entry = this.cleanup.push(`mount of ${device} on ${guestDir}`, () => unmountFilesystem(hostDir, this.runner));
    this.#mounts.push({ device, mountpoint: guestDir, readonly, hostDir, entry });
  }

  /** Unmounts the filesystem mounted at a guest path, or the one from a device. */
  async umount(pathOrDevice: string): Promise<void> {
    this.assertLaunched();
    const target = this.#mounts.find((m) => m.mountpoint === pathOrDevice || m.device === pathOrDevice);
    if (!target) throw new VmcraftError('ENOTMOUNTED', `nothing is mounted at ${pathOrDevice}`);
    const nested = this.#mounts.filter((m) => m !== target && m.mountpoint.startsWith(target.mountpoint === '/' ? '/' : `${target.mountpoint}/`));
    if (nested.length > 0) throw new VmcraftError('EMOUNT', `${target.mountpoint} has mounts below it: ${nested.map((m) => m.mountpoint).join(', ')}`);
    await this.cleanup.releaseOne(target.entry);
    this.#mounts = this.#mounts.filter((m) => m !== target);
  }

  /** Unmounts everything, deepest first. */
  async umountAll(): Promise<void> {
    this.assertLaunched();
    const order = [...this.#mounts].sort((a, b) => b.mountpoint.length - a.mountpoint.length);
    for (const m of order) await this.umount(m.mountpoint);
  }

  /** What is mounted where, in mount order. */
  mountpoints(): MountEntry[] {
    this.assertLaunched();
    return this.#mounts.map(({ device, mountpoint, readonly }) => ({ device, mountpoint, readonly }));
  }

  /** Devices that are mounted, in mount order (libguestfs `mounts`). */
  mounts(): string[] {
    return this.mountpoints().map((m) => m.device);
  }

  /** @internal Host directory of the guest's `/`; ENOTMOUNTED while nothing is mounted there. */
  protected rootDir(): string {
    this.assertLaunched();
    if (!this.#mounts.some((m) => m.mountpoint === '/')) throw new VmcraftError('ENOTMOUNTED', 'no filesystem is mounted on / (call mount() or mountRoot() first)');
    return path.join(this.workDir, 'root');
  }

  /** @internal Whether writes to a guest path would hit a read-only mount or session. */
  protected isReadonlyPath(guestPath: string): boolean {
    const owner = [...this.#mounts]
      .filter((m) => guestPath === m.mountpoint || guestPath.startsWith(m.mountpoint === '/' ? '/' : `${m.mountpoint}/`))
      .sort((a, b) => b.mountpoint.length - a.mountpoint.length)[0];
    return owner ? owner.readonly : this.readonly;
  }

  /**
   * @internal Mounts a device read-only on a private scratch directory (not
   * under the guest root) and returns its host path and a release function.
   */
  protected async mountScratch(device: string): Promise<{ hostDir: string; release: () => Promise<void> }> {
    const dev = this.device(device);
    const hostDir = path.join(this.workDir, `scratch${this.#scratchCount++}`);
    await mkdir(hostDir, { mode: 0o700 });
    try {
      await mountFilesystem({ hostDevice: dev.hostPath, vfsType: dev.probe.type ?? 'auto', options: [], readonly: true, hostDir, kernelFilesystems: this.host?.kernelFilesystems ?? [] }, this.runner);
    } catch (err) {
      await rmdir(hostDir);
      throw err;
    }
    const entry = this.cleanup.push(`scratch mount of ${device}`, async () => {
      await unmountFilesystem(hostDir, this.runner);
      await rmdir(hostDir);
    });
    return { hostDir, release: () => this.cleanup.releaseOne(entry) };
  }

  #driveReadonly(drive: number): boolean {
    return this.attached[drive]?.readonly ?? this.readonly;
  }

  async #mountDir(guestDir: string): Promise<string> {
    if (guestDir === '/') {
      const root = path.join(this.workDir, 'root');
      await mkdir(root, { recursive: true, mode: 0o700 });
      return root;
    }
    const hostDir = await resolveGuestPath(this.rootDir(), guestDir);
    const info = await stat(hostDir).catch(() => undefined);
    if (!info) throw new VmcraftError('ENOENT', `mount point ${guestDir} does not exist in the guest`, { path: guestDir });
    if (!info.isDirectory()) throw new VmcraftError('ENOTDIR', `mount point ${guestDir} is not a directory`, { path: guestDir });
    return hostDir;
  }
}

function normalizeMountpoint(mountpoint: string): string {
  if (typeof mountpoint !== 'string' || !mountpoint.startsWith('/')) {
    throw new VmcraftError('EINVAL', `Expected an absolute guest mount point, got \`${String(mountpoint)}\``);
  }
  return path.posix.normalize(mountpoint).replace(/(.)\/$/, '$1');
}
