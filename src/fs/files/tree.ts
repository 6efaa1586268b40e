/**
 * Directories and links, copies, moves and removals. Source paths are resolved
 * inside the guest; a destination that is a directory receives the source's
 * name, and that final path is resolved again, so an existing symlink there
 * can never lead a write to the host.
 */
import { link, lstat, mkdir, rename, rm, rmdir, stat, symlink, unlink } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fromFsError, VmcraftError } from '../../core/errors.js';
import type { Runner } from '../../core/exec.js';
import { splitGuestPath } from '../paths.js';
import { errnoError, guarded, hostPath, runTool, writableHostPath, type FileContext } from './context.js';
import { STREAM_CHUNK } from './read.js';
import { openRegularForRead, openRegularForWrite } from './regular.js';

/** `dir/name` without normalising `..` away (the kernel resolves `link/..` from the link's target). */
function joinGuest(dir: string, name: string): string {
  return `${dir.replace(/\/+$/, '')}/${name}`;
}

/** Refuses to remove or move the guest root itself (`/`, `/..`, `/etc/..`…). */
function refuseRoot(ctx: FileContext, target: string, p: string, operation: string): void {
  if (path.resolve(target) === path.resolve(ctx.rootDir())) throw new VmcraftError('EINVAL', `${operation} ${p}: refusing to remove or move the guest root`, { path: p });
}

/** Creates a directory (`parents`: and its missing parents, no error when it exists). */
export async function mkdirPath(ctx: FileContext, p: string, parents: boolean, mode = 0o755): Promise<void> {
  await guarded(p, parents ? 'mkdirP' : 'mkdir', async () => {
    const target = await writableHostPath(ctx, p, false);
    if (!parents) return void (await mkdir(target, { mode }));
    // Each prefix is resolved on its own, so a symlinked parent is followed inside the guest.
    const parts = splitGuestPath(p);
    for (let i = 1; i <= parts.length; i++) {
      const prefix = `/${parts.slice(0, i).join('/')}`;
      await mkdir(await hostPath(ctx, prefix, false), { mode }).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
        if (!(await stat(await hostPath(ctx, prefix))).isDirectory()) throw errnoError('ENOTDIR', 'not a directory');
      });
    }
  });
}

