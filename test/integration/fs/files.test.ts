/**
 * The file calls of GuestFS on a real session: a copy of the plain fixture
 * (ext4) mounted at `/`, a second one at `/mnt` (moves across filesystems)
 * and a third read-only at `/ro-mount`. The few libguestfs file calls GuestFS
 * has no method for (lstatnslist, is_chardev…, rm_f, cp_r, ln, lchown) are
 * checked as the fs functions on the session's file context.
 */
import { randomBytes } from 'node:crypto';
import { chown, lstat, mkdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VmcraftError } from '../../../src/core/errors.js';
import { chownPath } from '../../../src/fs/files/attrs.js';
import type { FileContext } from '../../../src/fs/files/context.js';
import { isType, lstatList } from '../../../src/fs/files/stat.js';
import { cpR, ln, rmFile } from '../../../src/fs/files/tree.js';
import { GuestFS } from '../../../src/index.js';
import { scratchDir } from '../../helpers/images.js';
import { closePlain, mountedPlain, plainImage } from '../../helpers/plain-guest.js';

let dir: string;
let remove: () => Promise<void>;
let g: GuestFS;
let root: string;
let ctx: FileContext;
const traced: string[][] = [];

const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code);
const host = (guest: string) => path.join(root, guest);

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('fs-files'));
  const images = [await plainImage(dir, 'root.raw'), await plainImage(dir, 'mnt.raw'), await plainImage(dir, 'ro.raw')];
  ({ g, root } = await mountedPlain(images, { tmpDir: dir }));
  g.on('trace', (e) => traced.push(e.argv));
  ctx = g.fileContext();
});
afterAll(() => closePlain(g, dir, remove));

