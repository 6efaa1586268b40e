/**
 * What is mounted where in a session's guest. The guest's `/` is a private
 * host directory; other filesystems mount on directories resolved inside it.
 * The mount calls change the table; every file call asks it for the root and
 * whether a guest path is on a read-only mount.
 */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CleanupEntry } from '../core/cleanup.js';
import { VmcraftError } from '../core/errors.js';
import { resolveGuestPath } from '../fs/paths.js';

/** A filesystem mounted in the session. */
export interface MountEntry {
  /** Session device name (`/dev/sda2`). */
  device: string;
  /** Guest mount point (`/`, `/boot`). */
  mountpoint: string;
  /** Whether it is mounted read-only. */
  readonly: boolean;
}

/** A mount with what the session needs to undo it. */
export interface ActiveMount extends MountEntry {
  hostDir: string;
  entry: CleanupEntry;
}

/** What the table needs from its session. */
interface MountTableOwner {
  readonly workDir: string;
  readonly readonly: boolean;
  assertLaunched(): void;
}

/** The mounts of one session, in mount order. */
export class MountTable {
  #mounts: ActiveMount[] = [];

  constructor(private readonly session: MountTableOwner) {}

  /** The mounts, in mount order. */
  list(): readonly ActiveMount[] {
    return this.#mounts;
  }

  add(mount: ActiveMount): void {
    this.#mounts.push(mount);
  }

  remove(mount: ActiveMount): void {
    this.#mounts = this.#mounts.filter((m) => m !== mount);
  }

  /**
   * Takes the mounts of a session that runs elsewhere (VM mode): the
   * synchronous calls answer from them; nothing here can undo them.
   */
  mirror(mounts: readonly MountEntry[]): void {
    this.#mounts = mounts.map((m) => ({ ...m, hostDir: '', entry: { label: `mount in the VM: ${m.mountpoint}`, release: async () => undefined } }));
  }

  /** Forgets every mount (the session released them). */
  clear(): void {
    this.#mounts = [];
  }

  /** The device mounted at the guest's `/`, if any. */
  rootDevice(): string | undefined {
    return this.#mounts.find((m) => m.mountpoint === '/')?.device;
  }

  /** Host directory of the guest's `/`; ENOTMOUNTED while nothing is mounted there. */
  rootDir(): string {
    this.session.assertLaunched();
    if (!this.rootDevice()) throw new VmcraftError('ENOTMOUNTED', 'no filesystem is mounted on / (call mount() or mountRoot() first)');
    return path.join(this.session.workDir, 'root');
  }

  /** Whether writes to a guest path would hit a read-only mount or session. */
  isReadonlyPath(guestPath: string): boolean {
    const owner = [...this.#mounts]
      .filter((m) => guestPath === m.mountpoint || guestPath.startsWith(m.mountpoint === '/' ? '/' : `${m.mountpoint}/`))
      .sort((a, b) => b.mountpoint.length - a.mountpoint.length)[0];
    return owner ? owner.readonly : this.session.readonly;
  }

  /** The host directory a guest mount point mounts on (the guest's `/` is made when first used). */
  async hostDirFor(guestDir: string): Promise<string> {
    if (guestDir === '/') {
      const root = path.join(this.session.workDir, 'root');
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
