/**
 * `vmcraft customize`'s --scrub, --truncate-recursive and the `locked:` password selectors
 * (virt-customize's, with virt-builder's USERS AND PASSWORDS: `locked:` puts `!!` before the
 * hash, `locked` alone and `locked:disabled` give `!!*`), through the built CLI on copies of
 * the Debian fixture, each result checked in the image afterwards; and the scrubFile call
 * under it (read-only sessions, symlinks that try to leave the guest).
 */
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixtures } from '../../fixtures/lib/manifest.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { assertBuiltCliFresh, BUILT_CLI, type CliRun } from '../../helpers/cli.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { GuestFS } from '../../../src/index.js';

let dir: string;
let remove: () => Promise<void>;
let fixture: string;
let n = 0;

beforeAll(async () => {
  await assertBuiltCliFresh(['src']);
  fixture = (await loadFixtures()).debian12!.path;
  ({ dir, remove } = await scratchDir('customize-more'));
});
afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

async function vmcraft(args: string[]): Promise<CliRun> {
  const r = await execa('node', [BUILT_CLI, ...args], { reject: false, env: { TMPDIR: dir }, stdin: 'ignore' });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** A fresh copy of the Debian fixture. */
async function image(): Promise<string> {
  const copy = path.join(dir, `debian-${n++}.qcow2`);
  await copyFile(fixture, copy);
  return copy;
}

/** Runs customize; fails the test with its stderr unless it exits 0. Returns the messages without their time stamps. */
async function customize(args: string[]): Promise<string[]> {
  const r = await vmcraft(['customize', ...args]);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return r.stdout.split('\n').map((l) => l.replace(/^\[ *\d+\.\d\] /, ''));
}

/** A session on `img` with the guest mounted (read-only unless told). */
async function look<T>(img: string, work: (g: GuestFS) => Promise<T>, readonly = true): Promise<T> {
  const g = new GuestFS({ readonly });
  g.addDrive(img);
  await g.launch();
  try {
    const [root] = await g.inspectOs();
    await g.mountRoot(root!);
    return await work(g);
  } finally {
    await g.close();
  }
}

/** The password field of `user` in the image's /etc/shadow. */
const shadowField = (shadow: string, user: string) => shadow.split('\n').find((l) => l.startsWith(`${user}:`))!.split(':')[1]!;

/** How many times `marker` occurs in the bytes of `file` (grep -c counts lines: -o one a match). */
async function occurrences(file: string, marker: string): Promise<number> {
  const r = await execa('grep', ['-a', '-o', '-F', marker, file], { reject: false, encoding: 'buffer' });
  return Buffer.from(r.stdout).toString('latin1').split('\n').filter(Boolean).length;
}

describe('--scrub FILE', () => {
  it('removes the file, and its content can no longer be read from the image', async () => {
    const img = await image();
    // A marker no other byte of the image holds, over 64 KiB (whole blocks, not inline data).
    const marker = `scrub-marker-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const content = marker.repeat(Math.ceil(65536 / marker.length));
    await customize(['-a', img, '--write', `/srv/secret:${content}`]);
    // qcow2 stores data clusters as they are: the marker is in the image file now.
    expect(await occurrences(img, marker)).toBeGreaterThan(100);
    const out = await customize(['-a', img, '--scrub', '/srv/secret']);
    expect(out).toContain('Scrubbing: /srv/secret');
    expect(await look(img, (g) => g.exists('/srv/secret'))).toBe(false);
    expect(await occurrences(img, marker)).toBe(0);
  });

  it('follows a final symlink inside the guest (the target goes, the link stays); directories are refused, nothing written', async () => {
    const img = await image();
    await customize(['-a', img, '--write', '/srv/target:data', '--link', '/srv/target:/srv/link', '--mkdir', '/srv/dir']);
    await customize(['-a', img, '--scrub', '/srv/link']);
    expect(await look(img, async (g) => [await g.exists('/srv/target'), await g.isSymlink('/srv/link')])).toEqual([false, true]);
    const r = await vmcraft(['customize', '-a', img, '--scrub', '/srv/dir']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split('\n')[0]).toMatch(/scrubFile \/srv\/dir: the path is a directory/);
    // A bad path is refused before the image is opened: the image stays as it was.
    const sum = await sha256File(img);
    const bad = await vmcraft(['customize', '-a', img, '--scrub', 'srv/relative']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.split('\n')[0]).toMatch(/--scrub: `srv\/relative` is not an absolute guest path/);
    expect(await sha256File(img)).toBe(sum);
  });
});

describe('scrubFile (the call under --scrub)', () => {
  it('is refused in a read-only session with EREADONLY, and the image stays byte-identical', async () => {
    const img = await image();
    const sum = await sha256File(img);
    await expect(look(img, (g) => g.scrubFile('/etc/hostname'))).rejects.toMatchObject({ code: 'EREADONLY' });
    expect(await sha256File(img)).toBe(sum);
  });

  it('a guest symlink that points at a host path resolves inside the guest: the host file is untouched', async () => {
    const img = await image();
    const canary = path.join(dir, 'host-canary');
    await writeFile(canary, 'host data');
    const missing = await look(img, async (g) => {
      await g.lnS(canary, '/srv/escape');
      await g.lnS(`../../../../../../..${canary}`, '/srv/escape-dots');
      return Promise.all(['/srv/escape', '/srv/escape-dots'].map((p) => g.scrubFile(p).then(() => 'scrubbed', (e: { code: string }) => e.code)));
    }, false);
    expect(missing).toEqual(['ENOENT', 'ENOENT']);
    expect(await readFile(canary, 'utf8')).toBe('host data');
  });
});

describe('--truncate-recursive PATH', () => {
  it('leaves every regular file under PATH zero-length; directories and symlinks stay, and a link out of PATH is not followed', async () => {
    const img = await image();
    await customize(['-a', img,
      '--mkdir', '/data/sub/deeper', '--write', '/data/a:alpha', '--write', '/data/sub/b:beta', '--write', '/data/sub/deeper/c:gamma',
      '--link', '/data/a:/data/sub/to-a', '--link', '/etc:/data/etc', '--link', '/:/data/root']);
    const out = await customize(['-a', img, '--truncate-recursive', '/data']);
    expect(out).toContain('Recursively truncating: /data');
    const seen = await look(img, async (g) => ({
      sizes: await Promise.all(['/data/a', '/data/sub/b', '/data/sub/deeper/c'].map(async (f) => (await g.lstat(f)).size)),
      dirs: await Promise.all(['/data/sub', '/data/sub/deeper'].map((d) => g.isDir(d))),
      links: await Promise.all(['/data/sub/to-a', '/data/etc', '/data/root'].map((l) => g.readlink(l))),
      hostname: await g.read('/etc/hostname', 'utf8'),
    }));
    expect(seen).toEqual({ sizes: [0, 0, 0], dirs: [true, true], links: ['/data/a', '/etc', '/'], hostname: expect.stringMatching(/\S/) });
  });
});

describe('--password / --root-password locked: selectors', () => {
  it('locked:password:, locked:file:, locked:random, locked:disabled and locked: !! before the hash (or !!*)', async () => {
    const img = await image();
    const pwfile = path.join(dir, 'pw');
    await writeFile(pwfile, 'from-file\nsecond line\n');
    const out = await customize(['-a', img,
      '--root-password', 'locked:password:se:cret',
      '--password', `daemon:locked:file:${pwfile}`,
      '--password', 'bin:locked:random',
      '--password', 'sys:locked:disabled',
      '--password', 'sync:locked',
      '--password', 'games:lock:password:x']);
    const random = out.find((l) => l.startsWith('Setting random password of bin to '))!.slice('Setting random password of bin to '.length);
    const shadow = await look(img, (g) => g.read('/etc/shadow', 'utf8'));
    // Each hash checks against its password (colons after password: are part of it, as virt-builder reads it).
    const matches = async (field: string, password: string) => {
      expect(field).toMatch(/^!!\$6\$/);
      const salt = field.slice(2).split('$')[2]!;
      return (await execa('openssl', ['passwd', '-6', '-salt', salt, '-stdin'], { input: password })).stdout.trim() === field.slice(2);
    };
    expect(await matches(shadowField(shadow, 'root'), 'se:cret')).toBe(true);
    expect(await matches(shadowField(shadow, 'daemon'), 'from-file')).toBe(true);
    expect(await matches(shadowField(shadow, 'bin'), random)).toBe(true);
    expect(await matches(shadowField(shadow, 'games'), 'x')).toBe(true);
    expect(shadowField(shadow, 'sys')).toBe('!!*');
    expect(shadowField(shadow, 'sync')).toBe('!!*');
    // The plain selectors still mean what they did: not locked.
    await customize(['-a', img, '--root-password', 'password:open', '--password', 'sys:disabled']);
    const after = await look(img, (g) => g.read('/etc/shadow', 'utf8'));
    expect(await matches(`!!${shadowField(after, 'root')}`, 'open')).toBe(true);
    expect(shadowField(after, 'sys')).toBe('*');
  });

  it('a bad selector after locked: is bad usage (exit 2, the value not shown), before anything is written', async () => {
    const img = await image();
    const sum = await sha256File(img);
    const r = await vmcraft(['customize', '-a', img, '--touch', '/etc/first', '--root-password', 'locked:hunter2']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/--root-password: the selector is password:PASSWORD, .*locked:/);
    expect(r.stderr).not.toContain('hunter2');
    expect(await sha256File(img)).toBe(sum);
  });
});
