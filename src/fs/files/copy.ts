/**
 * Copying trees between the host and the guest (libguestfs `copy_in`/
 * `copy_out`), made of the tar calls: the host side is packed or unpacked
 * here, in the caller's process, and the guest side is `tarIn`/`tarOut` —
 * which a VM-mode session runs in its VM, the archive crossing its share as
 * one regular file. Owners, modes, symlinks (as links), hard links and xattrs are kept.
 */
import { lstat, mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { VmcraftError } from '../../core/errors.js';
import type { Runner } from '../../core/exec.js';
import type { GuestPath } from '../names.js';
import { dropDeviceNodes, moveInto } from './merge.js';
import { extractTar, notHostDir, type TarAttrOptions } from './tar.js';

/** The calls a copy is made of (the session's own, proxied in VM mode). */
export interface CopyParts {
  runner: Runner;
  /** Where the archive is kept meanwhile (the session's tmpDir). */
  tmpDir?: string;
  isDir(path: GuestPath, options?: { followSymlinks?: boolean }): Promise<boolean>;
  isFile(path: GuestPath, options?: { followSymlinks?: boolean }): Promise<boolean>;
  tarIn(tarfile: string, dir: GuestPath, options?: TarAttrOptions): Promise<void>;
  tarOut(dir: GuestPath, tarfile: string, options?: TarAttrOptions & { numericOwner?: boolean }): Promise<void>;
  download(path: GuestPath, hostFile: string): Promise<void>;
  /** Told what a copy left out. */
  warn?(message: string): void;
}

/** What copies keep besides owners and modes. */
const KEEP: TarAttrOptions = { xattrs: true, acls: true };

/** Runs `fn` with the path of an archive in a private temporary directory, removed afterwards. */
async function withArchive<T>(parts: CopyParts, fn: (tarfile: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(parts.tmpDir ?? os.tmpdir(), 'vmcraft-copy-'));
  try {
    return await fn(path.join(dir, 'tree.tar'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function isHostDir(hostPath: string): Promise<boolean> {
  return (await lstat(hostPath).catch(() => undefined))?.isDirectory() ?? false;
}

/** The last name of a guest path, or undefined for the root. */
function guestBasename(p: GuestPath): string | undefined {
  const text = typeof p === 'string' ? p : Buffer.from(p).toString('utf8');
  return text.split('/').filter((c) => c !== '' && c !== '.').at(-1);
}

/**
 * Copies the host file or tree `localPath` (its last name kept) into the
 * existing guest directory `guestDir` (libguestfs `copy_in`). A symlink
 * `localPath` is copied as a link.
 */
export async function copyIn(parts: CopyParts, localPath: string, guestDir: GuestPath): Promise<void> {
  await lstat(localPath).catch(() => {
    throw new VmcraftError('ENOENT', `copyIn: no such host file or directory ${localPath}`, { path: localPath });
  });
  if (!(await parts.isDir(guestDir, { followSymlinks: true }))) throw new VmcraftError('ENOTDIR', `copyIn: the guest target ${String(guestDir)} is not a directory`);
  await withArchive(parts, async (tarfile) => {
    const absolute = path.resolve(localPath);
    await parts.runner.run('tar', ['-C', path.dirname(absolute), '-cf', tarfile, '--numeric-owner', '--xattrs', '--xattrs-include=*', '--acls', '--', path.basename(absolute)], { timeoutMs: 3_600_000 });
    await parts.tarIn(tarfile, guestDir, KEEP);
  });
}

/**
 * Copies the guest file or tree `guestPath` into the existing host directory
 * `localDir` as `localDir/<its name>` (libguestfs `copy_out`; the guest root's
 * content goes into `localDir` itself). The file, or the guest's archive
 * unpacked with GNU tar's guards, is made in a private directory, then moved
 * into place without writing through a symlink already there (see
 * merge.ts): nothing lands outside `localDir`, and a guest symlink is made
 * as a link, never followed.
 * Device nodes are left out (a `log` warning names them): on the host they
 * would name the host's devices.
 */
export async function copyOut(parts: CopyParts, guestPath: GuestPath, localDir: string): Promise<void> {
  if (!(await isHostDir(localDir))) throw notHostDir('copyOut', localDir);
  const name = guestBasename(guestPath);
  if (name === '..') throw new VmcraftError('EINVAL', `copyOut: name the directory itself, not ${String(guestPath)}`);
  const isFile = await parts.isFile(guestPath, { followSymlinks: true });
  if (!isFile && !(await parts.isDir(guestPath, { followSymlinks: true }))) throw new VmcraftError('EINVAL', `copyOut: ${String(guestPath)} is not a file or directory`);
  // Made in a private (0700) directory next to its place, on the same filesystem, then moved.
  const staging = await mkdtemp(path.join(localDir, '.vmcraft-copy-out-'));
  try {
    if (isFile) await parts.download(guestPath, path.join(staging, name!));
    else {
      const into = name === undefined ? staging : path.join(staging, name);
      if (into !== staging) await mkdir(into);
      await withArchive(parts, async (tarfile) => {
        await parts.tarOut(guestPath, tarfile, { ...KEEP, numericOwner: true });
        await extractTar(parts.runner, tarfile, into, KEEP);
      });
    }
    const dropped = await dropDeviceNodes(Buffer.from(staging));
    if (dropped.length > 0) parts.warn?.(`copyOut ${String(guestPath)}: device nodes not made on the host (they would name the host's devices): ${dropped.join(', ')}`);
    await moveInto(Buffer.from(staging), Buffer.from(localDir), async (src, dst) => {
      await parts.runner.run('cp', ['-a', '-T', '--', src.toString(), dst.toString()]);
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
