/** Recursive listings (libguestfs `find`) and files changed since a date; walks never follow symlinks. */
import { lstat, stat } from 'node:fs/promises';
import { VmcraftError } from '../../core/errors.js';
import { decodeName, showPath, type GuestPath, type NameOptions } from '../names.js';
import type { HostPath } from '../paths.js';
import { errnoError, guarded, withHost, type FileContext } from './context.js';
import { walkTree, type WalkEntry } from './walk.js';

const SLASH = Buffer.from('/');

/** Sorts names: text by its characters, Buffers by their bytes. */
export function sortNames<T extends string | Buffer>(names: T[]): T[] {
  return names.sort((a, b) => (typeof a === 'string' && typeof b === 'string' ? (a < b ? -1 : a > b ? 1 : 0) : Buffer.compare(Buffer.from(a), Buffer.from(b))));
}

/**
 * Walks the directory `dir` (symlinks followed to reach it, never below it),
 * calling the visitor made for the resolved directory for each entry; directories that cannot be read are told to
 * `ctx.warn` and left out, never silently.
 */
export async function walkGuestDir(
  ctx: FileContext,
  dir: GuestPath,
  operation: string,
  options: NameOptions,
  visitor: (resolved: HostPath) => (entry: WalkEntry) => void | Promise<void>,
): Promise<void> {
  await guarded(dir, operation, () => withHost(ctx, dir, true, async (start, resolved) => {
    if (!(await stat(start)).isDirectory()) throw errnoError('ENOTDIR', 'not a directory');
    const onError = (relative: string | Buffer, err: unknown) => {
      const where = `${showPath(dir).replace(/\/+$/, '')}/${showPath(relative)}`;
      ctx.warn?.(`${operation}: cannot read ${where} (${(err as NodeJS.ErrnoException).code ?? String(err)}); its entries are left out`);
    };
    await walkTree(start, { encoding: options.encoding, onError }, visitor(resolved));
  }));
}

/**
 * Every name below a directory, relative to it, sorted (libguestfs `find`):
 * text with surrogate escapes for bytes outside UTF-8, or Buffers with `encoding: 'buffer'`.
 */
export async function find(ctx: FileContext, dir: GuestPath, options: NameOptions = {}): Promise<(string | Buffer)[]> {
  const names: (string | Buffer)[] = [];
  await walkGuestDir(ctx, dir, 'find', options, () => (e) => void names.push(e.relative));
  return sortNames(names);
}

/** Regular files below `dir` modified after `since`, as absolute guest paths, sorted. */
export async function findModifiedSince(ctx: FileContext, dir: GuestPath, since: Date, options: NameOptions = {}): Promise<(string | Buffer)[]> {
  if (!(since instanceof Date) || Number.isNaN(since.getTime())) throw new VmcraftError('EINVAL', `Expected a valid Date, got \`${String(since)}\``);
  const found: (string | Buffer)[] = [];
  await walkGuestDir(ctx, dir, 'findModifiedSince', options, (resolved) => {
    const prefix = Buffer.concat(resolved.components.flatMap((c) => [SLASH, c]));
    return async (e) => {
      if (e.type !== 'file' || !((await lstat(e.host)).mtime > since)) return;
      found.push(typeof e.relative === 'string' ? `${decodeName(prefix)}/${e.relative}` : Buffer.concat([prefix, SLASH, e.relative]));
    };
  });
  return sortNames(found);
}
