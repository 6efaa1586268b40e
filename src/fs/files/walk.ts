/**
 * Walking guest directories without following symlinks (so a walk can never
 * leave the guest), for find, glob and findModifiedSince.
 */
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Stats } from 'node:fs';

/** One entry met by {@link walk}. */
export interface WalkEntry {
  /** Path relative to the walk's start, with `/` separators. */
  relative: string;
  stats: Stats;
}

/** Yields every entry below `hostDir`, depth first, names sorted, up to `maxDepth` levels. */
export async function* walk(hostDir: string, maxDepth = Infinity, prefix = ''): AsyncGenerator<WalkEntry> {
  if (maxDepth <= 0) return;
  const names = (await readdir(hostDir)).sort();
  for (const name of names) {
    const full = path.join(hostDir, name);
    const stats = await lstat(full).catch(() => undefined);
    if (!stats) continue;
    const relative = prefix ? `${prefix}/${name}` : name;
    yield { relative, stats };
    if (stats.isDirectory()) yield* walk(full, maxDepth - 1, relative);
  }
}
