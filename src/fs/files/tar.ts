/**
 * Tar archives of guest directories (libguestfs `tar_out`/`tar_in`).
 *
 * `tarOut` runs the host's GNU tar from the confined-resolved directory: tar
 * never follows a symlink it archives (no `-h`), and names come from the
 * guest's real directory tree, so they hold no `..` or absolute path.
 *
 * `tarIn` never lets tar write into the guest: a guest directory that is a
 * symlink to `/` would make tar put a member `x/etc/passwd` on the HOST. The
 * archive is extracted into a private staging directory first (GNU tar's own
 * guards there: no `..` members, links to outside made last), then every
 * directory the archive holds is checked in the guest top down, and a guest
 * entry there that is not a real directory (a symlink above all) is removed,
 * as GNU tar replaces one; only then does `cp -a` copy the staged tree, so
 * every directory it walks through in the guest is a real one.
 */
import type { Dirent } from 'node:fs';
import { lstat, mkdtemp, readdir, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { VmcraftError } from '../../core/errors.js';
import type { Runner } from '../../core/exec.js';
import type { GuestPath } from '../names.js';
import { errnoError, guarded, runnerOf, runTool, toolPath, withHost, withWritable, type FileContext } from './context.js';

/** The compressions of libguestfs' `compress` optional argument. */
export const TAR_COMPRESSIONS = ['compress', 'gzip', 'bzip2', 'xz', 'lzop', 'lzip', 'zstd'] as const;
export type TarCompression = (typeof TAR_COMPRESSIONS)[number];

const COMPRESS_FLAG: Record<TarCompression, string> = {
  compress: '--compress', gzip: '--gzip', bzip2: '--bzip2', xz: '--xz', lzop: '--lzop', lzip: '--lzip', zstd: '--zstd',
};

/** Options shared by tarIn and tarOut (libguestfs optargs). */
export interface TarAttrOptions {
  /** The archive is (to be) compressed this way; none when left out. */
  compress?: TarCompression;
  /** Extended attributes (all namespaces). */
  xattrs?: boolean;
  /** POSIX ACLs. */
  acls?: boolean;
  /** SELinux contexts. */
  selinux?: boolean;
}

/** Options of {@link tarOut}. */
export interface TarOutOptions extends TarAttrOptions {
  /** Owners as numbers only, no names (`--numeric-owner`). */
  numericOwner?: boolean;
  /** Patterns of names left out (`--exclude=`). */
  excludes?: string[];
}

/** A long archive may take a while: one hour per tar run. */
const TAR_TIMEOUT_MS = 3_600_000;

/** tar's flags for the options: compression, then the attributes kept. */
export function tarFlags(options: TarAttrOptions): string[] {
  return [
    ...(options.compress ? [COMPRESS_FLAG[options.compress]] : []),
    ...(options.xattrs ? ['--xattrs', '--xattrs-include=*'] : []),
    ...(options.acls ? ['--acls'] : []),
    ...(options.selinux ? ['--selinux'] : []),
  ];
}

/** Throws ENOTDIR unless `host` is a directory. */
async function mustBeDir(host: Buffer): Promise<void> {
  if (!(await lstat(host)).isDirectory()) throw errnoError('ENOTDIR', 'not a directory');
}

/** Packs the guest directory `dir` into the caller's host file `tarfile` (libguestfs `tar_out`: members `./…`). */
export async function tarOut(ctx: FileContext, dir: GuestPath, tarfile: string, options: TarOutOptions = {}, runner: Runner = runnerOf(ctx)): Promise<void> {
  await guarded(dir, 'tarOut', () => withHost(ctx, dir, true, async (host) => {
    await mustBeDir(host);
    const argv = [
      '-C', toolPath(host, dir, 'tarOut'), '-cf', tarfile, ...tarFlags(options),
      ...(options.numericOwner ? ['--numeric-owner'] : []),
      ...(options.excludes ?? []).map((pattern) => `--exclude=${pattern}`),
      '.',
    ];
    await runner.run('tar', argv, { timeoutMs: TAR_TIMEOUT_MS });
  }));
}

/**
 * Extracts the caller's archive `tarfile` into a fresh private directory under
 * `workDir` and runs `fn` on it; the directory is removed afterwards. Owners
 * are kept as numbers (the host's user names mean nothing to the guest).
 */
export async function withExtracted<T>(runner: Runner, tarfile: string, workDir: string, options: TarAttrOptions, fn: (staging: string) => Promise<T>): Promise<T> {
  const staging = await mkdtemp(path.join(workDir, 'tar-'));
  try {
    await extractTar(runner, tarfile, staging, options);
    return await fn(staging);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Extracts an archive into a host directory with GNU tar's guards and the owners and modes kept. */
export async function extractTar(runner: Runner, tarfile: string, into: string, options: TarAttrOptions): Promise<void> {
  await runner.run('tar', ['-xf', tarfile, '-C', into, '--numeric-owner', '--same-owner', '--same-permissions', ...tarFlags(options)], { timeoutMs: TAR_TIMEOUT_MS });
}

/**
 * Makes every directory of `staged` a real directory at the same place below
 * `target` (the host path of a resolved guest directory): a non-directory
 * found there (a symlink, a file) is removed so `cp -a` makes the directory;
 * a missing one is left for cp to make. Walks top down, so each checked
 * path goes only through directories already checked.
 */
async function realDirectories(staged: string, target: Buffer): Promise<void> {
  const entries: Dirent[] = await readdir(staged, { withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const there = Buffer.concat([target, Buffer.from('/'), Buffer.from(entry.name)]);
    const info = await lstat(there).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (!info) continue;
    if (!info.isDirectory()) {
      await unlink(there);
      continue;
    }
    await realDirectories(path.join(staged, entry.name), there);
  }
}

/** How many names one cp run gets. */
const CP_BATCH = 512;

/** Unpacks the caller's host archive `tarfile` into the guest directory `dir` (libguestfs `tar_in`), confined (see the module's doc). */
export async function tarIn(ctx: FileContext, tarfile: string, dir: GuestPath, workDir: string, options: TarAttrOptions = {}, runner: Runner = runnerOf(ctx)): Promise<void> {
  await guarded(dir, 'tarIn', () => withWritable(ctx, dir, true, async (host) => {
    await mustBeDir(host);
    await withExtracted(runner, tarfile, workDir, options, async (staging) => {
      await realDirectories(staging, host);
      const names = (await readdir(staging)).map((name) => path.join(staging, name));
      const to = toolPath(host, dir, 'tarIn');
      for (let i = 0; i < names.length; i += CP_BATCH) {
        // -a keeps owners, modes, times, hard links and xattrs; --remove-destination replaces a
        // symlink at a file's place instead of writing through it.
        await runTool(ctx, dir, 'tarIn', ['cp', '-a', '--remove-destination', '-t', to, '--', ...names.slice(i, i + CP_BATCH)], runner);
      }
    });
  }));
}

/** The `EINVAL` of a host path that is not a directory. */
export function notHostDir(operation: string, hostDir: string): VmcraftError {
  return new VmcraftError('EINVAL', `${operation}: ${hostDir} is not a host directory`, { path: hostDir });
}
