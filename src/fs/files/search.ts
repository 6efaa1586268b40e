/** Recursive listings (libguestfs `find`) and files changed since a date; walks never follow symlinks. */
import { stat } from 'node:fs/promises';
import { VmcraftError } from '../../core/errors.js';
import { guestPathOf } from '../paths.js';
import { errnoError, guarded, hostPath, type FileContext } from './context.js';
import { walk } from './walk.js';

/** Every name below a directory, relative to it, sorted (libguestfs `find`). */
export async function find(ctx: FileContext, dir: string): Promise<string[]> {
  return guarded(dir, 'find', async () => {
    const start = await hostPath(ctx, dir);
    if (!(await stat(start)).isDirectory()) throw errnoError('ENOTDIR', 'not a directory');
    const names: string[] = [];
    for await (const e of walk(start)) names.push(e.relative);
    return names.sort();
  });
}

/** Regular files below `dir` modified after `since`, as absolute guest paths, sorted. */
export async function findModifiedSince(ctx: FileContext, dir: string, since: Date): Promise<string[]> {
  if (!(since instanceof Date) || Number.isNaN(since.getTime())) throw new VmcraftError('EINVAL', `Expected a valid Date, got \`${String(since)}\``);
  return guarded(dir, 'findModifiedSince', async () => {
    const root = ctx.rootDir();
    const start = await hostPath(ctx, dir);
    if (!(await stat(start)).isDirectory()) throw errnoError('ENOTDIR', 'not a directory');
    const found: string[] = [];
    for await (const e of walk(start)) {
      if (e.stats.isFile() && e.stats.mtime > since) found.push(guestPathOf(root, `${start}/${e.relative}`));
    }
    return found.sort();
  });
}
