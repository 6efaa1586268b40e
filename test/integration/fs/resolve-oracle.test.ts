/**
 * resolveGuestPath against the kernel: a process chrooted into a random tree
 * of symlinks stats the same guest paths, and every path the kernel resolves
 * must name the same inode (dev:ino) as ours; a kernel ELOOP must be ours too.
 */
import { lstat, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveGuestPath } from '../../../src/fs/paths.js';
import { scratchDir } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;
let root: string;
let paths: string[];

/** Stats each path (lstat when the line starts with `-`) inside a chroot; prints dev:ino or the errno name. */
const CHROOTED_STAT = `
import errno, os, sys
root = sys.argv[1]
lines = sys.stdin.read().split('\\n')
os.chroot(root); os.chdir('/')
for line in lines:
    if not line: continue
    follow = not line.startswith('-')
    try:
        s = os.stat(line.lstrip('-'), follow_symlinks=follow)
        print(f'{s.st_dev}:{s.st_ino}')
    except OSError as e:
        print(errno.errorcode[e.errno])
`;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('fs-oracle'));
  root = path.join(dir, 'root');
  let seed = 0x1234abcd;
  const random = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const names = ['a', 'b', 'c', 'f', '..', '.', 'l0', 'l1', 'l2', 'l3'];
  const pathOf = (depth: number) => Array.from({ length: depth }, () => names[random(names.length)]).join('/');
  for (const d of ['', 'a', 'a/b', 'c', 'c/a']) {
    await mkdir(path.join(root, d), { recursive: true });
    await writeFile(path.join(root, d, 'f'), d);
    for (let i = 0; i < 4; i++) {
      const target = random(2) ? `/${pathOf(random(4))}` : `${'../'.repeat(random(5))}${pathOf(1 + random(3))}`;
      await symlink(target, path.join(root, d, `l${i}`));
    }
  }
  paths = Array.from({ length: 4000 }, () => `${random(2) ? '' : '-'}/${pathOf(1 + random(6))}`);
});
afterAll(async () => {
  await remove();
});

describe('resolveGuestPath agrees with the kernel in a chroot', () => {
  it('names the same inode for every path the kernel resolves', async () => {
    const { stdout } = await execa('python3', ['-c', CHROOTED_STAT, root], { input: paths.join('\n') });
    const kernel = stdout.trim().split('\n');
    expect(kernel).toHaveLength(paths.length);
    let compared = 0;
    for (const [i, line] of paths.entries()) {
      const followFinal = !line.startsWith('-');
      const guest = line.replace(/^-/, '');
      const ours = await resolveGuestPath(root, guest, { followFinal }).catch((e: { code: string }) => e.code);
      const expected = kernel[i]!;
      if (expected === 'ELOOP') {
        expect([guest, ours]).toEqual([guest, 'ELOOP']);
        compared++;
      } else if (/^\d+:\d+$/.test(expected)) {
        const s = await lstat(ours);
        expect([line, `${s.dev}:${s.ino}`]).toEqual([line, expected]);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(700);
  });
});
