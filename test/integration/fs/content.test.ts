/**
 * The content calls on a real ext4 image made with mkfs.ext4 -d from a
 * hand-made tree (owners, modes, symlinks, xattrs, a FIFO, a device node,
 * hard links): tar and copy round trips, the guest's symlink attacks on the
 * host, read-only refusals with the image byte-identical, typed errors, and
 * nothing left behind.
 */
import { copyFile, lstat, mkdir, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_CALLS } from '../../../src/api/calls/content.js';
import type { VmcraftError } from '../../../src/core/errors.js';
import { GuestFS } from '../../../src/index.js';
import { contentScratch, LINES, snapshot, type TreeEntry } from '../../helpers/content-tree.js';
import { sha256File } from '../../helpers/images.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { loadFixtures } from '../../fixtures/lib/manifest.js';

let dir: string;
let remove: () => Promise<void>;
/** The image of the hand-made tree (opened read-only only). */
let image: string;
let imageSum: string;
/** A host directory the guest's symlinks aim at, and the sentinel file in it. */
let host: string;
let sentinel: string;
let sentinelSum: string;

const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code);

/** Opens `file` (raw) with `/dev/sda` mounted at `/`. */
async function open(file: string, readonly: boolean): Promise<GuestFS> {
  const g = await GuestFS.open(file, { format: 'raw', readonly, tmpDir: dir });
  await g.mount('/dev/sda', '/');
  return g;
}

/** A fresh empty ext4 image. */
async function emptyImage(name: string): Promise<string> {
  const file = path.join(dir, name);
  await execa('mkfs.ext4', ['-q', '-F', file, '64M']);
  return file;
}

/** A writable copy of the tree's image. */
async function imageCopy(name: string): Promise<string> {
  const file = path.join(dir, name);
  await copyFile(image, file);
  return file;
}

beforeAll(async () => {
  ({ dir, remove, host, sentinel, image } = await contentScratch('content'));
  sentinelSum = await sha256File(sentinel);
  imageSum = await sha256File(image);
}, 60_000);

afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

