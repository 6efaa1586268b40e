/**
 * Tar archives of guest directories (libguestfs `tar_out`/`tar_in`).
 *
 * `tarOut` runs the host's GNU tar from the confined-resolved directory: tar
 * never follows a symlink it archives (no `-h`), and names come from the
 * guest's real directory tree, so they hold no `..` or absolute path.
 *
 * `tarIn` never lets tar write into the guest's existing tree: a guest
 * directory that is a symlink to `/` would make tar put a member
 * `x/etc/passwd` on the HOST. The archive is extracted into a fresh, empty
 * private directory (GNU tar's own guards there: no `..` members, links to
 * outside made last), made inside the target directory so it is on the
 * guest's filesystem; its entries are then moved into place one level at a
 * time, each guest directory descended into checked with lstat to be a real
 * one, anything else there (a symlink above all) replaced, as GNU tar
 * replaces a symlink where the archive has a directory.
 */
import { randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import { chmod, chown, lstat, mkdir, readdir, rename, rm, rmdir, unlink, utimes } from 'node:fs/promises';
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

/** Extracts an archive into a host directory with GNU tar's guards and the owners (as numbers) and modes kept. */
export async function extractTar(runner: Runner, tarfile: string, into: string, options: TarAttrOptions): Promise<void> {
  await runner.run('tar', ['-xf', tarfile, '-C', into, '--numeric-owner', '--same-owner', '--same-permissions', ...tarFlags(options)], { timeoutMs: TAR_TIMEOUT_MS });
}

const SLASH = Buffer.from('/');
const join = (dir: Buffer, name: Buffer) => Buffer.concat([dir, SLASH, name]);

/** lstat, or undefined for a missing path. */
async function lstatIfAny(file: Buffer): Promise<Stats | undefined> {
  return lstat(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
}

/**
 * Moves the staged tree `from` into the guest directory `to`, as tar would
 * have extracted it there: a directory meets an existing real directory by
 * merging (taking the staged one's owner, mode and times); anything else
 * replaces what is there, a symlink included — it is renamed over, never
 * written through. Every guest directory descended into was just checked
 * with lstat to be a real one. Across a mount point (EXDEV) an entry is copied with `cp -a`.
 */
async function moveInto(ctx: FileContext, dir: GuestPath, from: Buffer, to: Buffer, runner: Runner): Promise<void> {
  for (const name of await readdir(from, { encoding: 'buffer' })) {
    const src = join(from, name);
    const dst = join(to, name);
    const staged = await lstat(src);
    const there = await lstatIfAny(dst);
    if (staged.isDirectory() && there?.isDirectory()) {
      await moveInto(ctx, dir, src, dst, runner);
      await chown(dst, staged.uid, staged.gid);
      await chmod(dst, staged.mode & 0o7777);
      await utimes(dst, staged.atime, staged.mtime);
      continue;
    }
    if (there?.isDirectory()) await rmdir(dst);
    else if (there) await unlink(dst);
    await rename(src, dst).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EXDEV') throw err;
      await runTool(ctx, dir, 'tarIn', ['cp', '-a', '-T', '--', toolPath(src, dir, 'tarIn'), toolPath(dst, dir, 'tarIn')], runner);
    });
  }
}

/**
 * Unpacks the caller's host archive `tarfile` into the guest directory `dir`
 * (libguestfs `tar_in`), confined (see the module's doc). It is unpacked
 * into a fresh private directory made inside `dir` — on the guest's own
 * filesystem, so every attribute the archive carries can be kept and the
 * entries are moved, not copied — which is removed afterwards.
 */
export async function tarIn(ctx: FileContext, tarfile: string, dir: GuestPath, options: TarAttrOptions = {}, runner: Runner = runnerOf(ctx)): Promise<void> {
  await guarded(dir, 'tarIn', () => withWritable(ctx, dir, true, async (host) => {
    await mustBeDir(host);
    const staging = join(host, Buffer.from(`.vmcraft-tar-in-${randomBytes(6).toString('hex')}`));
    await mkdir(staging, { mode: 0o700 });
    try {
      await extractTar(runner, tarfile, toolPath(staging, dir, 'tarIn'), options);
      await moveInto(ctx, dir, staging, host, runner);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }));
}

/** The `EINVAL` of a host path that is not a directory. */
export function notHostDir(operation: string, hostDir: string): VmcraftError {
  return new VmcraftError('EINVAL', `${operation}: ${hostDir} is not a host directory`, { path: hostDir });
}
