import { createHash } from 'node:crypto';
import { copyFile, readFile, writeFile, stat as hostStat } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { sampleImage, scratchDir } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;
let g: GuestFS;
let canary: string;
const CANARY_TEXT = 'host canary: must never be read or changed through a guest path\n';

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('files'));
  const image = (await sampleImage(dir)).path;
  const copy = path.join(dir, 'rw.qcow2');
  await copyFile(image, copy);
  canary = path.join(dir, 'canary.txt');
  await writeFile(canary, CANARY_TEXT);
  g = await GuestFS.open(copy, { tmpDir: dir });
  const [root] = await g.inspectOs();
  await g.mountRoot(root!);
});
afterAll(async () => {
  await g.close();
  expect(await readFile(canary, 'utf8')).toBe(CANARY_TEXT);
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code);

describe('reading and writing files', () => {
  it('writes, appends and reads back bytes, text and lines', async () => {
    await g.write('/root/a.txt', 'one\r\ntwo\n');
    await g.writeAppend('/root/a.txt', Buffer.from('three\n'));
    expect(await g.read('/root/a.txt')).toEqual(Buffer.from('one\r\ntwo\nthree\n'));
    expect(await g.read('/root/a.txt', 'utf8')).toBe('one\r\ntwo\nthree\n');
    expect(await g.readLines('/root/a.txt')).toEqual(['one', 'two', 'three']);
    await g.write('/root/empty', '');
    expect(await g.readLines('/root/empty')).toEqual([]);
  });

  it('tests types and lists directories', async () => {
    await g.mkdirP('/srv/x/y/z');
    await g.touch('/srv/x/file');
    await g.lnS('file', '/srv/x/link');
    expect(await g.isDir('/srv/x/y')).toBe(true);
    expect(await g.isFile('/srv/x/file')).toBe(true);
    expect(await g.isFile('/srv/x/link')).toBe(false);
    expect(await g.isFile('/srv/x/link', { followSymlinks: true })).toBe(true);
    expect(await g.isSymlink('/srv/x/link')).toBe(true);
    expect(await g.isSymlink('/srv/x/file')).toBe(false);
    expect(await g.exists('/srv/x/nope')).toBe(false);
    expect(await g.ls('/srv/x')).toEqual(['file', 'link', 'y']);
    expect(await g.find('/srv/x')).toEqual(['file', 'link', 'y', 'y/z']);
    expect(await g.readlink('/srv/x/link')).toBe('file');
    expect(await code(g.ls('/srv/x/file'))).toBe('ENOTDIR');
    expect(await code(g.mkdir('/srv/x/y'))).toBe('EEXIST');
    expect(await code(g.mkdir('/srv/nope/deeper'))).toBe('ENOENT');
  });

  it('stats, chmods, chowns and truncates', async () => {
    await g.write('/srv/mode', '12345');
    await g.chmod(0o640, '/srv/mode');
    await g.chown(1000, 1001, '/srv/mode');
    const st = await g.stat('/srv/mode');
    expect(st).toMatchObject({ type: 'file', perms: 0o640, uid: 1000, gid: 1001, size: 5 });
    expect(st.mtime).toBeInstanceOf(Date);
    await g.lnS('/srv/mode', '/srv/mode-link');
    expect((await g.lstat('/srv/mode-link')).type).toBe('symlink');
    expect((await g.stat('/srv/mode-link')).ino).toBe(st.ino);
    await g.truncate('/srv/mode', 2);
    expect(await g.cat('/srv/mode')).toBe('12');
    await g.truncate('/srv/mode');
    expect((await g.stat('/srv/mode')).size).toBe(0);
    expect(await code(g.chmod(0o10000, '/srv/mode'))).toBe('EINVAL');
  });

  it('copies, moves and removes', async () => {
    await g.mkdirP('/opt/src/sub');
    await g.write('/opt/src/sub/f', 'data');
    await g.chmod(0o600, '/opt/src/sub/f');
    await g.lnS('sub/f', '/opt/src/l');
    await g.cpA('/opt/src', '/opt/copy');
    expect((await g.stat('/opt/copy/sub/f')).perms).toBe(0o600);
    expect(await g.readlink('/opt/copy/l')).toBe('sub/f');
    await g.cp('/opt/src/sub/f', '/opt');
    expect(await g.cat('/opt/f')).toBe('data');
    await g.mv('/opt/f', '/opt/g');
    expect(await g.exists('/opt/f')).toBe(false);
    await g.mv('/opt/g', '/boot/moved-across-filesystems');
    expect(await g.cat('/boot/moved-across-filesystems')).toBe('data');
    await g.rm('/boot/moved-across-filesystems');
    expect(await code(g.rm('/opt/copy'))).toBe('EISDIR');
    expect(await code(g.rmdir('/opt/copy'))).toBe('ENOTEMPTY');
    await g.rmRf('/opt/copy');
    await g.rmRf('/opt/never-existed');
    expect(await g.exists('/opt/copy')).toBe(false);
    expect(await code(g.rmRf('/'))).toBe('EINVAL');
  });

  it('uploads, downloads and checksums like the host tools', async () => {
    const hostFile = path.join(dir, 'upload.bin');
    const data = createHash('sha512').update('vmcraft').digest();
    await writeFile(hostFile, Buffer.concat(Array(1000).fill(data)));
    await g.upload(hostFile, '/srv/up.bin');
    const back = path.join(dir, 'download.bin');
    await g.download('/srv/up.bin', back);
    expect(await readFile(back)).toEqual(await readFile(hostFile));
    for (const [algo, tool] of [['md5', 'md5sum'], ['sha1', 'sha1sum'], ['sha256', 'sha256sum'], ['sha512', 'sha512sum']] as const) {
      const { stdout } = await execa(tool, [hostFile]);
      expect(await g.checksum(algo, '/srv/up.bin')).toBe(stdout.split(' ')[0]);
    }
    const { stdout: cksum } = await execa('cksum', [hostFile]);
    expect(await g.checksum('crc', '/srv/up.bin')).toBe(cksum.split(' ')[0]);
    expect(await code(g.checksum('sha999' as never, '/srv/up.bin'))).toBe('EINVAL');
    expect(await code(g.download('/srv', back))).toBe('EISDIR');
  });

  it('globs, finds recent files, measures usage', async () => {
    await g.mkdirP('/data/logs/old');
    await g.write('/data/logs/a.log', 'a');
    await g.write('/data/logs/b.log', 'b');
    await g.write('/data/logs/c.txt', 'c');
    await g.write('/data/logs/old/d.log', 'd');
    await g.write('/data/logs/.hidden.log', 'h');
    expect(await g.globExpand('/data/logs/*.log')).toEqual(['/data/logs/a.log', '/data/logs/b.log']);
    expect(await g.globExpand('/data/**/*.log')).toEqual(['/data/logs/a.log', '/data/logs/b.log', '/data/logs/old/d.log']);
    expect(await g.globExpand('/data/logs/[ab].*')).toEqual(['/data/logs/a.log', '/data/logs/b.log']);
    expect(await g.globExpand('/nothing/*')).toEqual([]);
    expect(await g.globExpand('/data/logs/c.txt')).toEqual(['/data/logs/c.txt']);
    const since = new Date(Date.now() - 60_000);
    const recent = await g.findModifiedSince('/data', since);
    expect(recent).toEqual(['/data/logs/.hidden.log', '/data/logs/a.log', '/data/logs/b.log', '/data/logs/c.txt', '/data/logs/old/d.log']);
    expect(await g.findModifiedSince('/data', new Date(Date.now() + 60_000))).toEqual([]);
    await g.write('/data/big', Buffer.alloc(256 * 1024, 1));
    expect(await g.du('/data/big')).toBeGreaterThanOrEqual(256);
    const vfs = await g.statvfs('/');
    expect(vfs.bsize).toBeGreaterThan(0);
    expect(vfs.blocks).toBeGreaterThan(vfs.bfree);
  });
});

describe('guest paths never reach the host', () => {
  it('re-roots absolute symlinks, clamps .. and follows symlinked parents inside the guest', async () => {
    await g.lnS(canary, '/root/abs-escape');
    await g.lnS('../../../../../../..' + canary, '/root/rel-escape');
    await g.lnS(path.dirname(canary), '/root/dir-escape');
    await g.lnS('/root/loop-b', '/root/loop-a');
    await g.lnS('/root/loop-a', '/root/loop-b');
    for (const p of ['/root/abs-escape', '/root/rel-escape', '/root/dir-escape/canary.txt', `/../../..${canary}`]) {
      expect(await g.exists(p), p).toBe(false);
      expect(await code(g.cat(p)), p).toBe('ENOENT');
    }
    expect(await code(g.cat('/root/loop-a'))).toBe('ELOOP');
    // Writing through an escaping link creates the file inside the guest, at the re-rooted path.
    await g.mkdirP(path.dirname(canary));
    await g.write('/root/abs-escape', 'guest data');
    expect(await g.cat(canary)).toBe('guest data');
    await g.chmod(0o600, '/root/abs-escape');
    await g.rm('/root/dir-escape/canary.txt');
    expect(await g.ls('/root/dir-escape')).toEqual([]);
    expect(await g.globExpand('/root/dir-escape/*')).toEqual([]);
    // The host canary was never touched (checked again in afterAll).
    expect(await readFile(canary, 'utf8')).toBe(CANARY_TEXT);
    expect((await hostStat(canary)).mode & 0o777).not.toBe(0o600);
  });

  it('rejects relative and NUL-containing guest paths', async () => {
    expect(await code(g.cat('etc/hostname'))).toBe('EINVAL');
    expect(await code(g.cat('/etc/host\0name'))).toBe('EINVAL');
  });

  it('names the guest path in errors, never the private host path', async () => {
    const err = (await g.cat('/does/not/exist').catch((e: Error) => e)) as Error & { path?: string };
    expect(err.message).toContain('/does/not/exist');
    expect(err.message).not.toContain(dir);
    expect(err.path).toBe('/does/not/exist');
  });
});

describe('a read-only session', () => {
  it('refuses every write with EREADONLY', async () => {
    await using ro = await GuestFS.open((await sampleImage(dir, 'ro.qcow2')).path, { tmpDir: dir, readonly: true });
    await ro.mountRoot((await ro.inspectOs())[0]!);
    const writes: [string, () => Promise<unknown>][] = [
      ['write', () => ro.write('/x', 'x')], ['writeAppend', () => ro.writeAppend('/etc/motd', 'x')], ['mkdir', () => ro.mkdir('/x')],
      ['mkdirP', () => ro.mkdirP('/x/y')], ['rm', () => ro.rm('/etc/motd')], ['rmRf', () => ro.rmRf('/etc')], ['rmdir', () => ro.rmdir('/boot')],
      ['cp', () => ro.cp('/etc/motd', '/etc/m2')], ['cpA', () => ro.cpA('/etc', '/etc2')], ['mv', () => ro.mv('/etc/motd', '/m')],
      ['chmod', () => ro.chmod(0o777, '/etc/motd')], ['chown', () => ro.chown(1, 1, '/etc/motd')], ['lnS', () => ro.lnS('a', '/l')],
      ['touch', () => ro.touch('/etc/motd')], ['truncate', () => ro.truncate('/etc/motd')], ['upload', () => ro.upload(canary, '/c')],
    ];
    for (const [name, fn] of writes) expect(await code(fn()), name).toBe('EREADONLY');
    expect(await ro.cat('/etc/motd')).toBe('Built by vmcraft as a sample guest.\n');
  });
});
