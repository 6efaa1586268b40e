/**
 * The private working directory of a session: FUSE export files, mount points
 * and key files live under it. It is removed last, and never while anything is
 * still mounted below it (a recursive delete would then reach into the guest).
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { VmcraftError } from './errors.js';
import { mountsUnder } from './mountinfo.js';
import type { CleanupStack } from './cleanup.js';

/** Prefix of every session directory, so tests and operators can spot leftovers. */
export const WORKDIR_PREFIX = 'vmcraft-';

/**
 * Creates a mode-0700 session directory under `parent` (default: the OS temp
 * dir). `register` is called with its path before it exists and returns the
 * unregistration, which runs only after the directory is gone.
 */
export async function createWorkDir(cleanup: CleanupStack, parent = os.tmpdir(), register?: (dir: string) => Promise<() => Promise<void>>): Promise<string> {
  const dir = path.join(parent, `${WORKDIR_PREFIX}${randomBytes(4).toString('hex')}`);
  if (register) {
    const unregister = await register(dir);
    cleanup.push(`session registration of ${dir}`, unregister);
  }
  await mkdir(dir, { mode: 0o700 });
  cleanup.push(`work directory ${dir}`, () => removeWorkDir(dir));
  return dir;
}

/** Removes the directory, refusing when something is still mounted below it. */
export async function removeWorkDir(dir: string): Promise<void> {
  const mounted = await mountsUnder(dir);
  if (mounted.length > 0) {
    throw new VmcraftError('ECLEANUP', `not removing ${dir}: still mounted below it: ${mounted.map((m) => m.mountPoint).join(', ')}`);
  }
  await rm(dir, { recursive: true, force: true });
}

/**
 * A directory only this user can write: `dir` is created mode 0700 when
 * missing, and refused (`EACCES`) when it is a link, not a directory, not
 * this user's, or writable by others — in a shared /tmp another user could
 * have made it first.
 */
export async function ownDirectory(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await lstat(dir);
  const uid = process.getuid?.() ?? 0;
  if (!info.isDirectory() || info.uid !== uid || (info.mode & 0o022) !== 0) {
    throw new VmcraftError('EACCES', `${dir} is not a private directory of this user (owner ${info.uid}, mode ${(info.mode & 0o7777).toString(8)}): remove it`, { path: dir });
  }
  return dir;
}