describe('content', () => {
  it('writes, appends and reads back bytes, text and lines', async () => {
    const bytes = Buffer.from([0, 1, 2, 255, 0, 10]);
    await g.write('/bin.dat', bytes);
    expect(await readFile(host('bin.dat'))).toEqual(bytes);
    expect(await g.read('/bin.dat')).toEqual(bytes);
    await g.write('/text', 'one\r\ntwo\n\n');
    await g.writeAppend('/text', Buffer.from('four'));
    await g.writeAppend('/new-by-append', 'x');
    expect(await g.read('/text', 'utf8')).toBe('one\r\ntwo\n\nfour');
    expect(await g.readLines('/text')).toEqual(['one', 'two', '', 'four']);
    expect(await g.read('/new-by-append', 'utf8')).toBe('x');
    expect((await lstat(host('text'))).mode & 0o777).toBe(0o644);
    await g.write('/text', '');
    expect(await g.readLines('/text')).toEqual([]);
    expect(await code(g.read('/nope'))).toBe('ENOENT');
    expect(await code(g.read('/'))).toBe('EISDIR');
    expect(await code(g.write('/nodir/file', 'x'))).toBe('ENOENT');
  });

  it('touches and truncates regular files only', async () => {
    await g.touch('/touched');
    expect((await lstat(host('touched'))).size).toBe(0);
    await utimes(host('touched'), new Date('2001-01-01'), new Date('2001-01-01'));
    await g.touch('/touched');
    expect((await lstat(host('touched'))).mtime.getFullYear()).toBeGreaterThan(2020);
    await symlink('touched', host('touch-link'));
    expect(await code(g.touch('/touch-link'))).toBe('EINVAL');
    expect(await code(g.touch('/lost+found'))).toBe('EINVAL');
    await g.write('/trunc', '123456789');
    await g.truncate('/trunc', 4);
    expect(await readFile(host('trunc'), 'utf8')).toBe('1234');
    await g.truncate('/trunc', 8 * 1024 * 1024);
    const grown = await lstat(host('trunc'));
    expect(grown.size).toBe(8 * 1024 * 1024);
    expect(grown.blocks * 512).toBeLessThan(1024 * 1024); // sparse, like libguestfs truncate_size
    await g.truncate('/trunc');
    expect((await lstat(host('trunc'))).size).toBe(0);
    expect(await code(g.truncate('/not-there'))).toBe('ENOENT');
    expect(await code(g.truncate('/trunc', -1))).toBe('EINVAL');
    expect(await code(g.truncate('/trunc', 1.5))).toBe('EINVAL');
  });

  it('uploads, downloads and checksums like the host tools, streamed', async () => {
    const original = path.join(dir, 'upload.bin');
    await writeFile(original, randomBytes(3 * 1024 * 1024 + 17));
    await g.upload(original, '/up.bin');
    const back = path.join(dir, 'download.bin');
    await g.download('/up.bin', back);
    expect((await readFile(back)).equals(await readFile(original))).toBe(true);
    for (const algo of ['md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'] as const) {
      const { stdout } = await execa(`${algo}sum`, [host('up.bin')]);
      expect(await g.checksum(algo, '/up.bin')).toBe(stdout.split(' ')[0]);
    }
    for (const file of ['up.bin', 'text', 'bin.dat']) {
      const { stdout } = await execa('cksum', [host(file)]);
      expect(await g.checksum('crc', `/${file}`)).toBe(stdout.split(' ')[0]);
    }
    expect(await code(g.checksum('sha999' as never, '/up.bin'))).toBe('EINVAL');
    expect(await code(g.download('/lost+found', back))).toBe('EISDIR');
    expect(await code(g.upload(path.join(dir, 'no-such-host-file'), '/never'))).toBe('ENOENT');
    expect(await g.exists('/never')).toBe(false);
  });

  // libguestfs compares the checksum type with strcasecmp.
  it('takes checksum algorithm names in any case, as libguestfs does', async () => {
    expect(await g.checksum('SHA256' as never, '/up.bin')).toBe(await g.checksum('sha256', '/up.bin'));
  });

  it('never opens device nodes or FIFOs (they would be the host\'s)', async () => {
    await mkdir(host('dev'));
    await execa('mknod', [host('dev/zero'), 'c', '1', '5']);
    await execa('mknod', [host('dev/null'), 'c', '1', '3']);
    await execa('mknod', [host('dev/loop-node'), 'b', '7', '0']);
    await execa('mkfifo', [host('dev/fifo')]);
    for (const p of ['/dev/zero', '/dev/loop-node', '/dev/fifo']) {
      expect(await code(g.read(p))).toBe('EINVAL');
      expect(await code(g.checksum('md5', p))).toBe('EINVAL');
      expect(await code(g.download(p, path.join(dir, 'dev-out')))).toBe('EINVAL');
    }
    for (const p of ['/dev/null', '/dev/loop-node', '/dev/fifo']) {
      expect(await code(g.write(p, 'x'))).toBe('EINVAL');
      expect(await code(g.writeAppend(p, 'x'))).toBe('EINVAL');
      expect(await code(g.truncate(p))).toBe('EINVAL');
      expect(await code(g.cp('/text', p))).toBe('EINVAL');
    }
    expect(await code(g.cp('/dev/zero', '/zero-copy'))).toBe('EINVAL');
    expect(await g.exists('/zero-copy')).toBe(false);
  });
});

