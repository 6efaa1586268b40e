/**
 * A canary tree on the host, outside the guest root, and a guest full of
 * symlinks aiming at it: no file call, whatever its arguments, may read,
 * write, chmod, chown, delete or list the canary. The calls are GuestFS's on
 * a session over a copy of the plain fixture; libguestfs' lchown, ln, rm_f,
 * cp_r and lstatnslist, which GuestFS has no method for, are the fs
 * functions on the session's file context.
 */
import { lstat, mkdir, readdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chownPath } from '../../../src/fs/files/attrs.js';
import type { FileContext } from '../../../src/fs/files/context.js';
import { lstatList } from '../../../src/fs/files/stat.js';
import { cpR, ln, rmFile } from '../../../src/fs/files/tree.js';
import type { GuestFS } from '../../../src/index.js';
import { scratchDir } from '../../helpers/images.js';
import { closePlain, mountedPlain, plainImage } from '../../helpers/plain-guest.js';

const SECRET = 'host canary: never to be read or changed through a guest path\n';
let dir: string;
let remove: () => Promise<void>;
let g: GuestFS;
let ctx: FileContext;
let root: string;
let hostDir: string;
let canary: string;

/** Every entry below the canary directory with its content and metadata. */
async function snapshot(at: string): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const name of (await readdir(at)).sort()) {
    const file = path.join(at, name);
    const s = await lstat(file);
    out.push({ name, mode: s.mode, uid: s.uid, gid: s.gid, ino: s.ino, nlink: s.nlink, mtime: s.mtimeMs, ctime: s.ctimeMs });
    if (s.isDirectory()) out.push(await snapshot(file));
    else out.push(await readFile(file, 'utf8'));
  }
  return out;
}

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('fs-confine'));
  hostDir = path.join(dir, 'host');
  canary = path.join(hostDir, 'canary');
  await mkdir(path.join(hostDir, 'keep'), { recursive: true });
  await writeFile(canary, SECRET, { mode: 0o600 });
  await writeFile(path.join(hostDir, 'keep', 'inner'), SECRET);
  await utimes(canary, new Date('2001-02-03'), new Date('2001-02-03'));
  ({ g, root } = await mountedPlain(await plainImage(dir, 'guest.raw'), { tmpDir: dir }));
  ctx = g.fileContext();
  const up = '../'.repeat(12);
  await mkdir(path.join(root, 'etc'));
  await writeFile(path.join(root, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
  for (const [link, target] of [
    ['abs', canary],
    ['rel', `${up}${canary.slice(1)}`],
    ['hostdir', hostDir],
    ['hostdir-rel', `${up}${hostDir.slice(1)}`],
    ['etc/deep', `../${up}${canary.slice(1)}`],
  ]) await symlink(target!, path.join(root, link!));
  await mkdir(path.join(root, 'dst'));
  await symlink(canary, path.join(root, 'dst', 'canary'));
  await mkdir(path.join(root, 'src'));
  await writeFile(path.join(root, 'src', 'canary'), 'guest data\n');
});
afterAll(() => closePlain(g, dir, remove));

