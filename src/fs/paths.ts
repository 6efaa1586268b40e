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
  /** Follow a symlink in the last component (false for lstat, readlink, rm, lnS). @default true */
  followFinal?: boolean;
  /** Match components case-insensitively when the exact name is missing (Windows guests). @default false */
  caseInsensitive?: boolean;
}

/** Linux's limit on symlinks followed in one lookup. */
const MAX_LINKS = 40;

/** Checks that a guest path is absolute, non-empty and has no NUL; returns its components. */
export function splitGuestPath(guestPath: string): string[] {
  if (typeof guestPath !== 'string' || !guestPath.startsWith('/') || guestPath.includes('\0')) {
    throw new VmcraftError('EINVAL', `Expected an absolute guest path, got \`${String(guestPath)}\``, { path: String(guestPath) });
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

async function matchCase(dir: string, name: string): Promise<string> {
  try {
    const lower = name.toLowerCase();
    return (await readdir(dir)).find((e) => e.toLowerCase() === lower) ?? name;
  } catch {
    return name;
  }
}

/**
 * Resolves a guest path to the host path it names inside `rootDir`. Missing
 * components are kept as they are (so a new file can be created); the result
 * is always `rootDir` or below it.
 */
export async function resolveGuestPath(rootDir: string, guestPath: string, options: ResolveOptions = {}): Promise<string> {
  const { followFinal = true, caseInsensitive = false } = options;
  const pending = splitGuestPath(guestPath);
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const component = pending.shift()!;
    if (component === '..') {
      done.pop();
      continue;
    }
    const parent = path.join(rootDir, ...done);
    const name = caseInsensitive ? await matchCase(parent, component) : component;
    const candidate = path.join(parent, name);
    const info = await lstatOrUndefined(candidate);
    const isLast = pending.length === 0;
    if (info?.isSymbolicLink() && (!isLast || followFinal)) {
      if (++links > MAX_LINKS) throw new VmcraftError('ELOOP', `too many levels of symbolic links in ${guestPath}`, { path: guestPath });
      const target = await readlink(candidate);
      const targetParts = target.split('/').filter((c) => c !== '' && c !== '.');
      if (target.startsWith('/')) done.length = 0;
      pending.unshift(...targetParts);
      continue;
    }
    done.push(name);
  }
  return path.join(rootDir, ...done);
}

/** The guest path of a host path inside `rootDir` (the inverse, for find and glob results). */
export function guestPathOf(rootDir: string, hostPath: string): string {
  const relative = path.relative(rootDir, hostPath);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new VmcraftError('EPATHESCAPE', 'a host path outside the guest root has no guest path');
  }
  return `/${relative.split(path.sep).join('/')}`.replace(/\/$/, '') || '/';
}