describe('information', () => {
  it('stats with real modes, owners, links and times', async () => {
    await g.write('/owned', '12345');
    await chown(host('owned'), 1234, 5678);
    const st = await g.stat('/owned');
    const real = await lstat(host('owned'));
    expect(st).toMatchObject({ type: 'file', size: 5, uid: 1234, gid: 5678, perms: 0o644, mode: real.mode, ino: real.ino, nlink: 1, dev: real.dev, blocks: real.blocks });
    expect(st.mtime).toEqual(real.mtime);
    await symlink('/owned', host('owned-link'));
    expect((await g.stat('/owned-link')).ino).toBe(real.ino);
    expect(await g.lstat('/owned-link')).toMatchObject({ type: 'symlink', size: '/owned'.length });
    expect([await g.filesize('/owned'), await g.filesize('/owned-link')]).toEqual([5, 5]);
    expect((await g.stat('/dev/loop-node'))).toMatchObject({ type: 'block', rdev: real.dev === 0 ? 0 : (await lstat(host('dev/loop-node'))).rdev });
    const list = await lstatList(ctx, '/', ['owned', 'owned-link', 'missing']);
    expect(list.map((s) => s?.type)).toEqual(['file', 'symlink', undefined]);
    expect(await code(lstatList(ctx, '/', ['../etc']))).toBe('EINVAL');
    expect(await code(g.stat('/missing'))).toBe('ENOENT');
  });

  it('tests file types like libguestfs (symlinks followed only when asked)', async () => {
    await execa('python3', ['-c', `import socket; socket.socket(socket.AF_UNIX).bind(${JSON.stringify(host('dev/sock'))})`]);
    await symlink('zero', host('dev/zero-link'));
    await symlink('/lost+found', host('dir-link'));
    await symlink('/nowhere', host('dangling'));
    expect(await g.isFile('/owned')).toBe(true);
    expect(await g.isFile('/owned-link')).toBe(false);
    expect(await g.isFile('/owned-link', { followSymlinks: true })).toBe(true);
    expect(await g.isFile('/dangling', { followSymlinks: true })).toBe(false);
    expect(await g.isFile('/lost+found', { followSymlinks: true })).toBe(false);
    expect(await g.isDir('/lost+found')).toBe(true);
    expect(await g.isDir('/dir-link')).toBe(false);
    expect(await g.isDir('/dir-link', { followSymlinks: true })).toBe(true);
    expect(await g.isDir('/owned-link', { followSymlinks: true })).toBe(false);
    // The libguestfs names are the same functions, optional argument included.
    expect(await g.is_file('/owned-link')).toBe(false);
    expect(await g.is_file('/owned-link', { followSymlinks: true })).toBe(true);
    expect(await g.is_dir('/dir-link')).toBe(false);
    expect(await g.is_dir('/dir-link', { followSymlinks: true })).toBe(true);
    expect(await code(g.isFile('/owned', { followsymlinks: true } as never))).toBe('EINVAL');
    expect(await g.isSymlink('/dir-link')).toBe(true);
    expect(await g.isSymlink('/owned')).toBe(false);
    // libguestfs is_chardev, is_blockdev, is_fifo, is_socket: the fs test GuestFS's isFile/isDir use.
    expect(await isType(ctx, '/dev/zero', 'char', false)).toBe(true);
    expect(await isType(ctx, '/dev/zero-link', 'char', false)).toBe(false);
    expect(await isType(ctx, '/dev/zero-link', 'char', true)).toBe(true);
    expect(await isType(ctx, '/dev/loop-node', 'block', false)).toBe(true);
    expect(await isType(ctx, '/dev/fifo', 'fifo', false)).toBe(true);
    expect(await isType(ctx, '/dev/sock', 'socket', false)).toBe(true);
    expect(await isType(ctx, '/dev/sock', 'fifo', false)).toBe(false);
    expect(await g.exists('/dir-link')).toBe(true);
    expect(await g.exists('/dangling')).toBe(false);
    expect(await g.isSymlink('/dangling')).toBe(true);
    expect(await g.isFile('/missing/deeper')).toBe(false);
  });

  it('lists, finds and measures', async () => {
    await g.mkdirP('/tree/a/b');
    await g.write('/tree/a/b/f', 'x');
    await g.write('/tree/.hidden', 'x');
    await g.lnS('a', '/tree/link');
    expect(await g.ls('/tree')).toEqual(['.hidden', 'a', 'link']);
    expect(await g.find('/tree')).toEqual(['.hidden', 'a', 'a/b', 'a/b/f', 'link']);
    expect(await g.find('/tree/link')).toEqual(['b', 'b/f']);
    expect(await code(g.find('/tree/.hidden'))).toBe('ENOTDIR');
    expect(await code(g.ls('/tree/.hidden'))).toBe('ENOTDIR');
    await utimes(host('tree/.hidden'), new Date('2000-01-01'), new Date('2000-01-01'));
    expect(await g.findModifiedSince('/tree', new Date('2010-01-01'))).toEqual(['/tree/a/b/f']);
    expect(await g.findModifiedSince('/tree', new Date('1999-01-01'))).toEqual(['/tree/.hidden', '/tree/a/b/f']);
    await g.write('/tree/big', randomBytes(300 * 1024));
    const { stdout } = await execa('du', ['-s', '-k', host('tree')]);
    expect(await g.du('/tree')).toBe(Number(stdout.split('\t')[0]));
    expect(await g.du('/tree')).toBeGreaterThanOrEqual(300);
    const vfs = await g.statvfs('/tree');
    const { stdout: blocks } = await execa('stat', ['-f', '-c', '%b %S %c', root]);
    expect([vfs.blocks, vfs.bsize, vfs.files]).toEqual(blocks.split(' ').map(Number));
    expect(vfs.type).toBe(0xef53);
  });
});

