/**
 * The private root Augeas works in. Augeas opens files by joining its root
 * with a file's path and lets the host kernel follow symlinks, so it never
 * sees the guest mount: a guest /etc/fstab linking to /etc/shadow would be
 * the host's. Instead, the files its lenses include are found in the guest
 * with the confined glob (symlinks resolve inside the guest), and their
 * content is copied into a staging directory that holds only real
 * directories and regular files. After a save, what Augeas changed there is
 * written back through the confined write path.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { guarded, withHost, type FileContext } from '../fs/files/context.js';
import { globExpand } from '../fs/files/glob.js';
import { openRegularForRead } from '../fs/files/regular.js';
import { statPath } from '../fs/files/stat.js';
import { chmodPath, chownPath, rmFile, write } from '../fs/files/write.js';

/** Limits on what is staged: a config file bigger than this is left out, as are files past the totals. */
export const STAGE_LIMITS = { fileBytes: 16 * 1024 * 1024, totalBytes: 256 * 1024 * 1024, files: 20_000 };

/** The staged files: path below the staging root (`etc/fstab`) → sha256 of the content staged. */
export type StagedFiles = Map<string, string>;

/** What a save changed in the staging root. */
export interface StageChanges {
  /** Files written or created (paths below the root). */
  written: string[];
  /** Files Augeas deleted. */
  removed: string[];
}

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** A guest path below `guestRoot` (itself resolved, `/` or `/sysroot`) for a staged path. */
export function guestPathOf(guestRoot: string, staged: string): string {
  return guestRoot === '/' ? `/${staged}` : `${guestRoot}/${staged}`;
}

/** The staged path of a guest path below `guestRoot`, or undefined when it cannot be one (outside, `..`, non-UTF-8 escapes). */
function stagedPathOf(guestRoot: string, guestPath: string): string | undefined {
  const prefix = guestRoot === '/' ? '/' : `${guestRoot}/`;
  if (!guestPath.startsWith(prefix)) return undefined;
  const rel = guestPath.slice(prefix.length);
  const parts = rel.split('/');
  if (rel === '' || parts.some((p) => p === '' || p === '.' || p === '..') || /[\ud800-\udfff]/.test(rel)) return undefined;
  return rel;
}

/** Content of a guest regular file; 'big' when it is over `limit` bytes, undefined when it is not a regular file or is unreadable. */
async function readSmall(ctx: FileContext, guestPath: string, limit: number): Promise<{ data: Buffer; mode: number; mtime: Date } | 'big' | undefined> {
  return guarded(guestPath, 'augeas staging', () => withHost(ctx, guestPath, true, async (file) => {
    const handle = await openRegularForRead(file, 'augeas staging', guestPath);
    try {
      const info = await handle.stat();
      if (info.size > limit) return 'big';
      const data = await handle.readFile();
      return data.length > limit ? 'big' : { data, mode: info.mode & 0o777, mtime: info.mtime };
    } finally {
      await handle.close();
    }
  })).catch(() => undefined);
}

/**
 * Fills `stagingRoot` (emptied first) with the guest files below `guestRoot`
 * that match the glob patterns (Augeas's `incl` lists), content and mode
 * kept. Directories, devices, unreadable files and files over the limits are
 * left out (`warn` is told of those over the limits).
 */
