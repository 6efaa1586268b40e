/** Write-side file calls; each checks that the target may be written before touching anything. */
import { createReadStream, createWriteStream } from 'node:fs';
import { appendFile, chmod, chown, copyFile, link, lstat, mkdir, open, rename, rm, rmdir, stat, symlink, truncate, unlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { VmcraftError, fromFsError } from '../../core/errors.js';
import type { Runner } from '../../core/exec.js';
import { guarded, hostPath, type FileContext } from './context.js';
import { STREAM_CHUNK } from './read.js';

async function writable(ctx: FileContext, p: string, followFinal = true): Promise<string> {
  ctx.assertWritable(p);
  return hostPath(ctx, p, followFinal);
}

/** Creates or replaces a file with `data`. */
export async function write(ctx: FileContext, p: string, data: string | Uint8Array): Promise<void> {
  await guarded(p, 'write', async () => writeFile(await writable(ctx, p), data));
}

/** Appends `data` to a file (created when missing). */
export async function writeAppend(ctx: FileContext, p: string, data: string | Uint8Array): Promise<void> {
  await guarded(p, 'writeAppend', async () => appendFile(await writable(ctx, p), data));
}

/** Creates a directory (`parents`: and its missing parents, no error when it exists). */
export async function mkdirPath(ctx: FileContext, p: string, parents: boolean, mode = 0o755): Promise<void> {
  await guarded(p, 'mkdir', async () => {
    const target = await writable(ctx, p);
    if (!parents) return void (await mkdir(target, { mode }));
    // Each parent resolved on its own, so a symlinked parent is followed inside the guest.
    const parts = p.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const dir = await hostPath(ctx, `/${parts.slice(0, i).join('/')}`);
      await mkdir(dir, { mode }).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST' || !(await stat(dir)).isDirectory()) throw err;
      });
    }
  });
}

/** Removes a file (not a directory). */
export async function rmFile(ctx: FileContext, p: string): Promise<void> {
  await guarded(p, 'rm', async () => {
    const target = await writable(ctx, p, false);
    if ((await lstat(target)).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
    await unlink(target);
  });
}

/** Removes a path recursively; no error when it does not exist. */
export async function rmRf(ctx: FileContext, p: string): Promise<void> {
  await guarded(p, 'rmRf', async () => {
    const target = await writable(ctx, p, false);
    if (target === ctx.rootDir()) throw new VmcraftError('EINVAL', 'refusing to remove the guest root');
    await rm(target, { recursive: true, force: true });
  });
}

/** Removes an empty directory. */
export async function rmdirPath(ctx: FileContext, p: string): Promise<void> {
  await guarded(p, 'rmdir', async () => rmdir(await writable(ctx, p, false)));
}

/** Where a copy or move lands: into `dest` when it is a directory. */
async function destination(ctx: FileContext, src: string, dest: string): Promise<string> {
  const target = await writable(ctx, dest);
  const info = await stat(target).catch(() => undefined);
  return info?.isDirectory() ? path.join(target, path.posix.basename(src)) : target;
}

/** Copies a file's content (`cp src dest`). */
export async function cp(ctx: FileContext, src: string, dest: string): Promise<void> {
  await guarded(src, 'cp', async () => copyFile(await hostPath(ctx, src), await destination(ctx, src, dest)));
}

/** Copies a file or tree preserving modes, owners, times and links (`cp -a`). */
export async function cpA(ctx: FileContext, src: string, dest: string, runner: Runner): Promise<void> {
  const [from, to] = await guarded(src, 'cpA', async () => {
    const resolved = await hostPath(ctx, src, false);
    await lstat(resolved);
    return [resolved, await writable(ctx, dest)] as const;
  });
  // cp -a never dereferences symlinks inside the tree, so it stays within the guest.
  await runner.run('cp', ['-a', '--', from, to]);
}

/** Moves or renames (across filesystems of the guest too). */
export async function mv(ctx: FileContext, src: string, dest: string, runner: Runner): Promise<void> {
  ctx.assertWritable(src);
  const [from, to] = await guarded(src, 'mv', async () => {
    const resolved = await hostPath(ctx, src, false);
    await lstat(resolved);
    return [resolved, await destination(ctx, src, dest)] as const;
  });
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw fromFsError(err, src, 'mv');
    await runner.run('mv', ['--', from, to]);
  }
}

/** Changes permission bits (follows a final symlink, like chmod(1)). */
export async function chmodPath(ctx: FileContext, mode: number, p: string): Promise<void> {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new VmcraftError('EINVAL', `Expected a mode from 0 to 0o7777, got \`${mode}\``);
  await guarded(p, 'chmod', async () => chmod(await writable(ctx, p), mode));
}

/** Changes numeric owner and group (follows a final symlink). */
export async function chownPath(ctx: FileContext, uid: number, gid: number, p: string): Promise<void> {
  await guarded(p, 'chown', async () => chown(await writable(ctx, p), uid, gid));
}

/** Creates a symlink whose target text is `target`, stored as given. */
export async function lnS(ctx: FileContext, target: string, linkname: string): Promise<void> {
  await guarded(linkname, 'lnS', async () => symlink(target, await writable(ctx, linkname, false)));
}

/** Creates a hard link. */
export async function ln(ctx: FileContext, target: string, linkname: string): Promise<void> {
  await guarded(linkname, 'ln', async () => link(await hostPath(ctx, target), await writable(ctx, linkname, false)));
}

/** Creates an empty file or sets the times of an existing one to now. */
export async function touch(ctx: FileContext, p: string): Promise<void> {
  await guarded(p, 'touch', async () => {
    const target = await writable(ctx, p);
    await (await open(target, 'a')).close();
    const now = new Date();
    await utimes(target, now, now);
  });
}

/** Sets a file's size (0 by default). */
export async function truncatePath(ctx: FileContext, p: string, size = 0): Promise<void> {
  if (!Number.isSafeInteger(size) || size < 0) throw new VmcraftError('EINVAL', `Expected a size of 0 or more, got \`${size}\``);
  await guarded(p, 'truncate', async () => {
    const target = await writable(ctx, p);
    await stat(target);
    await truncate(target, size);
  });
}

/** Streams a host file into the guest. */
export async function upload(ctx: FileContext, hostFile: string, p: string): Promise<void> {
  const target = await guarded(p, 'upload', () => writable(ctx, p));
  await pipeline(createReadStream(hostFile, { highWaterMark: STREAM_CHUNK }), createWriteStream(target, { highWaterMark: STREAM_CHUNK }));
}