describe('directories, links, copies and moves', () => {
  it('makes and removes directories and files with the usual errors', async () => {
    await g.mkdir('/d1');
    expect((await lstat(host('d1'))).mode & 0o777).toBe(0o755);
    expect(await code(g.mkdir('/d1'))).toBe('EEXIST');
    expect(await code(g.mkdir('/d2/sub'))).toBe('ENOENT');
    await g.mkdirP('/d1/x/y/z');
    await g.mkdirP('/d1/x/y/z');
    expect(await code(g.mkdirP('/owned/sub'))).toBe('ENOTDIR');
    await symlink('/d1/x', host('d1-link'));
    await g.mkdirP('/d1-link/through-link');
    expect((await lstat(host('d1/x/through-link'))).isDirectory()).toBe(true);
    expect(await code(g.rmdir('/d1'))).toBe('ENOTEMPTY');
    expect(await code(g.rm('/d1'))).toBe('EISDIR');
    await g.rm('/d1-link');
    expect((await lstat(host('d1/x'))).isDirectory()).toBe(true);
    expect(await code(g.rm('/d1-link'))).toBe('ENOENT');
    await rmFile(ctx, '/d1-link', true); // libguestfs rm_f
    await g.rmdir('/d1/x/y/z');
    await g.rmRf('/d1');
    await g.rmRf('/d1');
    expect(await g.exists('/d1')).toBe(false);
    expect(await code(g.rmRf('/'))).toBe('EINVAL');
    expect(await code(g.rmRf('/tree/..'))).toBe('EINVAL');
    expect(await code(g.rmdir('/lost+found/..'))).toBe('EINVAL');
    expect(await code(g.mv('/', '/d2'))).toBe('EINVAL');
  });

  it('makes symlinks with the target text as given and hard links', async () => {
    await g.lnS('../relative/target', '/sym');
    expect(await g.readlink('/sym')).toBe('../relative/target');
    await g.mkdir('/linkdir');
    await g.lnS('/owned', '/linkdir');
    expect(await g.readlink('/linkdir/owned')).toBe('/owned');
    expect(await code(g.lnS('x', '/sym'))).toBe('EEXIST');
    expect(await code(g.lnS('', '/empty'))).toBe('EINVAL');
    await ln(ctx, '/owned', '/hard'); // libguestfs ln
    expect((await lstat(host('hard'))).ino).toBe((await lstat(host('owned'))).ino);
    expect((await g.stat('/owned')).nlink).toBe(2);
    expect(await code(g.readlink('/owned'))).toBe('EINVAL');
  });

  it('changes modes and owners, of a symlink itself with lchown', async () => {
    await g.chmod(0o4750, '/owned');
    expect((await lstat(host('owned'))).mode & 0o7777).toBe(0o4750);
    await g.chown(42, 43, '/owned-link');
    expect(await lstat(host('owned'))).toMatchObject({ uid: 42, gid: 43 });
    await chownPath(ctx, 7, 8, '/owned-link', false); // libguestfs lchown
    expect(await lstat(host('owned-link'))).toMatchObject({ uid: 7, gid: 8 });
    expect(await lstat(host('owned'))).toMatchObject({ uid: 42, gid: 43 });
    await g.chown(-1, 44, '/owned');
    expect(await lstat(host('owned'))).toMatchObject({ uid: 42, gid: 44 });
    expect(await code(g.chmod(0o10000, '/owned'))).toBe('EINVAL');
    expect(await code(g.chown(1.5, 0, '/owned'))).toBe('EINVAL');
    expect(await code(g.chmod(-1, '/owned'))).toBe('EINVAL');
    expect(await code(g.chmod(0o644, '/missing'))).toBe('ENOENT');
  });

  it('copies content (cp), trees with attributes (cpA) and without (libguestfs cp_r)', async () => {
    await g.mkdirP('/src/sub');
    await g.write('/src/sub/f', 'data');
    await g.chmod(0o750, '/src/sub/f');
    await g.chown(1000, 1001, '/src/sub/f');
    await ln(ctx, '/src/sub/f', '/src/sub/hard');
    await g.lnS('sub/f', '/src/l');
    await utimes(host('src/sub/f'), new Date('2005-05-05'), new Date('2005-05-05'));
    await g.cp('/src/sub/f', '/copied');
    expect(await lstat(host('copied'))).toMatchObject({ mode: 0o100750, uid: 0, size: 4 });
    await g.mkdir('/into');
    await g.cp('/src/l', '/into');
    expect(await readFile(host('into/l'), 'utf8')).toBe('data');
    expect(await code(g.cp('/src', '/into'))).toBe('EISDIR');

    await g.cpA('/src', '/copy-a');
    const a = await lstat(host('copy-a/sub/f'));
    expect(a).toMatchObject({ mode: 0o100750, uid: 1000, gid: 1001, nlink: 2 });
    expect(a.mtime.toISOString()).toBe('2005-05-05T00:00:00.000Z');
    expect((await lstat(host('copy-a/sub/hard'))).ino).toBe(a.ino);
    expect(await g.readlink('/copy-a/l')).toBe('sub/f');
    await g.cpA('/src', '/copy-a');
    expect(await g.ls('/copy-a')).toEqual(['l', 'src', 'sub']);

    await cpR(ctx, '/src', '/copy-r');
    const r = await lstat(host('copy-r/sub/f'));
    expect(r).toMatchObject({ uid: 0, nlink: 1 });
    expect(r.mtime.getFullYear()).toBeGreaterThan(2020);
    expect(await g.readlink('/copy-r/l')).toBe('sub/f');
    expect(await code(g.cpA('/missing', '/x'))).toBe('ENOENT');
    // Tool failures name guest paths only.
    const err = await g.cpA('/src', '/owned/inside').catch((e: VmcraftError) => e);
    expect(err).toBeInstanceOf(VmcraftError);
    expect((err as VmcraftError).message).not.toContain(root);
    expect(traced.some((argv) => argv[0] === 'cp')).toBe(true);
  });

  it('moves within a filesystem and across filesystems of the guest', async () => {
    await g.write('/mv-src', 'moving');
    await g.mv('/mv-src', '/mv-dst');
    expect(await g.exists('/mv-src')).toBe(false);
    expect(await g.read('/mv-dst', 'utf8')).toBe('moving');
    await g.mv('/mv-dst', '/into');
    expect(await g.read('/into/mv-dst', 'utf8')).toBe('moving');
    await g.lnS('/into/mv-dst', '/mv-link');
    await g.mv('/mv-link', '/mv-link2');
    expect(await g.readlink('/mv-link2')).toBe('/into/mv-dst');
    await g.mkdir('/mnt');
    await g.mount('/dev/sdb', '/mnt');
    traced.length = 0;
    await g.mv('/src', '/mnt/moved-tree');
    expect(traced.some((argv) => argv[0] === 'mv')).toBe(true);
    expect(await g.exists('/src')).toBe(false);
    expect(await lstat(host('mnt/moved-tree/sub/f'))).toMatchObject({ uid: 1000, mode: 0o100750 });
    expect(await code(g.mv('/missing', '/x'))).toBe('ENOENT');
  });
});