export async function stageFiles(ctx: FileContext, guestRoot: string, patterns: readonly string[], stagingRoot: string, warn: (message: string) => void): Promise<StagedFiles> {
  await rm(stagingRoot, { recursive: true, force: true });
  await mkdir(stagingRoot, { recursive: true, mode: 0o700 });
  const matches = new Set<string>();
  for (const pattern of patterns) {
    if (!pattern.startsWith('/')) continue;
    for (const found of await globExpand(ctx, guestRoot === '/' ? pattern : `${guestRoot}${pattern}`).catch(() => [])) matches.add(found);
  }
  const staged: StagedFiles = new Map();
  let total = 0;
  for (const guestPath of [...matches].sort()) {
    const rel = stagedPathOf(guestRoot, guestPath);
    if (rel === undefined) continue;
    if (staged.size >= STAGE_LIMITS.files || total >= STAGE_LIMITS.totalBytes) {
      warn(`augeas: more than ${STAGE_LIMITS.files} files or ${STAGE_LIMITS.totalBytes} bytes to load: ${guestPath} and later files are left out`);
      break;
    }
    const file = await readSmall(ctx, guestPath, Math.min(STAGE_LIMITS.fileBytes, STAGE_LIMITS.totalBytes - total));
    if (file === 'big') warn(`augeas: ${guestPath} is left out: over ${STAGE_LIMITS.fileBytes} bytes, or past the ${STAGE_LIMITS.totalBytes} bytes of all files`);
    if (!file || file === 'big') continue;
    const target = path.join(stagingRoot, rel);
    // A path staged earlier may be a prefix of this one (a file where a directory is wanted): keep the first.
    const placed = await mkdir(path.dirname(target), { recursive: true, mode: 0o700 }).then(() => writeFile(target, file.data, { mode: file.mode, flag: 'wx' })).then(() => true, () => false);
    if (!placed) continue;
    await utimes(target, file.mtime, file.mtime);
    staged.set(rel, sha256(file.data));
    total += file.data.length;
  }
  return staged;
}

/** The regular files below the staging root, as staged paths. */
async function filesUnder(stagingRoot: string): Promise<string[]> {
  const names = await readdir(stagingRoot, { recursive: true });
  const files: string[] = [];
  for (const name of names) if ((await lstat(path.join(stagingRoot, name))).isFile()) files.push(name.split(path.sep).join('/'));
  return files.sort();
}

/** Which staged files a save changed, created or deleted. */
export async function stageChanges(stagingRoot: string, staged: StagedFiles): Promise<StageChanges> {
  const now = await filesUnder(stagingRoot);
  const written: string[] = [];
  for (const rel of now) {
    if (staged.get(rel) !== sha256(await readFile(path.join(stagingRoot, rel)))) written.push(rel);
  }
  const present = new Set(now);
  return { written, removed: [...staged.keys()].filter((rel) => !present.has(rel)) };
}

/**
 * Gives a file Augeas created the mode and owner it has in the staging root:
 * a `.augnew` / `.augsave` copy those of the guest file it copies (a backup of
 * /etc/shadow must not be readable by all), any other file Augeas's mode.
 */
async function settle(ctx: FileContext, guestRoot: string, stagingRoot: string, staged: StagedFiles, rel: string): Promise<void> {
  const original = rel.replace(/\.aug(new|save)$/, '');
  const target = guestPathOf(guestRoot, rel);
  if (original !== rel && staged.has(original)) {
    const from = await statPath(ctx, guestPathOf(guestRoot, original), true);
    await chownPath(ctx, from.uid, from.gid, target);
    await chmodPath(ctx, from.mode & 0o7777, target);
  } else {
    await chmodPath(ctx, (await lstat(path.join(stagingRoot, rel))).mode & 0o7777, target);
  }
}

/**
 * Writes what a save changed back into the guest through the confined write
 * path (an existing file keeps its inode, mode and owner; a symlink is
 * followed inside the guest, as Augeas follows it; a file Augeas created
 * gets the mode and owner of the one it copies, see {@link settle}), deletes
 * what Augeas deleted, and records the new content as staged.
 *
 * @returns the guest paths written and removed
 */
export async function writeBack(ctx: FileContext, guestRoot: string, stagingRoot: string, staged: StagedFiles, changes: StageChanges): Promise<StageChanges> {
  for (const rel of changes.written) {
    const data = await readFile(path.join(stagingRoot, rel));
    await write(ctx, guestPathOf(guestRoot, rel), data);
    if (!staged.has(rel)) await settle(ctx, guestRoot, stagingRoot, staged, rel);
    staged.set(rel, sha256(data));
  }
  for (const rel of changes.removed) {
    await rmFile(ctx, guestPathOf(guestRoot, rel), true);
    staged.delete(rel);
  }
  return { written: changes.written.map((rel) => guestPathOf(guestRoot, rel)), removed: changes.removed.map((rel) => guestPathOf(guestRoot, rel)) };
}