describe('read-only use of the tree', () => {
  let g: GuestFS;
  let source: Record<string, TreeEntry>;
  const tars: Record<string, string> = {};
  const out = () => path.join(dir, 'out');
  const COMPRESSIONS = ['none', 'gzip', 'xz', 'zstd', 'bzip2', 'lzop'] as const;

  beforeAll(async () => {
    g = await open(image, true);
    source = await snapshot(g, '/data');
  }, 60_000);

  afterAll(async () => {
    await g.close();
    expect(await sha256File(image)).toBe(imageSum);
  });

  it('the snapshot saw what mkfs.ext4 -d was given', () => {
    expect(source['owned']).toMatchObject({ type: 'file', perms: 0o640, uid: 1000, gid: 1000 });
    expect(source['shared']).toMatchObject({ type: 'directory', perms: 0o2775, uid: 1001, gid: 100 });
    expect(source['rel-link']).toMatchObject({ type: 'symlink', target: '../etc/hostname' });
    expect(source['fifo']?.type).toBe('fifo');
    expect(source['null']?.type).toBe('char');
    expect(source['hard1']?.nlink).toBe(2);
    expect(source['xattr-file']?.xattrs).toEqual({ 'user.comment': Buffer.from('hello').toString('hex'), 'trusted.vmcraft': '00ff01' });
  });

  it('tarOut archives links as links, never following them, in each compression', async () => {
    for (const compress of COMPRESSIONS) {
      const tarfile = path.join(dir, `data-${compress}.tar`);
      await g.tarOut('/data', tarfile, { xattrs: true, numericOwner: true, ...(compress === 'none' ? {} : { compress }) });
      tars[compress] = tarfile;
    }
    const { stdout } = await execa('tar', ['-tvf', tars.gzip!, '--numeric-owner']);
    expect(stdout).toMatch(/^lrwxrwxrwx 0\/0 +0 .* \.\/rel-link -> \.\.\/etc\/hostname$/m);
    expect(stdout).toMatch(/^-rw-r----- 1000\/1000 .* \.\/owned$/m);
    const attack = path.join(dir, 'attack.tar');
    await g.tarOut('/attack', attack);
    const names = (await execa('tar', ['-tf', attack])).stdout.split('\n').sort();
    expect(names).toEqual(['./', './evil', './file', './hostdir']);
    const { stdout: excluded } = await execa('tar', ['-tf', tars.none!]);
    expect(excluded).toContain('./sub/deeper/bin.dat');
    await g.tarOut('/data', path.join(dir, 'excl.tar'), { excludes: ['./sub', '*.dat'] });
    expect((await execa('tar', ['-tf', path.join(dir, 'excl.tar')])).stdout).not.toContain('sub');
  });

  it('copyOut copies a tree to the host with owners, modes, links and xattrs, no device node; a file as a file', async () => {
    await mkdir(out());
    const logs: string[] = [];
    g.on('log', (l) => logs.push(l.message));
    await g.copyOut('/data', out());
    expect(logs).toContainEqual(expect.stringMatching(/^copyOut \/data: device nodes not made on the host .*: data\/null$/));
    expect(await code(lstat(path.join(out(), 'data/null')))).toBe('ENOENT');
    expect((await readdir(path.join(out(), 'data'))).filter((name) => name.startsWith('.vmcraft'))).toEqual([]);
    const owned = await lstat(path.join(out(), 'data/owned'));
    expect([owned.uid, owned.gid, owned.mode & 0o7777]).toEqual([1000, 1000, 0o640]);
    expect(await readlink(path.join(out(), 'data/abs-link'))).toBe('/etc/hostname');
    expect((await lstat(path.join(out(), 'data/fifo'))).isFIFO()).toBe(true);
    expect((await lstat(path.join(out(), 'data/hard1'))).ino).toBe((await lstat(path.join(out(), 'data/sub/hard2'))).ino);
    expect((await execa('getfattr', ['-n', 'user.comment', '--only-values', path.join(out(), 'data/xattr-file')])).stdout).toBe('hello');
    await g.copyOut('/etc/hostname', out());
    expect(await readFile(path.join(out(), 'hostname'), 'utf8')).toBe('content-test\n');
  });

  it('copyOut of the guest\'s attack symlinks makes links on the host and writes nothing outside the host directory', async () => {
    const into = path.join(dir, 'attack-out');
    await mkdir(into);
    await g.copyOut('/attack', into);
    expect(await readlink(path.join(into, 'attack/evil'))).toBe('/');
    expect(await readlink(path.join(into, 'attack/file'))).toBe(sentinel);
    // A second tree of the same name whose `evil` is a directory: tar replaces the link, never writes through it.
    await g.copyOut('/other/attack', into);
    expect((await lstat(path.join(into, 'attack/evil'))).isDirectory()).toBe(true);
    expect(await sha256File(sentinel)).toBe(sentinelSum);
    expect(await readFile(path.join(into, 'attack/evil', sentinel), 'utf8')).toBe('pwned\n');
    // The link `file` to the host's sentinel was replaced by the second tree's file, not written through.
    expect(await readFile(path.join(into, 'attack/file'), 'utf8')).toBe('pwned\n');
    // A single file copied onto a link the first copy made: the link is replaced too.
    await symlink(sentinel, path.join(into, 'attack/hostname'));
    await g.copyOut('/etc/hostname', path.join(into, 'attack'));
    expect(await readFile(path.join(into, 'attack/hostname'), 'utf8')).toBe('content-test\n');
    expect(await sha256File(sentinel)).toBe(sentinelSum);
    expect((await readdir(path.join(into, 'attack'))).filter((n) => n.startsWith('.vmcraft'))).toEqual([]);
    expect(await code(g.copyOut('/data/..', into))).toBe('EINVAL');
  });

  it('file says what file(1) says, and names the other kinds without opening them', async () => {
    expect(await g.file('/etc/hostname')).toBe('ASCII text');
    expect(await g.file('/bin/ls')).toMatch(/^ELF 64-bit LSB pie executable, x86-64/);
    expect(await g.file('/etc/lines.gz')).toMatch(/^ASCII text \(gzip compressed data/);
    expect(await g.file('/data')).toBe('directory');
    expect(await g.file('/data/rel-link')).toBe('symbolic link');
    expect(await g.file('/data/fifo')).toBe('FIFO');
    expect(await g.file('/data/null')).toBe('character device');
    expect(await g.file('/attack/file')).toBe('symbolic link');
    expect(await code(g.file('/missing'))).toBe('ENOENT');
    expect(await g.file('/dev/sda')).toMatch(/^Linux rev 1\.0 ext4 filesystem data/);
  });

  it('fileArchitecture reads ELF and PE headers of real binaries', async () => {
    expect(await g.fileArchitecture('/bin/ls')).toBe('x86_64');
    // The host's kernel: an EFI-stub bzImage, a PE file for x86_64.
    expect(await g.fileArchitecture('/boot/vmlinuz')).toBe('x86_64');
    expect(await code(g.fileArchitecture('/etc/hostname'))).toBe('EINVAL');
    expect(await code(g.fileArchitecture('/data/null'))).toBe('EINVAL');
  });

  it('preadDevice reads the ext4 superblock magic', async () => {
    expect((await g.preadDevice('/dev/sda', 2, 1024 + 0x38)).equals(Buffer.from([0x53, 0xef]))).toBe(true);
    expect(await code(g.preadDevice('/dev/sdz', 2, 0))).toBe('ENOENT');
  });

  it('tgzOut and txzOut are tarOut with one compression', async () => {
    for (const [call, flag] of [['tgzOut', '-z'], ['txzOut', '-J']] as const) {
      const tarball = path.join(dir, `${call}.tar`);
      await g[call]('/etc', tarball);
      expect((await execa('tar', [flag, '-tf', tarball])).stdout.split('\n')).toContain('./hostname');
    }
  });

  it('pread, downloadOffset and realpath', async () => {
    const whole = await g.read('/data/sub/deeper/bin.dat');
    expect((await g.pread('/data/sub/deeper/bin.dat', 100, 69_950)).equals(whole.subarray(69_950))).toBe(true);
    expect((await g.pread('/data/sub/deeper/bin.dat', 10, 80_000)).length).toBe(0);
    const part = path.join(dir, 'part.bin');
    await g.downloadOffset('/data/sub/deeper/bin.dat', part, 1000, 5000);
    expect((await readFile(part)).equals(whole.subarray(1000, 6000))).toBe(true);
    expect(await code(g.downloadOffset('/data/sub/deeper/bin.dat', part, 69_000, 5000))).toBe('EINVAL');
    expect(await g.realpath('/data/rel-link')).toBe('/etc/hostname');
    expect(await g.realpath('/attack/evil/etc/../data/./owned')).toBe('/data/owned');
    expect(await g.realpath('/attack/evil/..')).toBe('/');
    expect(await code(g.realpath('/attack/hostdir/..'))).toBe('ENOENT');
    expect(await code(g.realpath('/attack/file'))).toBe('ENOENT');
  });

  it('xattrs, e2attrs, ll and find0', async () => {
    expect(await g.getxattrs('/data/xattr-file')).toEqual([
      { attrname: 'trusted.vmcraft', attrval: Buffer.from([0, 0xff, 1]) },
      { attrname: 'user.comment', attrval: Buffer.from('hello') },
    ]);
    expect(await g.lgetxattrs('/data/rel-link')).toEqual([]);
    expect(await g.getxattr('/data/xattr-file', 'user.comment')).toEqual(Buffer.from('hello'));
    expect(await g.lgetxattr('/data/xattr-file', 'trusted.vmcraft')).toEqual(Buffer.from([0, 0xff, 1]));
    expect(await code(g.getxattr('/data/xattr-file', 'user.none'))).toBe('ENOENT');
    expect(await g.getE2attrs('/etc/hostname')).toBe('e');
    expect(await code(g.getE2attrs('/data/fifo'))).toBe('EINVAL');
    const listing = await g.ll('/data');
    expect(listing).toMatch(/^-rw-r----- +1 1000 1000 +14 .* owned$/m);
    expect(listing).toMatch(/^lrwxrwxrwx +1 +0 +0 .* rel-link -> \.\.\/etc\/hostname$/m);
    expect(listing).toMatch(/^crw-r--r-- +1 +0 +0 +1, 3 .* null$/m);
    expect(listing).not.toContain(dir);
    const list = path.join(dir, 'find0.bin');
    await g.find0('/data', list);
    const names = (await readFile(list)).toString('utf8').split('\0');
    expect(names.pop()).toBe('');
    expect(names).toEqual(await g.find('/data'));
  });

  it('head and tail with libguestfs semantics for negative counts', async () => {
    expect(await g.head('/etc/lines.txt')).toEqual(LINES.slice(0, 10));
    expect(await g.tail('/etc/lines.txt')).toEqual(LINES.slice(-10));
    expect(await g.headN(3, '/etc/lines.txt')).toEqual(LINES.slice(0, 3));
    expect(await g.headN(-12, '/etc/lines.txt')).toEqual(LINES.slice(0, 3));
    expect(await g.headN(0, '/etc/lines.txt')).toEqual([]);
    expect(await g.tailN(2, '/etc/lines.txt')).toEqual(LINES.slice(-2));
    expect(await g.tailN(-14, '/etc/lines.txt')).toEqual(['line 14', 'line 15']);
    expect(await g.tailN(-1, '/etc/lines.txt')).toEqual(LINES);
    expect(await g.headN(10, '/etc/noeol.txt')).toEqual(['a\r', 'b', '', 'c']);
    expect(await code(g.head('/data/fifo'))).toBe('EINVAL');
  });

  it('the grep family', async () => {
    expect(await g.grep('line 1', '/etc/lines.txt')).toEqual(['line 1', 'line 10', 'line 11', 'line 12', 'line 13', 'line 14', 'line 15']);
    expect(await g.grep('^line 1[45]$', '/etc/lines.txt', { extended: true })).toEqual(['line 14', 'line 15']);
    expect(await g.egrep('^line (2|3)$', '/etc/lines.txt')).toEqual(['line 2', 'line 3']);
    expect(await g.fgrep('line 1.', '/etc/lines.txt')).toEqual([]);
    expect(await g.grepi('LINE 9', '/etc/lines.txt')).toEqual(['line 9']);
    expect(await g.grep('nomatch', '/etc/lines.txt')).toEqual([]);
    expect(await g.zgrep('line 5', '/etc/lines.gz')).toEqual(['line 5']);
    expect(await g.zfgrepi('LINE 7', '/etc/lines.gz')).toEqual(['line 7']);
    expect(await g.grep('line', '/etc/lines.txt', { compressed: true })).toHaveLength(15);
    expect(await code(g.grep('x', '/data/null'))).toBe('EINVAL');
    expect(await code(g.grep('x', '/etc/lines.txt', { extended: true, fixed: true }))).toBe('EINVAL');
  });

  it('every writing call is refused with EREADONLY before anything runs', async () => {
    const tarfile = tars.none!;
    const attempts: [string, () => Promise<unknown>][] = [
      ['tarIn', () => g.tarIn(tarfile, '/empty')],
      ['copyIn', () => g.copyIn(sentinel, '/empty')],
      ['uploadOffset', () => g.uploadOffset(sentinel, '/etc/hostname', 0)],
      ['pwrite', () => g.pwrite('/etc/hostname', 'x', 0)],
      ['setxattr', () => g.setxattr('user.x', 'y', 1, '/etc/hostname')],
      ['lsetxattr', () => g.lsetxattr('trusted.x', 'y', 1, '/data/rel-link')],
      ['removexattr', () => g.removexattr('user.comment', '/data/xattr-file')],
      ['lremovexattr', () => g.lremovexattr('user.comment', '/data/xattr-file')],
      ['setE2attrs', () => g.setE2attrs('/etc/hostname', 'A')],
      ['tgzIn', () => g.tgzIn(tars.gzip!, '/empty')],
      ['txzIn', () => g.txzIn(tars.xz!, '/empty')],
      ['pwriteDevice', () => g.pwriteDevice('/dev/sda', 'x', 0)],
    ];
    const writing = CONTENT_CALLS.filter((e) => e.writes).map((e) => e.name).sort();
    expect(attempts.map(([name]) => name).sort()).toEqual(writing);
    for (const [name, attempt] of attempts) expect([name, await code(attempt())]).toEqual([name, 'EREADONLY']);
  });

  it('bad arguments give typed errors', async () => {
    expect(await code(g.tarOut('/data', path.join(dir, 'x.tar'), { compress: 'rar' as never }))).toBe('EINVAL');
    expect(await code(g.tarOut('/etc/hostname', path.join(dir, 'x.tar')))).toBe('ENOTDIR');
    expect(await code(g.tarOut('relative', path.join(dir, 'x.tar')))).toBe('EINVAL');
    expect(await code(g.pread('/etc/hostname', -1, 0))).toBe('EINVAL');
    expect(await code(g.pread('/etc/hostname', 5 * 1024 * 1024, 0))).toBe('EINVAL');
    expect(await code(g.pread('/etc/hostname', 1, -5))).toBe('EINVAL');
    expect(await code(g.copyOut('/data', sentinel))).toBe('EINVAL');
    expect(await code(g.copyOut('/data/fifo', out()))).toBe('EINVAL');
    expect(await code(g.getxattrs('/missing'))).toBe('ENOENT');
    expect(await code(g.headN(1.5, '/etc/hostname'))).toBe('EINVAL');
    expect(await code(g.ll('/etc/hostname'))).toBe('ENOTDIR');
  });
});

describe('round trips into fresh images', () => {
  it('copyOut then copyIn gives the same tree: names, types, modes, owners, link targets, xattrs, content', async () => {
    const source = path.join(dir, 'out', 'data');
    const g = await open(await emptyImage('copy-in.img'), false);
    try {
      await g.copyIn(source, '/');
      const ro = await open(image, true);
      const { null: _device, ...want } = await snapshot(ro, '/data').finally(() => ro.close());
      expect(await snapshot(g, '/data')).toEqual(want);
    } finally {
      await g.close();
    }
  }, 60_000);

  it('tarOut then tarIn gives the same tree in each compression', async () => {
    const g = await open(await emptyImage('tar-in.img'), false);
    const ro = await open(image, true);
    try {
      const want = await snapshot(ro, '/data');
      for (const compress of ['none', 'gzip', 'xz', 'zstd', 'bzip2', 'lzop'] as const) {
        await g.mkdir(`/t-${compress}`);
        await g.tarIn(path.join(dir, `data-${compress}.tar`), `/t-${compress}`, { xattrs: true, ...(compress === 'none' ? {} : { compress }) });
        expect([compress, await snapshot(g, `/t-${compress}`)]).toEqual([compress, want]);
      }
      const failed = await g.tarIn(path.join(dir, 'data-gzip.tar'), '/t-gzip', { compress: 'xz' }).catch((err: VmcraftError) => err);
      expect(failed).toMatchObject({ code: 'ECOMMAND', message: expect.stringMatching(/^tarIn \/t-gzip: .*File format not recognized/) });
      // No host path of the guest's mount shows in the error.
      expect(JSON.stringify({ ...failed, message: (failed as VmcraftError).message })).not.toContain(`${dir}/vmcraft-`);
      expect(await code(g.tarIn(path.join(dir, 'no-such.tar'), '/t-gzip'))).toBe('ENOENT');
      // Its private directory is gone after a failure too.
      expect((await g.ls('/t-gzip')).filter((name) => name.startsWith('.vmcraft'))).toEqual([]);
    } finally {
      await ro.close();
      await g.close();
    }
  }, 120_000);
});

it('tarIn moves entries across a mount point inside the target by copying them', async () => {
  const g = await GuestFS.open([await emptyImage('outer.img'), await emptyImage('inner.img')], { format: 'raw', tmpDir: dir });
  try {
    await g.mount('/dev/sda', '/');
    await g.mkdir('/mnt');
    await g.mount('/dev/sdb', '/mnt');
    const tarfile = path.join(dir, 'mnt.tar');
    await execa('tar', ['-C', path.join(dir, 'out'), '-cf', tarfile, '--xattrs', '--xattrs-include=*', '--transform', 's,^data,mnt/data,', 'data']);
    await g.tarIn(tarfile, '/', { xattrs: true });
    const ro = await open(image, true);
    const { null: _device, ...want } = await snapshot(ro, '/data').finally(() => ro.close());
    expect(await snapshot(g, '/mnt/data')).toEqual(want);
    expect(await g.ls('/')).toEqual(['lost+found', 'mnt']);
  } finally {
    await g.close();
  }
}, 60_000);

describe('a hostile guest\'s symlinks against the writing calls', () => {
  let g: GuestFS;
  /** A host tree that aims a member at each of the guest's attack links. */
  let hostTree: string;

  beforeAll(async () => {
    g = await open(await imageCopy('attack.img'), false);
    hostTree = path.join(dir, 'attack-src', 'attack');
    await mkdir(path.join(hostTree, 'evil', host), { recursive: true });
    await mkdir(path.join(hostTree, 'hostdir'), { recursive: true });
    await writeFile(path.join(hostTree, 'evil', sentinel), 'pwned\n');
    await writeFile(path.join(hostTree, 'hostdir', 'sentinel.txt'), 'pwned\n');
    await writeFile(path.join(hostTree, 'file'), 'pwned\n');
  }, 60_000);

  afterAll(async () => {
    await g.close();
  });

  /** Puts the guest's attack links back (a call before may have replaced them). */
  async function rearm(): Promise<void> {
    await g.rmRf('/attack');
    await g.mkdir('/attack');
    await g.lnS('/', '/attack/evil');
    await g.lnS(sentinel, '/attack/file');
    await g.lnS(host, '/attack/hostdir');
  }

  const hostUntouched = async () => {
    expect(await sha256File(sentinel)).toBe(sentinelSum);
    expect((await execa('ls', ['-A', host])).stdout).toBe('sentinel.txt');
  };

  it('tarIn replaces the links by directories and files inside the guest', async () => {
    await rearm();
    const tarfile = path.join(dir, 'hostile.tar');
    await execa('tar', ['-C', hostTree, '-cf', tarfile, '.']);
    await g.tarIn(tarfile, '/attack');
    await hostUntouched();
    expect((await g.lstat('/attack/evil')).type).toBe('directory');
    expect(await g.cat(`/attack/evil${sentinel}`)).toBe('pwned\n');
    expect(await g.cat('/attack/file')).toBe('pwned\n');
    expect(await g.cat('/attack/hostdir/sentinel.txt')).toBe('pwned\n');
  });

  it('a tar member through a guest link that the archive has no directory for lands inside the guest', async () => {
    await rearm();
    const tarfile = path.join(dir, 'hostile-gz.tar');
    // GNU tar adds no parent entries for a member named on its own: only `evil/…/sentinel.txt`.
    await execa('tar', ['-C', hostTree, '-czf', tarfile, path.join('evil', sentinel)]);
    await g.tarIn(tarfile, '/attack', { compress: 'gzip' });
    await hostUntouched();
    expect(await g.cat(`/attack/evil${sentinel}`)).toBe('pwned\n');
  });

  it('copyIn merges over the links without writing through them', async () => {
    await rearm();
    await g.copyIn(hostTree, '/');
    await hostUntouched();
    expect(await g.cat('/attack/file')).toBe('pwned\n');
    expect((await g.lstat('/attack/hostdir')).type).toBe('directory');
  });

  it('uploadOffset and pwrite follow links inside the guest only', async () => {
    await rearm();
    expect(await code(g.pwrite('/attack/file', 'x', 0))).toBe('ENOENT');
    expect(await code(g.pwrite(`/attack/evil${sentinel}`, 'x', 0))).toBe('ENOENT');
    expect(await code(g.uploadOffset(sentinel, '/attack/hostdir/sentinel.txt', 3))).toBe('ENOENT');
    await g.mkdirP(host);
    await g.uploadOffset(path.join(hostTree, 'file'), '/attack/file', 4);
    expect(await g.read(sentinel)).toEqual(Buffer.concat([Buffer.alloc(4), Buffer.from('pwned\n')]));
    expect(await g.pwrite('/attack/file', 'PW', 4)).toBe(2);
    expect(await g.cat(sentinel)).toBe('\0\0\0\0PWned\n');
    await hostUntouched();
  });

  it('setxattr, removexattr and setE2attrs change the guest file', async () => {
    await g.write('/x.txt', 'x');
    await g.setxattr('user.note', 'abcdef', 3, '/x.txt');
    expect(await g.getxattrs('/x.txt')).toEqual([{ attrname: 'user.note', attrval: Buffer.from('abc') }]);
    await g.setxattr('user.empty', '', 0, '/x.txt');
    expect((await g.getxattrs('/x.txt')).map((x) => [x.attrname, x.attrval.length])).toEqual([['user.empty', 0], ['user.note', 3]]);
    await g.removexattr('user.note', '/x.txt');
    await g.lremovexattr('user.empty', '/x.txt');
    expect(await g.getxattrs('/x.txt')).toEqual([]);
    expect(await code(g.removexattr('user.note', '/x.txt'))).toBe('ENOENT');
    await g.lsetxattr('trusted.link', Buffer.from([1, 2]), 2, '/attack/evil');
    expect(await g.lgetxattrs('/attack/evil')).toEqual([{ attrname: 'trusted.link', attrval: Buffer.from([1, 2]) }]);
    expect(await code(g.setxattr('nodot', 'v', 1, '/x.txt'))).toBe('EINVAL');
    expect(await code(g.setxattr('user.x', 'v', 5, '/x.txt'))).toBe('EINVAL');
    await g.setE2attrs('/x.txt', 'A');
    expect(await g.getE2attrs('/x.txt')).toBe('Ae');
    await g.setE2attrs('/x.txt', 'A', { clear: true });
    expect(await g.getE2attrs('/x.txt')).toBe('e');
    expect(await code(g.setE2attrs('/x.txt', '+A'))).toBe('EINVAL');
    expect(await g.cat('/x.txt')).toBe('x');
  });

  it('tgzIn unpacks a gzip archive; pwriteDevice writes a device', async () => {
    await g.mkdir('/tgz');
    await g.tgzIn(path.join(dir, 'tgzOut.tar'), '/tgz');
    expect(await g.cat('/tgz/hostname')).toBe('content-test\n');
    await g.mkdir('/txz');
    await g.txzIn(path.join(dir, 'txzOut.tar'), '/txz');
    expect(await g.cat('/txz/hostname')).toBe('content-test\n');
    // The boot sector's first bytes: unused by ext4.
    expect(await g.pwriteDevice('/dev/sda', 'vmcraft', 0)).toBe(7);
    expect((await g.preadDevice('/dev/sda', 7, 0)).toString()).toBe('vmcraft');
  });

  it('file and fileArchitecture on crafted content: a gzip bomb, a big file, a PE header pointing far away', async () => {
    // 1 GB of zeros gzipped: file(1) sees its first MiB, under limits, and answers at once.
    const { stdout: bomb } = await execa('sh', ['-c', 'head -c 1000000000 /dev/zero | gzip -1 | head -c 1048576'], { encoding: 'buffer' });
    await g.write('/bomb.gz', bomb);
    const started = Date.now();
    expect(await g.file('/bomb.gz')).toMatch(/gzip compressed data/);
    expect(Date.now() - started).toBeLessThan(10_000);
    await g.write('/big.txt', 'x'.repeat(3 * 1024 * 1024));
    expect(await g.file('/big.txt')).toMatch(/^ASCII text/);
    const pe = Buffer.alloc(0x100);
    pe.write('MZ', 0, 'latin1');
    pe.writeUInt32LE(0x7fffffff, 0x3c);
    await g.write('/far.exe', pe);
    expect(await code(g.fileArchitecture('/far.exe'))).toBe('EINVAL');
  });

  it('copyIn of a host symlink copies the link', async () => {
    const link = path.join(dir, 'attack-src', 'a-link');
    await symlink('/etc/shadow', link);
    await g.copyIn(link, '/');
    expect(await g.readlink('/a-link')).toBe('/etc/shadow');
    expect(await code(g.copyIn(link, '/x.txt'))).toBe('ENOTDIR');
    expect(await code(g.copyIn(path.join(dir, 'missing'), '/'))).toBe('ENOENT');
  });
});

describe('the debian12 fixture, read-only', () => {
  it('answers the content calls and stays byte-identical', async () => {
    const fixture = (await loadFixtures()).debian12!.path;
    const before = await sha256File(fixture);
    const g = await GuestFS.open(fixture, { readonly: true, tmpDir: dir });
    try {
      const [root] = await g.inspectOs();
      await g.mountRoot(root!);
      expect(await g.realpath('/bin/ls')).toBe('/usr/bin/ls');
      expect(await g.fileArchitecture('/bin/ls')).toBe(await g.inspectGetArch(root!));
      expect(await g.file('/usr/bin/ls')).toMatch(/^ELF 64-bit LSB pie executable, x86-64/);
      expect(await g.file('/bin')).toBe('symbolic link');
      expect(await g.grep('^root:', '/etc/passwd')).toEqual(['root:x:0:0:root:/root:/bin/bash']);
      expect(await g.head('/etc/passwd')).toEqual((await g.readLines('/etc/passwd')).slice(0, 10));
      expect(await g.ll('/etc/apt')).toMatch(/^drwxr-xr-x +\d+ 0 0 .* sources\.list\.d$/m);
      const tarfile = path.join(dir, 'debian-apt.tar.zst');
      await g.tarOut('/etc/apt', tarfile, { compress: 'zstd' });
      const members = (await execa('tar', ['--zstd', '-tf', tarfile])).stdout.split('\n').filter((m) => m !== './').map((m) => m.replace(/^\.\//, '').replace(/\/$/, ''));
      expect(members.sort()).toEqual(((await g.find('/etc/apt')) as string[]).sort());
    } finally {
      await g.close();
    }
    expect(await sha256File(fixture)).toBe(before);
  }, 60_000);
});