/** Removes a file, not a directory (`force`: no error when it does not exist; libguestfs `rm_f`). */
export async function rmFile(ctx: FileContext, p: string, force = false): Promise<void> {
  await guarded(p, force ? 'rmF' : 'rm', async () => {
    const target = await writableHostPath(ctx, p, false);
    const info = await lstat(target).catch((err: NodeJS.ErrnoException) => {
      if (force && err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (!info) return;
    if (info.isDirectory()) throw errnoError('EISDIR', 'is a directory');
    await unlink(target);
  });
}

/** Removes a path recursively, never following symlinks; no error when it does not exist. */
export async function rmRf(ctx: FileContext, p: string): Promise<void> {
  await guarded(p, 'rmRf', async () => {
    const target = await writableHostPath(ctx, p, false);
    refuseRoot(ctx, target, p, 'rmRf');
    await rm(target, { recursive: true, force: true });
  });
}

/** Removes an empty directory. */
export async function rmdirPath(ctx: FileContext, p: string): Promise<void> {
  await guarded(p, 'rmdir', async () => {
    const target = await writableHostPath(ctx, p, false);
    refuseRoot(ctx, target, p, 'rmdir');
    await rmdir(target);
  });
}

/**
 * Where a copy or move of `src` lands: `dest/<name of src>` when `dest` is a
 * directory (or a symlink to one), else `dest`; `followFinal` says whether a
 * symlink at that spot is written through (cp) or replaced (mv, cp -a).
 */
async function destination(ctx: FileContext, src: string, dest: string, followFinal: boolean): Promise<string> {
  const target = await writableHostPath(ctx, dest);
  const info = await stat(target).catch(() => undefined);
  const final = info?.isDirectory() ? joinGuest(dest, path.posix.basename(src)) : dest;
  return writableHostPath(ctx, final, followFinal);
}

/**
 * Copies one regular file's content (libguestfs `cp`); into `dest` when it is
 * a directory. A new file gets the source's permissions masked by 022, as cp(1) does.
 */
export async function cp(ctx: FileContext, src: string, dest: string): Promise<void> {
  const source = await guarded(src, 'cp', async () => openRegularForRead(await hostPath(ctx, src), 'cp', src));
  try {
    const target = await guarded(dest, 'cp', async () => {
      const file = await destination(ctx, src, dest, true);
      const isNew = await lstat(file).then(() => false, () => true);
      const handle = await openRegularForWrite(file, 'cp', dest, 'truncate');
      if (isNew) await handle.chmod((await source.stat()).mode & 0o755);
      return handle;
    });
    try {
      const options = { highWaterMark: STREAM_CHUNK };
      await guarded(dest, 'cp', () => pipeline(source.createReadStream(options), target.createWriteStream(options)));
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

/** Runs cp(1) on a resolved source and destination (see {@link cpA}). */
async function cpTree(ctx: FileContext, src: string, dest: string, flag: string, operation: string, runner?: Runner): Promise<void> {
  const [from, to] = await guarded(src, operation, async () => {
    const resolved = await hostPath(ctx, src, false);
    await lstat(resolved);
    return [resolved, await destination(ctx, src, dest, false)] as const;
  });
  // cp never dereferences symlinks inside the tree with -a/-rP; --remove-destination keeps
  // it from writing through a symlink already at a destination file (it would write to the host).
  await runTool(ctx, src, operation, ['cp', flag, '--remove-destination', '-T', '--', from, to], runner);
}

/** Copies a file or tree preserving modes, owners, times, links and xattrs (libguestfs `cp_a`, `cp -a`). */
export async function cpA(ctx: FileContext, src: string, dest: string, runner?: Runner): Promise<void> {
  await cpTree(ctx, src, dest, '-a', 'cpA', runner);
}

/** Copies a file or tree without preserving attributes (libguestfs `cp_r`, `cp -rP`), e.g. onto FAT. */
export async function cpR(ctx: FileContext, src: string, dest: string, runner?: Runner): Promise<void> {
  await cpTree(ctx, src, dest, '-rP', 'cpR', runner);
}

/** Moves or renames a file, symlink or tree (across the guest's filesystems too). */
export async function mv(ctx: FileContext, src: string, dest: string, runner?: Runner): Promise<void> {
  const [from, to] = await guarded(src, 'mv', async () => {
    const resolved = await writableHostPath(ctx, src, false);
    refuseRoot(ctx, resolved, src, 'mv');
    await lstat(resolved);
    return [resolved, await destination(ctx, src, dest, false)] as const;
  });
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw fromFsError(err, src, 'mv');
    await runTool(ctx, src, 'mv', ['mv', '-T', '--', from, to], runner);
  }
}

/** Creates a hard link `linkname` to the guest file `target` (a symlink itself, not followed, as link(2)). */
export async function ln(ctx: FileContext, target: string, linkname: string): Promise<void> {
  await guarded(linkname, 'ln', async () => link(await hostPath(ctx, target, false), await writableHostPath(ctx, linkname, false)));
}

/**
 * Creates a symlink whose target text is `target`, stored as given (libguestfs
 * `ln_s`); when `linkname` is a directory the link goes inside it, as with ln -s.
 */
export async function lnS(ctx: FileContext, target: string, linkname: string): Promise<void> {
  if (typeof target !== 'string' || target === '' || target.includes('\0')) {
    throw new VmcraftError('EINVAL', `Expected a non-empty symlink target without NUL, got \`${String(target)}\``);
  }
  await guarded(linkname, 'lnS', async () => {
    const inside = await stat(await hostPath(ctx, linkname)).then((s) => s.isDirectory(), () => false);
    const where = inside ? joinGuest(linkname, path.posix.basename(target)) : linkname;
    await symlink(target, await writableHostPath(ctx, where, false));
  });
}