describe('guest paths never reach a host file', () => {
  it('leaves the canary tree untouched through every call', async () => {
    const before = await snapshot(hostDir);
    const hostUpload = path.join(dir, 'upload-src');
    await writeFile(hostUpload, 'PWNED by upload\n');
    const downloaded = path.join(dir, 'downloaded');
    const escapes = ['/abs', '/rel', '/etc/deep', '/hostdir/canary', '/hostdir-rel/canary', `/..${canary}`, `/etc/../../..${canary}`];
    const dirs = ['/hostdir', '/hostdir-rel', '/hostdir/keep', `/../..${hostDir}`];
    // Following a link that aims at the host looks inside the guest, where there is nothing yet.
    for (const p of escapes) expect([p, await g.isFile(p, { followSymlinks: true })]).toEqual([p, false]);
    for (const d of dirs) expect([d, await g.isDir(d, { followSymlinks: true })]).toEqual([d, false]);
    // A write through an escaping link lands inside the guest, at the re-rooted path (chroot semantics).
    await g.mkdirP(hostDir);
    await g.write('/abs', 'redirected\n');
    expect(await readFile(path.join(root, canary), 'utf8')).toBe('redirected\n');
    const readResults: unknown[] = [];
    const attempt = async (fn: () => Promise<unknown>) => {
      try {
        readResults.push(await fn());
      } catch {
        // Failing is fine; changing or revealing the canary is not.
      }
    };
    for (const p of escapes) {
      await attempt(() => g.read(p, 'utf8'));
      await attempt(() => g.readLines(p));
      await attempt(() => g.isFile(p, { followSymlinks: true }));
      await attempt(() => g.checksum('sha256', p));
      await attempt(() => g.download(p, downloaded).then(() => readFile(downloaded, 'utf8')));
      await attempt(() => g.cp(p, '/stolen').then(() => g.read('/stolen', 'utf8')));
      await attempt(() => g.cpA(p, '/stolen-a').then(() => g.read('/stolen-a', 'utf8')));
      await attempt(() => g.write(p, 'PWNED by write\n'));
      await attempt(() => g.writeAppend(p, 'PWNED by append\n'));
      await attempt(() => g.truncate(p, 1));
      await attempt(() => g.touch(p));
      await attempt(() => g.chmod(0o777, p));
      await attempt(() => g.chown(1234, 1234, p));
      await attempt(() => chownPath(ctx, 1234, 1234, p, false));
      await attempt(() => g.upload(hostUpload, p));
      await attempt(() => g.cp('/etc/passwd', p));
      await attempt(() => ln(ctx, '/etc/passwd', p));
      await attempt(() => ln(ctx, p, '/hard'));
      await attempt(() => g.mv('/src/canary', p).then(() => g.write('/src/canary', 'guest data\n')));
      await attempt(() => g.rm(p));
      await attempt(() => rmFile(ctx, p, true));
    }
    for (const d of dirs) {
      await attempt(() => g.ls(d));
      await attempt(() => g.isDir(d, { followSymlinks: true }));
      await attempt(() => g.find(d));
      await attempt(() => g.globExpand(`${d}/*`));
      await attempt(() => lstatList(ctx, d, ['canary', 'keep']));
      await attempt(() => g.findModifiedSince(d, new Date(0)));
      await attempt(() => g.du(d));
      await attempt(() => g.cp('/etc/passwd', d));
      await attempt(() => g.cpA('/src', d));
      await attempt(() => g.cpA('/src/canary', d));
      await attempt(() => cpR(ctx, '/src', d));
      await attempt(() => g.mv('/src', d).then(() => g.mkdirP('/src')).then(() => g.write('/src/canary', 'guest data\n')));
      await attempt(() => g.mkdir(`${d}/new`));
      await attempt(() => g.mkdirP(`${d}/new/deeper`));
      await attempt(() => g.lnS('x', `${d}/link`));
      await attempt(() => g.rmdir(`${d}/keep`));
      await attempt(() => g.rmRf(`${d}/keep`));
      await attempt(() => g.rmRf(d));
    }
    // cp -a into a directory whose entry of that name is a symlink to the host.
    await attempt(() => g.cpA('/src/canary', '/dst'));
    await attempt(() => cpR(ctx, '/src/canary', '/dst'));
    await attempt(() => g.cpA('/src', '/'));
    await attempt(() => g.globExpand('/*/canary'));
    await attempt(() => g.globExpand('/**'));

    expect(await snapshot(hostDir)).toEqual(before);
    const revealed = JSON.stringify(readResults);
    expect(revealed).not.toContain('host canary');
    const guestDev = (await lstat(root)).dev;
    for (const p of escapes) {
      const st = await g.stat(p).catch(() => undefined);
      if (st) expect(st.dev).toBe(guestDev);
    }
    expect(revealed).not.toContain('"keep"');
  });
});
