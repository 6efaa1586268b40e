/**
 * Wildcard expansion of guest paths (libguestfs `glob_expand`, i.e. glob(3)
 * with GLOB_BRACE|GLOB_MARK, plus `**`). The pattern is matched one component
 * at a time and each directory is reached through resolveGuestPath, so
 * symlinked directories are followed inside the guest and never out of it.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import { lazy } from '../../core/lazy.js';
import { decodeName } from '../names.js';
import { splitGuestPath, withGuestPath } from '../paths.js';
import { guarded, type FileContext } from './context.js';
import type { GlobOptions } from './types.js';

/**
 * Brace expansion as glob(3)'s GLOB_BRACE does it, before any matching.
 * A group needs a top-level comma; an unbalanced `{` stays literal.
 *
 * `/etc/{hosts,host{name,.conf}}` → `['/etc/hosts', '/etc/hostname', '/etc/host.conf']`
 */
export function expandBraces(pattern: string): string[] {
  for (let open = 0; open < pattern.length; open++) {
    if (pattern[open] === '\\') open++;
    else if (pattern[open] === '{') {
      const group = braceGroup(pattern, open);
      if (!group) return [pattern];
      if (group.bounds.length < 3) continue;
      const prefix = pattern.slice(0, open);
      const suffix = pattern.slice(group.close + 1);
      const alternatives = group.bounds.slice(0, -1).map((b, k) => pattern.slice(b + 1, group.bounds[k + 1]));
      return alternatives.flatMap((alt) => expandBraces(prefix + alt + suffix));
    }
  }
  return [pattern];
}

/** The matching `}` of the `{` at `open` and the offsets of `{`, its top-level commas and `}`. */
function braceGroup(pattern: string, open: number): { close: number; bounds: number[] } | undefined {
  const bounds = [open];
  let depth = 0;
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === ',' && depth === 1) bounds.push(i);
    else if (c === '}' && --depth === 0) return { close: i, bounds: [...bounds, i] };
  }
  return undefined;
}

const MAGIC = /(?<!\\)[*?[]/;
const loadPicomatch = lazy(() => import('picomatch'));

/** A pattern component without wildcards, its backslash escapes removed. */
function literal(component: string): string {
  return component.replace(/\\(.)/g, '$1');
}

/** Walks the pattern over the guest tree; results go to `out` as guest paths. */
class Expander {
  readonly out = new Set<string>();

  constructor(private readonly root: string) {}

  async expand(prefix: string, parts: readonly string[]): Promise<void> {
    const [head, ...rest] = parts;
    if (head === undefined) {
      if (await this.#exists(prefix)) this.out.add(prefix || '/');
    } else if (head === '**') {
      // Zero or more directories; like bash's globstar, symlinked directories are not descended.
      await this.expand(prefix, rest);
      for (const entry of await this.#entries(prefix)) {
        if (entry.name.startsWith('.')) continue;
        if (rest.length === 0) this.out.add(`${prefix}/${entry.name}`);
        if (entry.isDirectory()) await this.expand(`${prefix}/${entry.name}`, parts);
      }
    } else if (!MAGIC.test(head)) {
      await this.expand(`${prefix}/${literal(head)}`, rest);
    } else {
      const { default: picomatch } = await loadPicomatch();
      const isMatch = picomatch(head, { dot: false, nobrace: true, noextglob: true, posix: true });
      for (const entry of await this.#entries(prefix)) {
        if (isMatch(entry.name)) await this.expand(`${prefix}/${entry.name}`, rest);
      }
    }
  }

  /** Entries of a guest directory (names with surrogate escapes), or none when it is not one. */
  async #entries(guestDir: string): Promise<{ name: string; isDirectory(): boolean }[]> {
    const list = await withGuestPath(this.root, guestDir || '/', {}, (dir) => readdir(dir.path, { withFileTypes: true, encoding: 'buffer' })).catch(() => []);
    return list.map((d) => ({ name: decodeName(d.name), isDirectory: () => d.isDirectory() }));
  }

  async #exists(guestPath: string): Promise<boolean> {
    return withGuestPath(this.root, guestPath || '/', { followFinal: false }, (file) => lstat(file.path)).then(() => true, () => false);
  }

  async isDirectory(guestPath: string): Promise<boolean> {
    return withGuestPath(this.root, guestPath, {}, (file) => stat(file.path)).then((s) => s.isDirectory(), () => false);
  }
}

/**
 * Guest paths matching a wildcard pattern (`*`, `?`, `[…]`, `{a,b}`, `**`),
 * sorted, without duplicates; `[]` when nothing matches. Names starting with
 * `.` only match a pattern component that starts with `.`. Directories get a
 * trailing `/` only with `directorySlash: true` (GuestFS.globExpand turns it on by default, as libguestfs does).
 */
export async function globExpand(ctx: FileContext, pattern: string, options: GlobOptions = {}): Promise<string[]> {
  splitGuestPath(pattern);
  return guarded(pattern, 'globExpand', async () => {
    const expander = new Expander(ctx.rootDir());
    for (const expanded of expandBraces(pattern)) await expander.expand('', splitGuestPath(expanded).map(decodeName));
    const sorted = [...expander.out].sort();
    if (!options.directorySlash) return sorted;
    return Promise.all(sorted.map(async (p) => (p !== '/' && (await expander.isDirectory(p)) ? `${p}/` : p)));
  });
}
