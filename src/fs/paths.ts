/**
 * Guest path resolution, confined to the guest root like a chroot: `..` at the
 * root stays there, absolute symlink targets are re-rooted at the guest root,
 * relative ones resolve from the link's directory. The host's realpath() is
 * never used: it would follow a guest's symlink out to the host.
 */
import { lstat, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { VmcraftError } from '../core/errors.js';

/** Options of {@link resolveGuestPath}. */
export interface ResolveOptions {
  /**
   * Follow a symlink in the last component (false for lstat, readlink, rm, lnS…).
   * A trailing `/` or `/.` always follows, as in the kernel's lookup (`link/` is
   * the directory the link names). @default true
   */
  followFinal?: boolean;
  /**
   * Match a component case-insensitively when the exact name is missing
   * (Windows guests; libguestfs `case_sensitive_path`). @default false
   */
  caseInsensitive?: boolean;
}

/** Linux's limit on symlinks followed in one lookup (MAXSYMLINKS). */
export const MAX_SYMLINKS = 40;

/**
 * Checks that a guest path is absolute, non-empty and has no NUL, and returns
 * its components (empty ones and `.` dropped, `..` kept).
 *
 * @throws VmcraftError `EINVAL` for a relative or empty path or one with a NUL byte.
 */
export function splitGuestPath(guestPath: string): string[] {
  if (typeof guestPath !== 'string' || !guestPath.startsWith('/') || guestPath.includes('\0')) {
    const shown = typeof guestPath === 'string' ? guestPath.replace(/\0/g, '\\0') : String(guestPath);
    throw new VmcraftError('EINVAL', `Expected an absolute guest path, got \`${shown}\``, { path: shown });
  }
  return guestPath.split('/').filter((c) => c !== '' && c !== '.');
}

async function lstatOrUndefined(file: string) {
  try {
    return await lstat(file);
  } catch {
    return undefined;
  }
}

/** The entry of `dir` spelled like `name` ignoring case, when there is one. */
async function findIgnoringCase(dir: string, name: string): Promise<string | undefined> {
  try {
    const lower = name.toLowerCase();
    return (await readdir(dir)).find((entry) => entry.toLowerCase() === lower);
  } catch {
    return undefined;
  }
}

/**
 * Resolves a guest path to the host path it names inside `rootDir`, walking
 * it one component at a time with lstat/readlink. Missing components (and
 * everything after them) are kept as written, so a new file can be created;
 * the result is always `rootDir` itself or a path below it.
 *
 * @param rootDir host directory holding the guest's `/`
 * @param guestPath absolute guest path
 * @throws VmcraftError `EINVAL` for a bad guest path, `ELOOP` after {@link MAX_SYMLINKS} links.
 *
 * @example
 * ```ts
 * // guest /etc/localtime -> /usr/share/zoneinfo/UTC
 * await resolveGuestPath('/tmp/vmcraft-1/root', '/etc/localtime');
 * // '/tmp/vmcraft-1/root/usr/share/zoneinfo/UTC'
 * ```
 */
export async function resolveGuestPath(rootDir: string, guestPath: string, options: ResolveOptions = {}): Promise<string> {
  const pending = splitGuestPath(guestPath);
  const followFinal = (options.followFinal ?? true) || /\/\.?$/.test(guestPath);
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const component = pending.shift()!;
    if (component === '..') {
      done.pop();
      continue;
    }
    const parent = path.join(rootDir, ...done);
    let name = component;
    let info = await lstatOrUndefined(path.join(parent, name));
    if (!info && options.caseInsensitive) {
      const match = await findIgnoringCase(parent, component);
      if (match !== undefined) {
        name = match;
        info = await lstatOrUndefined(path.join(parent, name));
      }
    }
    const isLast = pending.length === 0;
    if (info?.isSymbolicLink() && (!isLast || followFinal)) {
      if (++links > MAX_SYMLINKS) {
        throw new VmcraftError('ELOOP', `too many levels of symbolic links in ${guestPath}`, { path: guestPath });
      }
      const target = await readlink(path.join(parent, name));
      // An empty target names nothing (ENOENT in the kernel): keep the link's own name.
      if (target !== '') {
        if (target.startsWith('/')) done.length = 0;
        pending.unshift(...target.split('/').filter((c) => c !== '' && c !== '.'));
        continue;
      }
    }
    done.push(name);
  }
  return path.join(rootDir, ...done);
}

/**
 * The guest path of a host path inside `rootDir` (the inverse of
 * {@link resolveGuestPath}, for find and glob results).
 *
 * @throws VmcraftError `EPATHESCAPE` when `hostPath` is not `rootDir` or below it.
 */
export function guestPathOf(rootDir: string, hostPath: string): string {
  const relative = path.relative(rootDir, hostPath);
  if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) {
    throw new VmcraftError('EPATHESCAPE', 'a host path outside the guest root has no guest path');
  }
  return relative === '' ? '/' : `/${relative.split(path.sep).join('/')}`;
}
