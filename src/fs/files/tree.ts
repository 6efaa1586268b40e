/**
 * Directories and links, copies, moves and removals. Source paths are resolved
 * inside the guest; a destination that is a directory receives the source's
 * name, and that final path is resolved again, so an existing symlink there
 * can never lead a write to the host.
 */
import { link, lstat, mkdir, rename, rm, rmdir, stat, symlink, unlink } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { fromFsError, VmcraftError } from '../../core/errors.js';
import type { Runner } from '../../core/exec.js';
import { joinBytes } from '../cursor.js';
import { nameBytes, showPath, type GuestPath } from '../names.js';
import { splitGuestPath, type HostPath } from '../paths.js';
import { errnoError, guarded, runTool, toolPath, withHost, withWritable, type FileContext } from './context.js';
import { STREAM_CHUNK } from './read.js';
import { openRegularForRead, openRegularForWrite } from './regular.js';

/** `dir/name` without normalising `..` away (the kernel resolves `link/..` from the link's target). */
function joinGuest(dir: GuestPath, name: Buffer): Buffer {
  const bytes = nameBytes(dir);
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0x2f) end--;
  return Buffer.concat([bytes.subarray(0, end), Buffer.from('/'), name]);
}

/** The last component of a path (`..` kept), or `/` for the root. */
function basename(p: GuestPath): Buffer {
  return nameBytes(p).toString('latin1').split('/').filter((c) => c !== '').map((c) => Buffer.from(c, 'latin1')).at(-1) ?? Buffer.from('/');
}

/** Refuses to remove or move the guest root itself (`/`, `/..`, `/etc/..`…). */
function refuseRoot(resolved: HostPath, p: GuestPath, operation: string): void {
  if (resolved.components.length === 0) throw new VmcraftError('EINVAL', `${operation} ${showPath(p)}: refusing to remove or move the guest root`, { path: showPath(p) });
}

/** Creates a directory (`parents`: and its missing parents, no error when it exists). */
export async function mkdirPath(ctx: FileContext, p: GuestPath, parents: boolean, mode = 0o755): Promise<void> {
  await guarded(p, parents ? 'mkdirP' : 'mkdir', async () => {
    await withWritable(ctx, p, false, async (target) => void (parents || (await mkdir(target, { mode }))));
    if (!parents) return;
    // Each prefix is resolved on its own, so a symlinked parent is followed inside the guest.
    const parts = splitGuestPath(p);
    for (let i = 1; i <= parts.length; i++) {
      const prefix = Buffer.concat([Buffer.from('/'), joinBytes(parts.slice(0, i))]);
      await withHost(ctx, prefix, false, (dir) => mkdir(dir, { mode })).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
        if (!(await withHost(ctx, prefix, true, (dir) => stat(dir))).isDirectory()) throw errnoError('ENOTDIR', 'not a directory');
      });
    }
  });
}

/** Removes a file, not a directory (`force`: no error when it does not exist; libguestfs `rm_f`). */
export async function rmFile(ctx: FileContext, p: GuestPath, force = false): Promise<void> {
  await guarded(p, force ? 'rmF' : 'rm', () => withWritable(ctx, p, false, async (target) => {
    const info = await lstat(target).catch((err: NodeJS.ErrnoException) => {
      if (force && err.code === 'ENOENT') return undefined;
      throw err;
    });
    if (!info) return;
    if (info.isDirectory()) throw errnoError('EISDIR', 'is a directory');
    await unlink(target);
  }));
}

/** Removes a path recursively, never following symlinks; no error when it does not exist. */
export async function rmRf(ctx: FileContext, p: GuestPath): Promise<void> {
  await guarded(p, 'rmRf', () => withWritable(ctx, p, false, async (target, resolved) => {
    refuseRoot(resolved, p, 'rmRf');
    await rm(target, { recursive: true, force: true });
  }));
}

/** Removes an empty directory. */
export async function rmdirPath(ctx: FileContext, p: GuestPath): Promise<void> {
  await guarded(p, 'rmdir', () => withWritable(ctx, p, false, async (target, resolved) => {
    refuseRoot(resolved, p, 'rmdir');
    await rmdir(target);
  }));
}

/**
 * Runs `fn` on where a copy or move of `src` lands: `dest/<name of src>` when
 * `dest` is a directory (or a symlink to one), else `dest`; `followFinal` says
 * whether a symlink at that spot is written through (cp) or replaced (mv, cp -a).
 */
