/**
 * The small virt-* tools as vmcraft subcommands (src/cli/tools/), driven through the built CLI
 * on the Debian fixture (read-only, checked byte-identical) and on overlays of it (the writing
 * tools): the tools' own line formats, --json, exit codes 2 (usage) and 1 (failed operation),
 * copy and tar round trips, and guest symlinks that try to leave the guest.
 */
import { mkdir, readdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixtures, type FixtureManifest } from '../../fixtures/lib/manifest.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { assertBuiltCliFresh, BUILT_CLI, type CliRun } from '../../helpers/cli.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { buildWindowsImage } from '../../helpers/windows-image.js';

let fx: FixtureManifest;
let debian: string;
let fixtureDir: string;
let before: string;
let dir: string;
let remove: () => Promise<void>;

/** `vmcraft ARGS` from dist/, with TMPDIR in the scratch directory; never rejects. */
async function vmcraft(args: string[], input?: string | Buffer): Promise<CliRun & { stdoutBytes: Buffer }> {
  const r = await execa('node', [BUILT_CLI, ...args], { reject: false, env: { TMPDIR: dir }, encoding: 'buffer', stripFinalNewline: false, ...(input !== undefined ? { input } : { stdin: 'ignore' }) });
  return { exitCode: r.exitCode, stdout: Buffer.from(r.stdout).toString('utf8'), stderr: Buffer.from(r.stderr).toString('utf8'), stdoutBytes: Buffer.from(r.stdout) };
}

/** A fresh qcow2 overlay on the Debian fixture (the writing tools' target); opened with --chain-dir. */
async function overlay(name: string): Promise<string[]> {
  const file = path.join(dir, name);
  await execa('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', debian, '-F', 'qcow2', file]);
  return ['--chain-dir', fixtureDir, file];
}

const lines = (r: CliRun) => r.stdout.replace(/\n$/, '').split('\n');

