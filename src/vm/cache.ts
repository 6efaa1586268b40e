/**
 * Where VM images derived from the host (initramfs) are cached: the shared
 * cache (/var/cache/vmcraft/vm, or $VMCRAFT_VM_CACHE) when this user can
 * write it, else this user's own. Another user's image is used only from the
 * shared cache, which only root writes.
 */
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ownDirectory } from '../core/workdir.js';

/** The cache shared by every user of the host, written by root. */
export const SHARED_VM_CACHE = process.env.VMCRAFT_VM_CACHE ?? '/var/cache/vmcraft/vm';

const writable = (dir: string) => access(dir, constants.W_OK | constants.X_OK).then(() => true, () => false);

/** This user's cache directory for VM images. */
async function userCache(): Promise<string> {
  const xdg = process.env.XDG_CACHE_HOME;
  const home = os.homedir();
  const base = xdg || (home && (await writable(home)) ? path.join(home, '.cache') : undefined);
  return ownDirectory(base ? path.join(base, 'vmcraft', 'vm') : path.join(os.tmpdir(), `vmcraft-vm-cache-${process.getuid!()}`));
}

/** The directory to keep a VM image in: the shared cache when this user may write it, else this user's own. */
export async function vmCacheDir(): Promise<string> {
  if (process.getuid!() === 0) {
    await mkdir(SHARED_VM_CACHE, { recursive: true, mode: 0o755 });
    return SHARED_VM_CACHE;
  }
  return (await writable(SHARED_VM_CACHE)) ? SHARED_VM_CACHE : userCache();
}

/** A cached image by file name: from the shared cache when it has it, else the path it has (or gets) in {@link vmCacheDir}. */
export async function cachedImagePath(name: string): Promise<{ path: string; exists: boolean }> {
  const shared = path.join(SHARED_VM_CACHE, name);
  if (await access(shared, constants.R_OK).then(() => true, () => false)) return { path: shared, exists: true };
  const own = path.join(await vmCacheDir(), name);
  return { path: own, exists: await access(own, constants.R_OK).then(() => true, () => false) };
}