describe('globs', () => {
  it('expands *, ?, [..], {a,b} and ** like glob(3) with GLOB_MARK, as libguestfs glob_expand', async () => {
    await g.mkdirP('/g/logs/old');
    for (const f of ['a.log', 'b.log', 'c.txt', '.hidden.log', 'old/d.log']) await g.write(`/g/logs/${f}`, f);
    await g.lnS('/g/logs', '/g/link');
    expect(await g.globExpand('/g/logs/*.log')).toEqual(['/g/logs/a.log', '/g/logs/b.log']);
    expect(await g.globExpand('/g/logs/.*')).toEqual(['/g/logs/.hidden.log']);
    expect(await g.globExpand('/g/logs/?.*')).toEqual(['/g/logs/a.log', '/g/logs/b.log', '/g/logs/c.txt']);
    expect(await g.globExpand('/g/logs/[!a].log')).toEqual(['/g/logs/b.log']);
    expect(await g.globExpand('/g/logs/{a,c}.*')).toEqual(['/g/logs/a.log', '/g/logs/c.txt']);
    expect(await g.globExpand('/g/{logs/old,link}/*.log')).toEqual(['/g/link/a.log', '/g/link/b.log', '/g/logs/old/d.log']);
    expect(await g.globExpand('/g/*')).toEqual(['/g/link/', '/g/logs/']);
    expect(await g.globExpand('/g/*', { directorySlash: false })).toEqual(['/g/link', '/g/logs']);
    expect(await g.globExpand('/g/*/old')).toEqual(['/g/link/old/', '/g/logs/old/']);
    expect(await g.globExpand('/g/logs/**/*.log')).toEqual(['/g/logs/a.log', '/g/logs/b.log', '/g/logs/old/d.log']);
    expect(await g.globExpand('/g/**', { directorySlash: false })).toEqual(['/g', '/g/link', '/g/logs', '/g/logs/a.log', '/g/logs/b.log', '/g/logs/c.txt', '/g/logs/old', '/g/logs/old/d.log']);
    expect(await g.globExpand('/g/logs/c.txt')).toEqual(['/g/logs/c.txt']);
    expect(await g.globExpand('/g/nothing/*')).toEqual([]);
    expect(await g.globExpand('/g/logs/*.none')).toEqual([]);
    expect(await g.glob_expand('/g/*')).toEqual(['/g/link/', '/g/logs/']);
    expect(await g.glob_expand('/g/*', { directorySlash: false })).toEqual(['/g/link', '/g/logs']);
    expect(await code(g.globExpand('g/*'))).toBe('EINVAL');
  });
});

