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
import { lstat, mkdir, rm } from 'node:fs/promises';
import { VmcraftError } from '../../core/errors.js';
import type { Runner } from '../../core/exec.js';
import type { GuestPath } from '../names.js';
import { moveInto } from './merge.js';
import { errnoError, guarded, runnerOf, runTool, toolPath, withHost, withWritable, type FileContext } from './context.js';

/** The compressions of libguestfs' `compress` optional argument. */
export type TarCompression = 'compress' | 'gzip' | 'bzip2' | 'xz' | 'lzop' | 'lzip' | 'zstd';
export const TAR_COMPRESSIONS: readonly TarCompression[] = ['compress', 'gzip', 'bzip2', 'xz', 'lzop', 'lzip', 'zstd'];

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

/** Options of `GuestFS.tarOut`. */
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
    await runTool(ctx, dir, 'tarOut', ['tar', ...argv], runner, { timeoutMs: TAR_TIMEOUT_MS });
  }));
}

/** tar's arguments that extract an archive into a directory with GNU tar's guards, the owners (as numbers) and modes kept. */
function extractArgv(tarfile: string, into: string, options: TarAttrOptions): [string, ...string[]] {
  return ['tar', '-xf', tarfile, '-C', into, '--numeric-owner', '--same-owner', '--same-permissions', ...tarFlags(options)];
}

/** Extracts an archive into a host directory (see {@link extractArgv}). */
export async function extractTar(runner: Runner, tarfile: string, into: string, options: TarAttrOptions): Promise<void> {
  const [tool, ...args] = extractArgv(tarfile, into, options);
  await runner.run(tool, args, { timeoutMs: TAR_TIMEOUT_MS });
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
    const staging = Buffer.concat([host, Buffer.from(`/.vmcraft-tar-in-${randomBytes(6).toString('hex')}`)]);
    await mkdir(staging, { mode: 0o700 });
    try {
      await runTool(ctx, dir, 'tarIn', extractArgv(tarfile, toolPath(staging, dir, 'tarIn'), options), runner, { timeoutMs: TAR_TIMEOUT_MS });
      // Across a mount point inside `dir` the entry is copied instead.
      await moveInto(staging, host, (src, dst) => runTool(ctx, dir, 'tarIn', ['cp', '-a', '-T', '--', toolPath(src, dir, 'tarIn'), toolPath(dst, dir, 'tarIn')], runner).then(() => undefined));
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }));
}

/** The `EINVAL` of a host path that is not a directory. */
export function notHostDir(operation: string, hostDir: string): VmcraftError {
  return new VmcraftError('EINVAL', `${operation}: ${hostDir} is not a host directory`, { path: hostDir });
}
