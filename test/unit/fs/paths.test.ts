import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestPathOf, MAX_SYMLINKS, resolveGuestPath, splitGuestPath } from '../../../src/fs/paths.js';

let base: string;
let root: string;
let canary: string;

const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code);
const inside = (p: string) => p === root || p.startsWith(`${root}/`);

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-paths-'));
  root = path.join(base, 'root');
  canary = path.join(base, 'host', 'canary');
  await mkdir(path.dirname(canary), { recursive: true });
  await writeFile(canary, 'host file');
  await mkdir(path.join(root, 'etc/ssh'), { recursive: true });
  await mkdir(path.join(root, 'usr/share/zoneinfo'), { recursive: true });
  await writeFile(path.join(root, 'usr/share/zoneinfo/UTC'), 'tz');
  await writeFile(path.join(root, 'etc/passwd'), 'root:x:0:0');
  const links: [string, string][] = [
    ['etc/localtime', '/usr/share/zoneinfo/UTC'],
    ['etc/abs-escape', canary],
    ['etc/rel-escape', `../../../../../../../../..${canary}`],
    ['etc/rel-inside', '../usr/share/zoneinfo/UTC'],
    ['etc/to-root', '/'],
    ['etc/dotdot', '..'],
    ['etc/dangling', '/nowhere/at/all'],
    ['etc/empty-target', ''],
    ['conf', '/etc'],
    ['up', '../../../../..'],
    ['host-dir', path.dirname(canary)],
    ['loop-a', 'loop-b'],
    ['loop-b', 'loop-a'],
    ['self', 'self'],
    ['chain-0', '/etc/passwd'],
  ];
  for (let i = 1; i <= MAX_SYMLINKS; i++) links.push([`chain-${i}`, `chain-${i - 1}`]);
  for (const [link, target] of links) await symlink(target, path.join(root, link)).catch(async (err: NodeJS.ErrnoException) => {
    // symlink(2) refuses an empty target; ext4 images made elsewhere can still hold one.
    if (err.code !== 'ENOENT' || target !== '') throw err;
  });
  await mkdir(path.join(root, 'Windows/System32/config'), { recursive: true });
  await writeFile(path.join(root, 'Windows/System32/config/SOFTWARE'), 'hive');
  await mkdir(path.join(root, 'Both'));
  await mkdir(path.join(root, 'both'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('splitGuestPath', () => {
  it('rejects relative, empty and NUL-containing paths with EINVAL', () => {
    for (const bad of ['', 'etc/passwd', './etc', '/etc/\0passwd', 42 as unknown as string]) {
      expect(() => splitGuestPath(bad)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    }
    expect(splitGuestPath('//etc/./ssh//../x/').map(String)).toEqual(['etc', 'ssh', '..', 'x']);
  });
});

describe('resolveGuestPath', () => {
  const resolve = (p: string, options?: Parameters<typeof resolveGuestPath>[2]) => resolveGuestPath(root, p, options);

  it('maps plain and missing paths below the root', async () => {
    expect(await resolve('/')).toBe(root);
    expect(await resolve('/etc/passwd')).toBe(`${root}/etc/passwd`);
    expect(await resolve('/etc/new/deeper/file')).toBe(`${root}/etc/new/deeper/file`);
    expect(await resolve('/missing/../etc/passwd')).toBe(`${root}/etc/passwd`);
  });

  it('keeps .. at the root', async () => {
    expect(await resolve('/..')).toBe(root);
    expect(await resolve('/../../../../etc/passwd')).toBe(`${root}/etc/passwd`);
    expect(await resolve('/etc/ssh/../../../../..')).toBe(root);
    expect(await resolve(`/../..${canary}`)).toBe(`${root}${canary}`);
  });

  it('re-roots absolute symlink targets and resolves relative ones from the link', async () => {
    expect(await resolve('/etc/localtime')).toBe(`${root}/usr/share/zoneinfo/UTC`);
    expect(await resolve('/etc/rel-inside')).toBe(`${root}/usr/share/zoneinfo/UTC`);
    expect(await resolve('/etc/abs-escape')).toBe(`${root}${canary}`);
    expect(await resolve('/etc/rel-escape')).toBe(`${root}${canary}`);
    expect(await resolve('/etc/to-root')).toBe(root);
    expect(await resolve('/etc/dotdot/etc/passwd')).toBe(`${root}/etc/passwd`);
    expect(await resolve('/etc/dangling')).toBe(`${root}/nowhere/at/all`);
  });

  it('follows symlinked parent directories inside the root', async () => {
    expect(await resolve('/conf/passwd')).toBe(`${root}/etc/passwd`);
    expect(await resolve('/conf/localtime')).toBe(`${root}/usr/share/zoneinfo/UTC`);
    expect(await resolve('/up/etc/passwd')).toBe(`${root}/etc/passwd`);
    expect(await resolve('/host-dir/canary')).toBe(`${root}${canary}`);
    expect(await resolve('/conf/to-root/conf/../etc/ssh')).toBe(`${root}/etc/ssh`);
    // `link/..` is the parent of the link's target, not the link's own directory.
    expect(await resolve('/etc/localtime/..')).toBe(`${root}/usr/share/zoneinfo`);
  });

  it('leaves a final symlink alone with followFinal: false, unless a trailing slash asks for it', async () => {
    expect(await resolve('/etc/abs-escape', { followFinal: false })).toBe(`${root}/etc/abs-escape`);
    expect(await resolve('/conf/localtime', { followFinal: false })).toBe(`${root}/etc/localtime`);
    expect(await resolve('/conf/', { followFinal: false })).toBe(`${root}/etc`);
    expect(await resolve('/conf/.', { followFinal: false })).toBe(`${root}/etc`);
  });

  it('follows at most 40 links, then fails with ELOOP', async () => {
    expect(await resolve(`/chain-${MAX_SYMLINKS - 1}`)).toBe(`${root}/etc/passwd`);
    expect(await code(resolve(`/chain-${MAX_SYMLINKS}`))).toBe('ELOOP');
    expect(await code(resolve('/loop-a'))).toBe('ELOOP');
    expect(await code(resolve('/self/x'))).toBe('ELOOP');
    expect(await resolve('/loop-a', { followFinal: false })).toBe(`${root}/loop-a`);
  });

  it('rejects bad guest paths with EINVAL', async () => {
    for (const bad of ['', 'etc', 'etc/../..', '/etc/pass\0wd']) expect(await code(resolve(bad))).toBe('EINVAL');
  });

  it('matches case-insensitively only when asked, preferring the exact name', async () => {
    expect(await resolve('/windows/system32/CONFIG/software')).toBe(`${root}/windows/system32/CONFIG/software`);
    expect(await resolve('/windows/system32/CONFIG/software', { caseInsensitive: true })).toBe(`${root}/Windows/System32/config/SOFTWARE`);
    expect(await resolve('/WINDOWS/new-dir/File', { caseInsensitive: true })).toBe(`${root}/Windows/new-dir/File`);
    expect(await resolve('/both', { caseInsensitive: true })).toBe(`${root}/both`);
    expect(await resolve('/Both', { caseInsensitive: true })).toBe(`${root}/Both`);
    expect(await resolve('/CONF/PASSWD', { caseInsensitive: true })).toBe(`${root}/etc/passwd`);
  });

  it('never leaves the root, whatever symlinks a random tree holds', async () => {
    const fuzzRoot = path.join(base, 'fuzz');
    let seed = 0x2545f491;
    // mulberry32: a small deterministic PRNG, so a failure can be replayed.
    const random = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return (((t ^ (t >>> 14)) >>> 0) % n);
    };
    const dirs = ['', 'a', 'a/b', 'c'];
    const names = ['a', 'b', 'c', '..', '.', 'host', 'l0', 'l1', 'l2', 'l3', 'l4', 'l5'];
    const pathOf = (depth: number) => Array.from({ length: depth }, () => names[random(names.length)]).join('/');
    for (const dir of dirs) await mkdir(path.join(fuzzRoot, dir), { recursive: true });
    for (const dir of dirs) {
      for (let i = 0; i < 6; i++) {
        const target = random(2) ? `/${pathOf(random(4))}` : `${'../'.repeat(random(6))}${pathOf(random(4))}` || '.';
        await symlink(target, path.join(fuzzRoot, dir, `l${i}`));
      }
    }
    let viaLinks = 0;
    for (let i = 0; i < 3000; i++) {
      const guest = `/${pathOf(1 + random(7))}`;
      const result = await resolveGuestPath(fuzzRoot, guest, { followFinal: random(2) === 1 }).catch((e: { code: string }) => e.code);
      if (result === 'ELOOP') continue;
      expect(result === fuzzRoot || result.startsWith(`${fuzzRoot}/`), `${guest} → ${result}`).toBe(true);
      if (result !== path.join(fuzzRoot, path.posix.normalize(guest))) viaLinks++;
    }
    // Most paths went through at least one symlink, so the test did test something.
    expect(viaLinks).toBeGreaterThan(1000);
  });

  it('never returns the canary, whatever the spelling', async () => {
    const spellings = ['/etc/abs-escape', '/etc/rel-escape', '/host-dir/canary', `/up${canary}`, `/..${canary}`, `/conf/../..${canary}`, `/etc/to-root/..${canary}`];
    for (const s of spellings) {
      const resolved = await resolve(s);
      expect(resolved).not.toBe(canary);
      expect(inside(resolved)).toBe(true);
    }
  });
});

describe('guestPathOf', () => {
  it('maps host paths below the root back to guest paths', () => {
    expect(guestPathOf(root, root)).toBe('/');
    expect(guestPathOf(root, `${root}/`)).toBe('/');
    expect(guestPathOf(root, `${root}/etc/passwd`)).toBe('/etc/passwd');
    expect(guestPathOf(root, `${root}/..hidden`)).toBe('/..hidden');
  });

  it('refuses host paths outside the root with EPATHESCAPE', () => {
    for (const outside of [canary, base, `${root}2/etc`, `${root}/../host`]) {
      expect(() => guestPathOf(root, outside)).toThrow(expect.objectContaining({ code: 'EPATHESCAPE' }));
    }
  });
});
