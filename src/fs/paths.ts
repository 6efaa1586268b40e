/**
 * Guest path resolution, confined to the guest root like a chroot: `..` at the
 * root stays there, absolute symlink targets are re-rooted at the guest root,
 * relative ones resolve from the link's directory. The host's realpath() is
 * never used: it would follow a guest's symlink out to the host. Paths are
 * bytes (see names.ts); deep ones are looked up from opened directories
 * (see cursor.ts), so resolution is linear in depth and has no PATH_MAX.
 */
import { lstat, readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { VmcraftError } from '../core/errors.js';
import { DirCursor, joinBytes } from './cursor.js';
import { decodeName, nameBytes, showPath, type GuestPath } from './names.js';

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

const SLASH = 0x2f;
const DOT = Buffer.from('.');
const DOTDOT = Buffer.from('..');

/** The components of a byte path, empty ones and `.` dropped, `..` kept. */
function components(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i < bytes.length && bytes[i] !== SLASH) continue;
    const part = bytes.subarray(start, i);
    if (part.length > 0 && !part.equals(DOT)) out.push(part);
    start = i + 1;
  }
  return out;
}

/**
 * Checks that a guest path (text or raw bytes) is absolute, non-empty and has
 * no NUL, and returns its components as bytes (empty ones and `.` dropped, `..` kept).
 *
 * @throws VmcraftError `EINVAL` for a relative or empty path or one with a NUL byte.
 */
export function splitGuestPath(guestPath: GuestPath): Buffer[] {
  const valid = typeof guestPath === 'string' || guestPath instanceof Uint8Array;
  const bytes = valid ? nameBytes(guestPath) : undefined;
  if (!bytes || bytes[0] !== SLASH || bytes.includes(0)) {
    const shown = valid ? showPath(guestPath) : String(guestPath);
    throw new VmcraftError('EINVAL', `Expected an absolute guest path, got \`${shown}\``, { path: shown });
  }
  return components(bytes);
}

/** The entry of the cursor's directory spelled like `name` ignoring case, when there is one. */
async function findIgnoringCase(cursor: DirCursor, name: Buffer): Promise<Buffer | undefined> {
  try {
    const lower = decodeName(name).toLowerCase();
    return (await readdir(await cursor.path(), { encoding: 'buffer' })).find((entry) => decodeName(entry).toLowerCase() === lower);
  } catch {
    return undefined;
  }
}

/** A guest path resolved to a host path usable until {@link HostPath.release}. */
export interface HostPath {
  /** A short host path naming the file (through an opened directory when the guest path is deep). */
  readonly path: Buffer;
  /** The guest path it resolved to, components as bytes (empty for the guest root). */
  readonly components: readonly Buffer[];
  /** That guest path as text (surrogate escapes for bytes outside UTF-8). */
  readonly guestPath: string;
  /** Closes the directories opened for a deep path. */
  release(): Promise<void>;
}

/**
 * Resolves a guest path inside `rootDir`, walking it one component at a time
 * with lstat/readlink and never letting the kernel follow a guest symlink.
 * Missing components (and everything after them) are kept as written, so a
 * new file can be created; the result is always `rootDir` itself or below it.
 * The caller must call `release()` (see {@link withGuestPath}).
 *
 * @throws VmcraftError `EINVAL` for a bad guest path, `ELOOP` after {@link MAX_SYMLINKS} links.
 */
export async function openGuestPath(rootDir: string, guestPath: GuestPath, options: ResolveOptions = {}): Promise<HostPath> {
  const pending = splitGuestPath(guestPath).reverse();
  const bytes = nameBytes(guestPath);
  const trailing = bytes.at(-1) === SLASH || (bytes.at(-1) === DOT[0] && bytes.at(-2) === SLASH);
  const followFinal = (options.followFinal ?? true) || trailing;
  const cursor = new DirCursor(rootDir);
  try {
    let links = 0;
    while (pending.length > 0) {
      const component = pending.pop()!;
      if (component.equals(DOTDOT)) {
        await cursor.pop();
        continue;
      }
      let name = component;
      let info = await lstat(await cursor.path(name)).catch(() => undefined);
      if (!info && options.caseInsensitive) {
        const match = await findIgnoringCase(cursor, component);
        if (match !== undefined) {
          name = match;
          info = await lstat(await cursor.path(name)).catch(() => undefined);
        }
      }
      if (info?.isSymbolicLink() && (pending.length > 0 || followFinal)) {
        if (++links > MAX_SYMLINKS) {
          throw new VmcraftError('ELOOP', `too many levels of symbolic links in ${showPath(guestPath)}`, { path: showPath(guestPath) });
        }
        const target = await readlink(await cursor.path(name), { encoding: 'buffer' });
        // An empty target names nothing (ENOENT in the kernel): keep the link's own name.
        if (target.length > 0) {
          if (target[0] === SLASH) await cursor.reset();
          pending.push(...components(target).reverse());
          continue;
        }
      }
      cursor.push(name);
    }
    const parts = cursor.components;
    return { path: await cursor.path(), components: parts, guestPath: decodeName(Buffer.concat([Buffer.of(SLASH), joinBytes(parts)])), release: () => cursor.release() };
  } catch (err) {
    await cursor.release();
    throw err;
  }
}

/** Resolves a guest path (see {@link openGuestPath}), runs `fn` with it and releases it. */
export async function withGuestPath<T>(rootDir: string, guestPath: GuestPath, options: ResolveOptions, fn: (resolved: HostPath) => Promise<T>): Promise<T> {
  const resolved = await openGuestPath(rootDir, guestPath, options);
  try {
    return await fn(resolved);
  } finally {
    await resolved.release();
  }
}

/**
 * Resolves a guest path to the full host path it names inside `rootDir` (see
 * {@link openGuestPath}; that one takes and keeps any bytes and any depth,
 * this string form is for short UTF-8 paths).
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
export async function resolveGuestPath(rootDir: string, guestPath: GuestPath, options: ResolveOptions = {}): Promise<string> {
  const resolved = await openGuestPath(rootDir, guestPath, options);
  await resolved.release();
  return path.join(rootDir, ...resolved.components.map((c) => c.toString('utf8')));
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