async function withDestination<T>(ctx: FileContext, src: GuestPath, dest: GuestPath, followFinal: boolean, fn: (host: Buffer) => Promise<T>): Promise<T> {
  const isDir = await withWritable(ctx, dest, true, (target) => stat(target).then((s) => s.isDirectory(), () => false));
  return withWritable(ctx, isDir ? joinGuest(dest, basename(src)) : dest, followFinal, fn);
}

/**
 * Copies one regular file's content (libguestfs `cp`); into `dest` when it is
 * a directory. A new file gets the source's permissions masked by 022, as cp(1) does.
 */
export async function cp(ctx: FileContext, src: GuestPath, dest: GuestPath): Promise<void> {
  const source = await guarded(src, 'cp', () => withHost(ctx, src, true, (file) => openRegularForRead(file, 'cp', src)));
  try {
    const target = await guarded(dest, 'cp', () => withDestination(ctx, src, dest, true, async (file) => {
      const isNew = await lstat(file).then(() => false, () => true);
      const handle = await openRegularForWrite(file, 'cp', dest, 'truncate');
      if (isNew) await handle.chmod((await source.stat()).mode & 0o755);
      return handle;
    }));
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
async function cpTree(ctx: FileContext, src: GuestPath, dest: GuestPath, flag: string, operation: string, runner?: Runner): Promise<void> {
  await guarded(src, operation, () => withHost(ctx, src, false, async (from) => {
    await lstat(from);
    await withDestination(ctx, src, dest, false, async (to) => {
      // cp never dereferences symlinks inside the tree with -a/-rP; --remove-destination keeps
      // it from writing through a symlink already at a destination file (it would write to the host).
      await runTool(ctx, src, operation, ['cp', flag, '--remove-destination', '-T', '--', toolPath(from, src, operation), toolPath(to, dest, operation)], runner);
    });
  }));
}

/** Copies a file or tree preserving modes, owners, times, links and xattrs (libguestfs `cp_a`, `cp -a`). */
export async function cpA(ctx: FileContext, src: GuestPath, dest: GuestPath, runner?: Runner): Promise<void> {
  await cpTree(ctx, src, dest, '-a', 'cpA', runner);
}

/** Copies a file or tree without preserving attributes (libguestfs `cp_r`, `cp -rP`), e.g. onto FAT. */
export async function cpR(ctx: FileContext, src: GuestPath, dest: GuestPath, runner?: Runner): Promise<void> {
  await cpTree(ctx, src, dest, '-rP', 'cpR', runner);
}

/** Moves or renames a file, symlink or tree (across the guest's filesystems too). */
export async function mv(ctx: FileContext, src: GuestPath, dest: GuestPath, runner?: Runner): Promise<void> {
  await guarded(src, 'mv', () => withWritable(ctx, src, false, async (from, resolved) => {
    refuseRoot(resolved, src, 'mv');
    await lstat(from);
    await withDestination(ctx, src, dest, false, async (to) => {
      try {
        await rename(from, to);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw fromFsError(err, showPath(src), 'mv');
        await runTool(ctx, src, 'mv', ['mv', '-T', '--', toolPath(from, src, 'mv'), toolPath(to, dest, 'mv')], runner);
      }
    });
  }));
}

/** Creates a hard link `linkname` to the guest file `target` (a symlink itself, not followed, as link(2)). */
export async function ln(ctx: FileContext, target: GuestPath, linkname: GuestPath): Promise<void> {
  await guarded(linkname, 'ln', () => withHost(ctx, target, false, (from) => withWritable(ctx, linkname, false, (to) => link(from, to))));
}

/**
 * Creates a symlink whose target text is `target` (text or raw bytes), stored
 * as given (libguestfs `ln_s`); when `linkname` is a directory the link goes inside it, as with ln -s.
 */
export async function lnS(ctx: FileContext, target: GuestPath, linkname: GuestPath): Promise<void> {
  const bytes = typeof target === 'string' || target instanceof Uint8Array ? nameBytes(target) : undefined;
  if (!bytes || bytes.length === 0 || bytes.includes(0)) {
    throw new VmcraftError('EINVAL', `Expected a non-empty symlink target without NUL, got \`${bytes ? showPath(bytes) : String(target)}\``);
  }
  await guarded(linkname, 'lnS', async () => {
    const inside = await withHost(ctx, linkname, true, (dir) => stat(dir)).then((s) => s.isDirectory(), () => false);
    const where = inside ? joinGuest(linkname, basename(bytes)) : linkname;
    await withWritable(ctx, where, false, (host) => symlink(bytes, host));
  });
}