beforeAll(async () => {
  await assertBuiltCliFresh(['src']);
  fx = await loadFixtures();
  debian = fx.debian12!.path;
  fixtureDir = path.dirname(debian);
  before = await sha256File(debian);
  ({ dir, remove } = await scratchDir('cli-tools'));
});
afterAll(async () => {
  // The read-only tools left the fixture as it was, and nothing stays behind.
  expect(await sha256File(debian)).toBe(before);
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

describe('ls (virt-ls)', () => {
  it('lists a directory, one name a line; old-style operands and -a mean the same', async () => {
    const r = await vmcraft(['ls', debian, '/boot']);
    expect(r.exitCode).toBe(0);
    expect(lines(r)).toEqual(['config-6.1.0-28-amd64', 'lost+found', 'vmlinuz-6.1.0-28-amd64']);
    expect((await vmcraft(['ls', '-a', debian, '/boot'])).stdout).toBe(r.stdout);
  });

  it('-R lists the tree with paths relative to the directory (guestfs find)', async () => {
    const r = await vmcraft(['ls', '-R', debian, '/etc/apt']);
    expect(r.exitCode).toBe(0);
    expect(lines(r)).toContain('apt.conf.d');
    expect(lines(r).every((l) => !l.startsWith('/'))).toBe(true);
  });

  it('-lR --checksums=sha256 prints virt-ls\'s lines: type, mode, size, checksum, path, -> target', async () => {
    const r = await vmcraft(['ls', '-lR', '--checksums=sha256', '--time-days', debian, '/etc']);
    expect(r.exitCode).toBe(0);
    const hostname = lines(r).find((l) => l.endsWith(' /etc/hostname'))!;
    // "-", the mode in 4 octal digits, then the size right-aligned in 10 columns, three day counts in 3, the checksum, the path.
    expect(hostname).toMatch(/^- [0-7]{4} {1,}\d+ {1,3}\d+ {1,3}\d+ {1,3}\d+ [0-9a-f]{64} \/etc\/hostname$/);
    expect(hostname.slice(7, 17)).toBe('15'.padStart(10));
    expect(hostname.split(' ').at(-2)).toBe(fx.debian12!.files['/etc/hostname']);
    expect(lines(r)[0]).toMatch(/^d 0755 {1,}\d+ +\d+ +\d+ +\d+ \/etc$/);
    const link = lines(r).find((l) => l.startsWith('l '));
    if (link) expect(link).toMatch(/^l \d{4} +\d+ +\d+ +\d+ +\d+ \/etc\/\S+ -> \S+$/);
  });

  it('--json gives the entries with their stat fields', async () => {
    const r = await vmcraft(['ls', '-lR', '--json', debian, '/boot']);
    const entries = JSON.parse(r.stdout) as { path: string; type: string; perms: number; size: number }[];
    expect(entries.map((e) => e.path)).toEqual(['/boot', '/boot/config-6.1.0-28-amd64', '/boot/lost+found', '/boot/vmlinuz-6.1.0-28-amd64', ]);
    expect(entries[0]).toMatchObject({ type: 'directory', perms: 0o755 });
  });

  it('refuses -lR-only flags without -lR, and -h with --csv: exit 2 with a one-line reason', async () => {
    const r = await vmcraft(['ls', '--csv', debian, '/boot']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/can only be combined with -lR/);
    expect((await vmcraft(['ls', '-lR', '--csv', '-h', debian, '/boot'])).exitCode).toBe(2);
    expect((await vmcraft(['ls', '-lR', '--checksums=whirlpool', debian, '/boot'])).stderr).toMatch(/unknown checksum type whirlpool/);
    expect((await vmcraft(['ls', debian])).exitCode).toBe(2);
  });

  it('fails with exit 1 on a missing directory', async () => {
    const r = await vmcraft(['ls', debian, '/no/such/dir']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('ENOENT');
  });
});

describe('cat (virt-cat)', () => {
  it('prints the file\'s bytes, and several files with -a; --json maps path to content', async () => {
    const r = await vmcraft(['cat', debian, '/etc/hostname']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('vmcraft-debian\n');
    const both = await vmcraft(['cat', '-a', debian, '/etc/hostname', '/etc/debian_version']);
    expect(both.stdout.startsWith('vmcraft-debian\n12.')).toBe(true);
    expect(JSON.parse((await vmcraft(['cat', '--json', debian, '/etc/hostname'])).stdout)).toEqual({ '/etc/hostname': 'vmcraft-debian\n' });
  });

  it('fails with exit 1 on a missing file', async () => {
    const r = await vmcraft(['cat', debian, '/etc/missing']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('ENOENT');
  });
});

describe('df (virt-df)', () => {
  it('prints virt-df\'s columns, -h sizes and CSV', async () => {
    const r = await vmcraft(['df', debian]);
    expect(r.exitCode).toBe(0);
    expect(lines(r)[0]).toBe(`${'Filesystem'.padEnd(36)}${'1K-blocks'.padStart(10)} ${'Used'.padStart(10)} ${'Available'.padStart(10)} ${'Use%'.padStart(5)}`);
    expect(lines(r).slice(1).map((l) => l.slice(0, 36).trimEnd())).toEqual(['debian12.qcow2:/dev/sda1', 'debian12.qcow2:/dev/sda2']);
    for (const row of lines(r).slice(1)) expect(row.slice(36)).toMatch(/^ *\d+ +\d+ +\d+ +\d+%$/);
    const json = JSON.parse((await vmcraft(['df', '--json', debian])).stdout) as { device: string; bsize: number; blocks: number; bfree: number }[];
    const root = json.find((f) => f.device === '/dev/sda2')!;
    // The 1K-blocks column is blocks × bsize / 1024, Use% is rounded up.
    const rootLine = lines(r)[2]!.slice(36).trim().split(/ +/);
    expect(Number(rootLine[0])).toBe((root.blocks * root.bsize) / 1024);
    expect(rootLine[3]).toBe(`${Math.ceil(100 - (100 * root.bfree) / root.blocks)}%`);
    const human = await vmcraft(['df', '-h', debian]);
    expect(lines(human)[0]).toMatch(/^Filesystem {26} {6}Size {7}Used  Available  Use%$/);
    expect(lines(human)[2]).toMatch(/^debian12\.qcow2:\/dev\/sda2 +\d+(\.\d)?[KMG] +\d+(\.\d)?[KMG] +\d+(\.\d)?[KMG] +\d+%$/);
    const csv = await vmcraft(['df', '--csv', debian]);
    expect(lines(csv)[0]).toBe('VirtualMachine,Filesystem,1K-blocks,Used,Available,Use%');
    expect(lines(csv)[2]).toMatch(/^debian12\.qcow2,\/dev\/sda2,\d+,\d+,\d+,\d+\.\d$/);
  });

  it('exits 2 without an image, 1 on an image that does not exist', async () => {
    expect((await vmcraft(['df'])).exitCode).toBe(2);
    expect((await vmcraft(['df', '--csv', '-h', debian])).exitCode).toBe(2);
    expect((await vmcraft(['df', path.join(dir, 'missing.qcow2')])).exitCode).toBe(1);
  });
});

describe('filesystems (virt-filesystems)', () => {
  it('lists the filesystems, and everything in columns with --all --long', async () => {
    expect(lines(await vmcraft(['filesystems', debian]))).toEqual(['/dev/sda1', '/dev/sda2']);
    const r = await vmcraft(['filesystems', '--all', '--long', '-a', debian]);
    expect(r.exitCode).toBe(0);
    const rows = lines(r).map((l) => l.split(/ +/));
    expect(rows[0]).toEqual(['Name', 'Type', 'VFS', 'Label', 'Size', 'Parent']);
    expect(rows).toContainEqual(['/dev/sda2', 'filesystem', 'ext4', 'rootfs', String(1280 * 2 ** 20), '-']);
    expect(rows).toContainEqual(['/dev/sda1', 'partition', '-', '-', String(128 * 2 ** 20), '/dev/sda']);
    expect(rows.find((row) => row[1] === 'device')?.[0]).toBe('/dev/sda');
    // Columns are aligned: every row's Type starts where the header's does.
    expect(new Set(lines(r).map((l) => l.indexOf(l.split(/ +/)[1]!, l.split(/ +/)[0]!.length)))).toEqual(new Set([lines(r)[0]!.indexOf('Type')]));
    const csv = await vmcraft(['filesystems', '--partitions', '--long', '--csv', debian]);
    expect(lines(csv)).toEqual(['Name,Type,Size,Parent', `/dev/sda1,partition,${128 * 2 ** 20},/dev/sda`, `/dev/sda2,partition,${1280 * 2 ** 20},/dev/sda`]);
    expect(JSON.parse((await vmcraft(['filesystems', '--json', debian])).stdout)).toEqual([
      { name: '/dev/sda1', type: 'filesystem', vfs: 'ext4', label: 'boot', size: 128 * 2 ** 20 },
      { name: '/dev/sda2', type: 'filesystem', vfs: 'ext4', label: 'rootfs', size: 1280 * 2 ** 20 },
    ]);
  });
});

describe('copy-out, copy-in, tar-out, tar-in', () => {
  it('copy-out copies files and trees into a host directory, byte for byte', async () => {
    const out = path.join(dir, 'out');
    await mkdir(out);
    const r = await vmcraft(['copy-out', debian, '/etc/hostname', '/boot', out]);
    expect(r.exitCode).toBe(0);
    expect(await sha256File(path.join(out, 'hostname'))).toBe(fx.debian12!.files['/etc/hostname']);
    expect((await readFile(path.join(out, 'boot/config-6.1.0-28-amd64'))).length).toBe(20);
  });

  it('copy-in then copy-out gives the same tree back; guest symlinks stay links and resolve inside the guest', async () => {
    const img = await overlay('copy.qcow2');
    const src = path.join(dir, 'tree');
    await mkdir(path.join(src, 'sub'), { recursive: true });
    await writeFile(path.join(src, 'sub/a.txt'), 'alpha\n');
    // A link that would reach the host's /etc/hostname if followed on the host.
    await symlink('../../../../../../../etc/hostname', path.join(src, 'escape'));
    expect((await vmcraft(['copy-in', src, img[2]!, '/root', ...img.slice(0, 2)])).exitCode).toBe(0);
    expect((await vmcraft(['cat', ...img, '/root/tree/sub/a.txt'])).stdout).toBe('alpha\n');
    expect((await vmcraft(['cat', ...img, '/root/tree/escape'])).stdout).toBe('vmcraft-debian\n');
    const back = path.join(dir, 'back');
    await mkdir(back);
    expect((await vmcraft(['copy-out', ...img, '/root/tree', back])).exitCode).toBe(0);
    expect(await readFile(path.join(back, 'tree/sub/a.txt'), 'utf8')).toBe('alpha\n');
    expect(await readlink(path.join(back, 'tree/escape'))).toBe('../../../../../../../etc/hostname');
  });

  it('tar-out to standard output and tar-in from standard input round-trip a directory', async () => {
    const out = await vmcraft(['tar-out', debian, '/etc/apt', '-']);
    expect(out.exitCode).toBe(0);
    const members = async (tar: Buffer) => String((await execa('tar', ['-t'], { input: tar })).stdout).split('\n').sort();
    const list = await members(out.stdoutBytes);
    expect(list).toContain('./apt.conf.d/');
    const img = await overlay('tar.qcow2');
    const tin = await vmcraft(['tar-in', '-', img[2]!, '/srv', ...img.slice(0, 2)], out.stdoutBytes);
    expect(tin.exitCode).toBe(0);
    const again = await vmcraft(['tar-out', '--compress', 'gzip', ...img, '/srv', path.join(dir, 'srv.tar.gz')]);
    expect(again.exitCode).toBe(0);
    const gz = String((await execa('tar', ['-tzf', path.join(dir, 'srv.tar.gz')])).stdout).split('\n');
    for (const member of list) expect(gz).toContain(member);
  });

  it('bad usage exits 2; a failed copy exits 1', async () => {
    expect((await vmcraft(['copy-out', debian])).exitCode).toBe(2);
    expect((await vmcraft(['tar-out', '--compress', 'rar', debian, '/etc', path.join(dir, 'x.tar')])).stderr.split('\n')[0]).toMatch(/unknown compression rar/);
    const r = await vmcraft(['copy-out', debian, '/etc/missing', dir]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('/etc/missing is not a file or directory');
  });
});

describe('make-fs (virt-make-fs)', () => {
  it('makes an image from a directory, partitioned and labelled, that ls -m reads back', async () => {
    const src = path.join(dir, 'mkfs-in');
    await mkdir(path.join(src, 'sub'), { recursive: true });
    await writeFile(path.join(src, 'sub/f.txt'), 'hello\n');
    await symlink('/etc/passwd', path.join(src, 'link'));
    const out = path.join(dir, 'made.qcow2');
    const r = await vmcraft(['make-fs', src, out, '--type', 'ext4', '--label', 'data', '--partition=gpt', '-F', 'qcow2', '--size=+8M', '--json']);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ output: out, format: 'qcow2', type: 'ext4', device: '/dev/sda1' });
    expect(String((await execa('qemu-img', ['info', '--output=json', out])).stdout)).toContain('"format": "qcow2"');
    expect(lines(await vmcraft(['filesystems', '--long', out]))[1]!.split(/ +/).slice(0, 4)).toEqual(['/dev/sda1', 'filesystem', 'ext4', 'data']);
    const ls = await vmcraft(['ls', '-lR', '-m', '/dev/sda1', out, '/']);
    expect(lines(ls)).toContain('l 0777         11 /link -> /etc/passwd');
    expect(lines(ls).filter((l) => /^- 0[0-7]{3} {10}6 \/sub\/f\.txt$/.test(l))).toHaveLength(1);
    expect((await vmcraft(['cat', '-m', '/dev/sda1', out, '/sub/f.txt'])).stdout).toBe('hello\n');
  });

  it('makes an image from a tarball with an exact --size', async () => {
    const src = path.join(dir, 'mkfs-tar');
    await mkdir(src);
    await writeFile(path.join(src, 'a'), 'A');
    await execa('tar', ['-C', src, '-czf', path.join(dir, 'in.tgz'), '.']);
    const out = path.join(dir, 'fromtar.img');
    expect((await vmcraft(['make-fs', path.join(dir, 'in.tgz'), out, '--size=20M'])).exitCode).toBe(0);
    expect((await execa('stat', ['-c', '%s', out])).stdout).toBe(String(20 * 2 ** 20));
    expect((await vmcraft(['cat', '-m', '/dev/sda', out, '/a'])).stdout).toBe('A');
  });

  it('exits 2 on bad usage (unknown partition type, existing output, compressed tarball without --size) and leaves no image behind a failure', async () => {
    const src = path.join(dir, 'mkfs-in');
    expect((await vmcraft(['make-fs', src, path.join(dir, 'x.img'), '--partition=bsd'])).exitCode).toBe(2);
    expect((await vmcraft(['make-fs', src, path.join(dir, 'x.img'), '--size=lots'])).stderr.split('\n')[0]).toMatch(/--size: expected N or \+N/);
    expect((await vmcraft(['make-fs', src, path.join(dir, 'made.qcow2')])).stderr.split('\n')[0]).toMatch(/exists/);
    expect((await vmcraft(['make-fs', path.join(dir, 'in.tgz'), path.join(dir, 'x.img')])).exitCode).toBe(2);
    const failed = await vmcraft(['make-fs', src, path.join(dir, 'bad.img'), '--type', 'nosuchfs']);
    expect(failed.exitCode).toBe(1);
    await expect(readFile(path.join(dir, 'bad.img'))).rejects.toThrow(/ENOENT/);
  });
});

describe('sparsify (virt-sparsify)', () => {
  /** A 64 MiB ext4 raw image that held 20 MiB of random data, deleted: the blocks are still allocated. */
  async function usedImage(name: string): Promise<string> {
    const img = path.join(dir, name);
    await execa('truncate', ['-s', '64M', img]);
    await execa('mkfs.ext4', ['-q', img]);
    const big = path.join(dir, `${name}.bin`);
    await execa('dd', ['if=/dev/urandom', `of=${big}`, 'bs=1M', 'count=20', 'status=none']);
    expect((await vmcraft(['copy-in', '-m', '/dev/sda', big, img, '/'])).exitCode).toBe(0);
    expect((await vmcraft(['-a', img, '--run', 'mount /dev/sda /', '--run', 'rm /' + path.basename(big)])).exitCode).toBe(0);
    return img;
  }
  const allocatedKiB = async (file: string) => Number(String((await execa('du', ['-k', file])).stdout).split('\t')[0]);

  it('copying mode: a sparse copy with the same files, the input unchanged', async () => {
    const img = await usedImage('sp.raw');
    const hash = await sha256File(img);
    expect(await allocatedKiB(img)).toBeGreaterThan(20_000);
    const out = path.join(dir, 'sp-out.qcow2');
    const r = await vmcraft(['sparsify', img, out, '--convert', 'qcow2', '--json']);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ format: 'qcow2', zeroed: ['/dev/sda'] });
    expect(await sha256File(img)).toBe(hash);
    expect(await allocatedKiB(out)).toBeLessThan(5_000);
    expect(lines(await vmcraft(['ls', '-m', '/dev/sda', out, '/']))).toEqual(['lost+found']);
    expect((await vmcraft(['sparsify', img, out])).exitCode).toBe(1); // the output exists
  });

  it('--in-place discards the free space of the image itself', async () => {
    const img = await usedImage('ip.raw');
    const r = await vmcraft(['sparsify', '--in-place', img]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('Sparsify in-place operation completed with no errors.\n');
    expect(await allocatedKiB(img)).toBeLessThan(5_000);
    expect((await vmcraft(['sparsify', '--in-place', img, path.join(dir, 'x.raw')])).exitCode).toBe(2);
    expect((await vmcraft(['sparsify', img])).exitCode).toBe(2);
  });
});

describe('win-reg (virt-win-reg)', () => {
  it('exports a key with full HKEY_LOCAL_MACHINE names, merges a .reg file, and leaves the image as it was when exporting', async () => {
    const win = path.join(dir, 'win');
    await mkdir(win);
    const img = path.join(win, 'win.img');
    await buildWindowsImage(win, img);
    const hash = await sha256File(img);
    const r = await vmcraft(['win-reg', img, 'HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion']);
    expect(r.exitCode).toBe(0);
    expect(lines(r).slice(0, 3)).toEqual(['Windows Registry Editor Version 5.00', '', '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion]']);
    expect(lines(r)).toContain('"CurrentMajorVersionNumber"=dword:0000000a');
    expect(await sha256File(img)).toBe(hash);
    const reg = path.join(dir, 'merge.reg');
    await writeFile(reg, 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Vmcraft]\r\n"Hello"=dword:00000007\r\n');
    const merged = await vmcraft(['win-reg', '--merge', img, reg, '--json']);
    expect(merged.exitCode).toBe(0);
    expect((JSON.parse(merged.stdout) as { backups: string[] }).backups).toHaveLength(1);
    expect(lines(await vmcraft(['win-reg', img, 'HKLM\\SOFTWARE\\Vmcraft']))).toEqual(['Windows Registry Editor Version 5.00', '', '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Vmcraft]', '"Hello"=dword:00000007', '']);
    const bad = await vmcraft(['win-reg', img, 'HKCU\\Software']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr.split('\n')[0]).toMatch(/expected HKLM/);
    expect((await vmcraft(['win-reg', debian, 'HKLM\\SOFTWARE\\X'])).stderr).toMatch(/no Windows guest/);
  });
});

describe('VM mode', () => {
  it('copy-out --vm copies a tree out of a session in a VM (the host directory staged through the share)', async () => {
    const out = path.join(dir, 'vm-out');
    await mkdir(out);
    const r = await vmcraft(['copy-out', '--vm', debian, '/etc/hostname', '/etc/apt', out]);
    expect(r.exitCode).toBe(0);
    expect(await sha256File(path.join(out, 'hostname'))).toBe(fx.debian12!.files['/etc/hostname']);
    expect((await readdir(path.join(out, 'apt'))).sort()).toEqual(lines(await vmcraft(['ls', debian, '/etc/apt'])));
  }, 120_000);
});