describe('errors', () => {
  it('name the guest path, never the host mount', async () => {
    const calls = [() => g.read('/no/such'), () => g.ls('/owned'), () => g.rmdir('/lost+found/..'), () => g.mkdir('/owned'), () => g.cpA('/owned', '/no/dir/')];
    for (const call of calls) {
      const err = await call().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(VmcraftError);
      expect((err as VmcraftError).message).not.toContain(root);
    }
    const err = (await g.read('/no/such').catch((e: VmcraftError) => e)) as VmcraftError;
    expect(err).toMatchObject({ code: 'ENOENT', path: '/no/such' });
    expect(err.message).toContain('/no/such');
  });

  it('checks the guest path a symlink leads to against the read-only mounts too', async () => {
    await g.mkdirP('/ro-mount');
    await g.mountRo('/dev/sdc', '/ro-mount');
    await g.lnS('/ro-mount/data/readme.txt', '/to-ro');
    const before = await readFile(host('ro-mount/data/readme.txt'), 'utf8');
    expect(await code(g.write('/to-ro', 'changed'))).toBe('EREADONLY');
    expect(await code(g.chmod(0o600, '/to-ro'))).toBe('EREADONLY');
    expect(await code(g.write('/ro-mount/new', 'x'))).toBe('EREADONLY');
    expect(await readFile(host('ro-mount/data/readme.txt'), 'utf8')).toBe(before);
    await g.rm('/to-ro');
  });

  it('reports ENOTMOUNTED before touching anything while nothing is mounted at /', async () => {
    const other = await GuestFS.open(await plainImage(dir, 'unmounted.raw'), { format: 'raw', tmpDir: dir });
    try {
      expect(await code(other.read('/etc/passwd'))).toBe('ENOTMOUNTED');
      expect(await code(other.write('/etc/passwd', 'x'))).toBe('ENOTMOUNTED');
      expect(await code(other.globExpand('/*'))).toBe('ENOTMOUNTED');
    } finally {
      await other.close();
    }
  });
});
