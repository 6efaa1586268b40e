/**
 * Sessions over copies of the `plain` fixture (a whole-disk ext4 with
 * /data/readme.txt, no OS), its filesystem mounted at the guest's `/`: what
 * the file-call suites (test/integration/fs/) run on. They set up what a call
 * cannot make (device nodes, owners, times, symlinks aiming at the host)
 * through `root`, the host directory the guest's `/` is mounted on.
 */
import path from 'node:path';
import { execa } from 'execa';
import { expect } from 'vitest';
import { GuestFS } from '../../src/index.js';
import { loadFixtures } from '../fixtures/lib/manifest.js';
import { findLeftovers, NOTHING_LEFT } from './leaks.js';

/**
 * Copies the plain fixture to `dir/name` (sparse); with `sizeMiB`, the copy and
 * its filesystem are grown to that size (more blocks and inodes).
 */
export async function plainImage(dir: string, name: string, sizeMiB?: number): Promise<string> {
  const copy = path.join(dir, name);
  await execa('cp', ['--sparse=always', (await loadFixtures()).plain!.path, copy]);
  if (sizeMiB) {
    await execa('truncate', ['-s', `${sizeMiB}M`, copy]);
    // resize2fs wants a freshly checked filesystem; e2fsck exits 1 when it only fixed counts.
    const check = await execa('e2fsck', ['-f', '-y', copy], { reject: false });
    if ((check.exitCode ?? 8) > 1) throw new Error(`e2fsck ${copy} failed: ${check.stderr || check.stdout}`);
    await execa('resize2fs', [copy]);
  }
  return copy;
}

/** A session with the first image's filesystem mounted at `/`. */
export interface PlainGuest {
  g: GuestFS;
  /** Host directory of the guest's `/` (for setting up what no call makes). */
  root: string;
}

/**
 * Opens `images` as raw drives (`/dev/sda`, `/dev/sdb`, …) and mounts
 * `/dev/sda` at `/`; the caller closes the session.
 */
export async function mountedPlain(images: string | string[], options: { tmpDir: string; readonly?: boolean }): Promise<PlainGuest> {
  const g = await GuestFS.open(images, { format: 'raw', ...options });
  try {
    await g.mount('/dev/sda', '/');
  } catch (err) {
    await g.close();
    throw err;
  }
  return { g, root: g.mountTable.rootDir() };
}

/**
 * The end of a suite: closes the session, runs `check` (e.g. the image's
 * checksum), asserts that nothing is left in `dir`, and removes `dir` whatever failed.
 */
export async function closePlain(g: GuestFS | undefined, dir: string, remove: () => Promise<void>, check?: () => Promise<void>): Promise<void> {
  try {
    await g?.close();
    await check?.();
    expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  } finally {
    await remove();
  }
}
