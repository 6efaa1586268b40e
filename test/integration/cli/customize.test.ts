/**
 * `vmcraft customize` as virt-customize: its man page's documented examples (libguestfs
 * customize/virt-customize.pod has no EXAMPLES section; these are the example command lines of its
 * OPTIONS section, adapted only for the image paths, or as each comment says), every operation,
 * the order, dry runs and bad operations, each result checked in the image afterwards; --scrub
 * (its content no longer in the image), --truncate-recursive and the `locked:` password selectors
 * (virt-builder's USERS AND PASSWORDS: `!!` before the hash, `!!*` for locked and disabled).
 */
import { copyFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixtures } from '../../fixtures/lib/manifest.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { cliRunner } from '../../helpers/cli.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { GuestFS } from '../../../src/index.js';

let dir: string;
let remove: () => Promise<void>;
let fixture: string;
let n = 0;

beforeAll(async () => {
  fixture = (await loadFixtures()).debian12!.path;
  ({ dir, remove } = await scratchDir('customize'));
});
afterAll(async () => remove());

const vmcraft = cliRunner(() => dir);

/** A fresh copy of the Debian fixture. */
async function image(): Promise<string> {
  const copy = path.join(dir, `debian-${n++}.qcow2`);
  await copyFile(fixture, copy);
  return copy;
}

/** Runs customize; fails the test with its stderr unless it exits 0. */
async function customize(args: string[]): Promise<string[]> {
  const r = await vmcraft(['customize', ...args]);
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return r.stdout.split('\n').map((l) => l.replace(/^\[ *\d+\.\d\] /, ''));
}

/** A read-only session on `img` with the guest mounted, for checking results. */
async function look<T>(img: string, work: (g: GuestFS) => Promise<T>): Promise<T> {
  const g = new GuestFS({ readonly: true });
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

const cat = (img: string, file: string) => look(img, (g) => g.read(file, 'utf8'));

describe("virt-customize's documented examples", () => {
  it('--format raw -a disk.img, and --format raw -a disk.img --format auto -a another.img (per drive)', async () => {
    // Adapted: the fixture is qcow2, so `--format qcow2` stands for `--format raw`; another.img is a blank raw disk.
    const img = await image();
    const another = path.join(dir, 'another.img');
    await execa('truncate', ['-s', '16M', another]);
    await execa('mkfs.ext4', ['-q', '-F', another]);
    expect(await customize(['--format', 'qcow2', '-a', img, '--touch', '/one'])).toContain('Running touch: /one');
    await customize(['--format', 'qcow2', '-a', img, '--format', 'auto', '-a', another, '--touch', '/two']);
    expect(await look(img, async (g) => [await g.isFile('/one'), await g.isFile('/two')])).toEqual([true, true]);
    // A wrong format for a drive is refused: the per-drive format really applies.
    const wrong = await vmcraft(['customize', '--format', 'raw', '-a', img, '--touch', '/three']);
    expect(wrong.exitCode).toBe(1);
  });

  it("--append-line '/etc/hosts:10.0.0.1 foo' (the file need not exist), twice for two lines, and after a blank line", async () => {
    const img = await image();
    await customize(['-a', img, '--append-line', '/etc/hosts:10.0.0.1 foo']);
    expect(await cat(img, '/etc/hosts')).toBe('10.0.0.1 foo\n');
    await customize(['-a', img, '--append-line', '/etc/hosts:10.0.0.1 foo', '--append-line', '/etc/hosts:10.0.0.2 bar']);
    expect(await cat(img, '/etc/hosts')).toBe('10.0.0.1 foo\n10.0.0.1 foo\n10.0.0.2 bar\n');
    await customize(['-a', img, '--append-line', '/etc/hosts:', '--append-line', '/etc/hosts:10.0.0.1 foo']);
    expect(await cat(img, '/etc/hosts')).toBe('10.0.0.1 foo\n10.0.0.1 foo\n10.0.0.2 bar\n\n10.0.0.1 foo\n');
  });

  it('--commands-from-file with delete, install and password lines', async () => {
    const img = await image();
    // The example needs /some/file and some-user in the guest: made here first.
    await customize(['-a', img, '--run-command', 'useradd -m some-user', '--mkdir', '/some', '--touch', '/some/file']);
    const file = path.join(dir, 'commands');
    // Adapted: `install some-package` needs a package mirror; firstboot-install is its offline
    // equivalent (the install runs at the guest's first boot; checked below as the script it leaves).
    await writeFile(file, '# from virt-customize(1)\ndelete /some/file\nfirstboot-install some-package\npassword some-user:password:its-new-password\n');
    await customize(['-a', img, '--commands-from-file', file]);
    const [exists, shadow, scripts] = await look(img, async (g) => [await g.exists('/some/file'), await g.read('/etc/shadow', 'utf8'), await g.globExpand('/usr/local/lib/vmcraft/firstboot.d/*')] as const);
    expect(exists).toBe(false);
    const hash = shadow.split('\n').find((l) => l.startsWith('some-user:'))!.split(':')[1]!;
    expect((await execa('openssl', ['passwd', '-6', '-salt', hash.split('$')[2]!, '-stdin'], { input: 'its-new-password' })).stdout).toBe(hash);
    expect(scripts).toHaveLength(1);
    expect(await cat(img, scripts[0]!)).toContain("apt-get install -y -qq --no-install-recommends \"$@\"' sh some-package");
  });

  it('--commands-from-file: a line continued with \\ (edit /some/file:\\ s/^OPT=.*/OPT=ok/)', async () => {
    const img = await image();
    await customize(['-a', img, '--mkdir', '/some', '--write', '/some/file:A=1\nOPT=bad\nB=2\n']);
    const file = path.join(dir, 'edit-commands');
    await writeFile(file, 'edit /some/file:\\\n  s/^OPT=.*/OPT=ok/\n');
    expect(await customize(['-a', img, '--commands-from-file', file])).toContain('Editing: /some/file');
    expect(await cat(img, '/some/file')).toBe('A=1\nOPT=ok\nB=2\n');
  });

  it("--delete '/var/log/*.log' (a glob)", async () => {
    const img = await image();
    expect((await look(img, (g) => g.globExpand('/var/log/*.log'))).length).toBeGreaterThan(0);
    await customize(['-a', img, '--delete', '/var/log/*.log']);
    expect(await look(img, async (g) => [await g.globExpand('/var/log/*.log'), await g.isDir('/var/log/apt')])).toEqual([[], true]);
  });
});

describe('every operation, in the order given', () => {
  it('runs each operation and its result is in the image', async () => {
    const img = await image();
    const up = path.join(dir, 'up.txt');
    await writeFile(up, 'uploaded\n');
    const tree = path.join(dir, 'tree');
    await mkdir(path.join(tree, 'sub'), { recursive: true });
    await writeFile(path.join(tree, 'sub', 'f'), 'in a tree\n');
    const run = path.join(dir, 'run.sh');
    await writeFile(run, '#!/bin/sh\necho "ran as $(id -u)" > /root/run-out\n');
    const fb = path.join(dir, 'fb.sh');
    await writeFile(fb, 'echo first boot\n');
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH0vmcraftCustomizeTestKey0000000000000000000 ops@host';
    const keyFile = path.join(dir, 'key.pub');
    await writeFile(keyFile, `${key}\n`);
    const out = await customize([img, '--hostname', 'box.example.com', '--timezone', 'Europe/Paris',
      '--run-command', 'echo hi > /root/ran', '--run', run,
      '--mkdir', '/opt/a/b', '--upload', `${up}:/opt/a`, '--upload', `${up}:/opt/renamed`, '--copy-in', `${tree}:/opt`,
      '--copy', '/opt/tree:/opt/tree2', '--move', '/opt/renamed:/opt/moved',
      '--write', '/etc/f:a', '--append-line', '/etc/f:b', '--edit', '/etc/f:s/^a$/A/', '--chmod', '0600:/etc/f',
      '--link', '/etc/f:/l1:/l2', '--touch', '/t', '--write', '/tr:data', '--truncate', '/tr',
      '--root-password', 'random', '--ssh-inject', `root:string:${key}`, '--ssh-inject', `root:file:${keyFile}`,
      '--firstboot', fb, '--firstboot-command', 'echo fb2', '--selinux-relabel']);
    expect(out[0]).toBe('Examining the guest ...');
    expect(out.slice(2)).toEqual(['Setting the hostname: box.example.com', 'Setting the timezone: Europe/Paris', 'Running: echo hi > /root/ran', `Running: ${run}`,
      'Making directory: /opt/a/b', `Uploading: ${up} to /opt/a`, `Uploading: ${up} to /opt/renamed`, `Copying: ${tree} to /opt`,
      'Copying (in image): /opt/tree to /opt/tree2', 'Moving: /opt/renamed -> /opt/moved',
      'Writing: /etc/f', 'Appending line to /etc/f', 'Editing: /etc/f', 'Changing permissions of /etc/f to 0600',
      'Linking: /l1 -> /etc/f', 'Linking: /l2 -> /etc/f', 'Running touch: /t', 'Writing: /tr', 'Truncating: /tr',
      'Setting password of root', expect.stringMatching(/^Setting random password of root to \S{16}$/), 'SSH key inject: root', 'SSH key inject: root',
      `Installing firstboot script: ${fb}`, 'Installing firstboot command: echo fb2', 'SELinux relabelling', 'The guest has no SELinux: nothing relabelled', 'Finishing off']);
    const got = await look(img, async (g) => ({
      hostname: await g.read('/etc/hostname', 'utf8'), tz: await g.readlink('/etc/localtime'),
      ran: await g.read('/root/ran', 'utf8'), runOut: await g.read('/root/run-out', 'utf8'), runLeft: await g.globExpand('/tmp/vmcraft-run-*'),
      ab: await g.isDir('/opt/a/b'), up: await g.read('/opt/a/up.txt', 'utf8'), moved: await g.read('/opt/moved', 'utf8'), renamed: await g.exists('/opt/renamed'),
      tree: await g.read('/opt/tree/sub/f', 'utf8'), tree2: await g.read('/opt/tree2/sub/f', 'utf8'),
      f: await g.read('/etc/f', 'utf8'), mode: (await g.stat('/etc/f')).mode & 0o7777, links: [await g.readlink('/l1'), await g.readlink('/l2')],
      t: (await g.stat('/t')).size, tr: (await g.stat('/tr')).size,
      keys: await g.read('/root/.ssh/authorized_keys', 'utf8'), root: (await g.read('/etc/shadow', 'utf8')).split('\n')[0]!.split(':')[1]!,
      firstboot: await g.globExpand('/usr/local/lib/vmcraft/firstboot.d/*'),
    }));
    expect(got).toMatchObject({
      hostname: 'box.example.com\n', tz: '../usr/share/zoneinfo/Europe/Paris', ran: 'hi\n', runOut: 'ran as 0\n', runLeft: [],
      ab: true, up: 'uploaded\n', moved: 'uploaded\n', renamed: false, tree: 'in a tree\n', tree2: 'in a tree\n',
      f: 'A\nb\n', mode: 0o600, links: ['/etc/f', '/etc/f'], t: 0, tr: 0, keys: `${key}\n`,
      firstboot: ['/usr/local/lib/vmcraft/firstboot.d/0000-script', '/usr/local/lib/vmcraft/firstboot.d/0001-command'],
    });
    expect(got.root).toMatch(/^\$6\$/);
    expect(await cat(img, got.firstboot[1]!)).toBe('#!/bin/sh\necho fb2\n');
    expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  });

  it('--write f:a --append-line f:b gives a, then b; the other order gives b, then a', async () => {
    const img = await image();
    await customize(['-a', img, '--write', '/f:a', '--append-line', '/f:b']);
    expect(await cat(img, '/f')).toBe('a\nb\n');
    await customize(['-a', img, '--append-line', '/f:b', '--write', '/f:a']);
    expect(await cat(img, '/f')).toBe('a');
  });

  it('--chmod is decimal unless it starts with 0, as virt-customize; --root-password disabled; --password file:', async () => {
    const img = await image();
    const pw = path.join(dir, 'pw');
    await writeFile(pw, 'from-a-file\nignored second line\n');
    await customize(['-a', img, '--touch', '/m', '--chmod', '420:/m', '--root-password', 'disabled', '--password', `root:file:${pw}`, '--password', 'daemon:disabled']);
    const [mode, shadow] = await look(img, async (g) => [(await g.stat('/m')).mode & 0o7777, await g.read('/etc/shadow', 'utf8')] as const);
    expect(mode).toBe(0o644);
    const hash = (u: string) => shadow.split('\n').find((l) => l.startsWith(`${u}:`))!.split(':')[1]!;
    expect(hash('daemon')).toBe('*');
    expect((await execa('openssl', ['passwd', '-6', '-salt', hash('root').split('$')[2]!, '-stdin'], { input: 'from-a-file' })).stdout).toBe(hash('root'));
  });
});

describe('nothing is written unless every operation is good', () => {
  it('-n/--dry-run checks and prints everything and leaves the image byte-identical', async () => {
    const img = await image();
    const before = await sha256File(img);
    const out = await customize(['-n', img, '--hostname', 'dry', '--write', '/etc/dry:x', '--run-command', 'touch /dry']);
    // One read-only session only.
    expect(out).toEqual(['Examining the guest ...', 'Setting the hostname: dry (dry run: not done)', 'Writing: /etc/dry (dry run: not done)', 'Running: touch /dry (dry run: not done)', 'Dry run: nothing written']);
    expect(await sha256File(img)).toBe(before);
  });

  it('a bad operation late in the list fails with rc 1 and leaves the image byte-identical', async () => {
    const img = await image();
    const before = await sha256File(img);
    for (const bad of [['--ssh-inject', 'nosuchuser:string:ssh-ed25519 AAAA k'], ['--timezone', 'Mars/Olympus'], ['--password', 'nosuchuser:random']]) {
      const r = await vmcraft(['customize', img, '--hostname', 'changed', '--write', '/etc/w:x', ...bad]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^vmcraft: EINVAL: the guest has no (user nosuchuser|zoneinfo for `Mars\/Olympus`)/);
      expect(await sha256File(img)).toBe(before);
    }
    const missing = await vmcraft(['customize', img, '--hostname', 'changed', '--upload', `${path.join(dir, 'nothing-here')}:/x`]);
    expect([missing.exitCode, missing.stderr.trim()]).toEqual([1, expect.stringContaining('ENOENT: --upload:')]);
    expect(await sha256File(img)).toBe(before);
    expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  });

  it('bad syntax is bad usage: rc 2 and a one-line reason, before any image is opened', async () => {
    const img = await image();
    const before = await sha256File(img);
    const cases: [string[], string][] = [
      [['--write', 'no-colon'], '--write: expected FILE:CONTENT, got `no-colon`'],
      [['--chmod', '0799:/f'], '--chmod: `0799` is not a mode'],
      [['--edit', '/f:s/(/'], '--edit: the Perl expression does not compile'],
      [['--link', '/t'], '--link: expected TARGET:LINK[:LINK..]'],
      [['--mkdir', 'relative'], '--mkdir: `relative` is not an absolute guest path'],
      [['--root-password', 'plain'], '--root-password: the selector is'],
      [['--ssh-inject', 'root:string:not a key'], 'that is not an OpenSSH public key'],
      [['--hostname', 'bad_name!'], 'is not a valid hostname'],
      [['--install', 'a;rm'], 'package names may hold only'],
    ];
    for (const [args, reason] of cases) {
      const r = await vmcraft(['customize', img, '--touch', '/before', ...args]);
      expect(r.exitCode).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(reason);
      expect(r.stdout).toBe('');
    }
    const file = path.join(dir, 'bad-commands');
    await writeFile(file, 'touch /a\nfrobnicate /b\n');
    const r = await vmcraft(['customize', img, '--commands-from-file', file]);
    expect([r.exitCode, r.stderr.trim()]).toEqual([2, `vmcraft: EINVAL: ${file}:2: unknown command \`frobnicate\``]);
    expect((await vmcraft(['customize', '--touch', '/x'])).exitCode).toBe(2);
    expect(await sha256File(img)).toBe(before);
  });
});

describe('a hostile guest', () => {
  it('guest paths stay in the guest: through a symlink to / and through ..', async () => {
    const img = await image();
    const marker = `vmcraft-escape-${process.pid}`;
    await customize(['-a', img, '--link', '/:/esc', '--write', `/esc/tmp/${marker}:x`, '--write', `/../../../../tmp/${marker}-dots:y`, '--edit', `/esc/tmp/${marker}:s/x/z/`]);
    expect(await stat(`/tmp/${marker}`).catch(() => undefined)).toBeUndefined();
    expect(await stat(`/tmp/${marker}-dots`).catch(() => undefined)).toBeUndefined();
    expect([await cat(img, `/tmp/${marker}`), await cat(img, `/tmp/${marker}-dots`)]).toEqual(['z', 'y']);
  });

  it("--edit gives perl the file's content on stdin, never a guest path: a file named like a perl option is just a file", async () => {
    const img = await image();
    await customize(['-a', img, '--write', '/-e:print "pwned"', '--edit', '/-e:s/print/PRINT/']);
    expect(await cat(img, '/-e')).toBe('PRINT "pwned"');
  });
});

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

  it('a guest symlink that points at a host path resolves inside the guest: the host file is untouched (and a bad locked flag is EINVAL)', async () => {
    const img = await image();
    const canary = path.join(dir, 'host-canary');
    await writeFile(canary, 'host data');
    const g = new GuestFS();
    g.addDrive(img);
    await g.launch();
    const missing = await (async () => {
      try {
        await g.mountRoot((await g.inspectOs())[0]!);
        await g.lnS(canary, '/srv/escape');
        await g.lnS(`../../../../../../..${canary}`, '/srv/escape-dots');
        // And setPassword's locked flag is a boolean or nothing: a typed error, the shadow file untouched.
        await expect(g.setPassword('root', { password: 'x', locked: 'yes' } as never)).rejects.toMatchObject({ code: 'EINVAL' });
        return await Promise.all(['/srv/escape', '/srv/escape-dots'].map((p) => g.scrubFile(p).then(() => 'scrubbed', (e: { code: string }) => e.code)));
      } finally {
        await g.close();
      }
    })();
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

describe('VM mode', () => {
  it('customize --vm: host files (a regular file, a directory) reach the guest, --edit runs the host perl; --scrub, --truncate-recursive and a locked: password in the VM', async () => {
    const img = await image();
    const up = path.join(dir, 'vm-up.txt');
    await writeFile(up, 'up in a VM\n');
    const tree = path.join(dir, 'vm-tree');
    await mkdir(tree, { recursive: true });
    await writeFile(path.join(tree, 'x'), 'tree in a VM\n');
    await customize(['--vm', img, '--upload', `${up}:/root`, '--copy-in', `${tree}:/root`, '--write', '/etc/f:a', '--edit', '/etc/f:s/a/b/', '--run-command', 'cat /root/vm-tree/x > /root/copied',
      '--scrub', '/root/vm-up.txt', '--truncate-recursive', '/root/vm-tree', '--root-password', 'locked:disabled']);
    expect(await look(img, async (g) => [await g.read('/root/copied', 'utf8'), await g.read('/etc/f', 'utf8'), await g.exists('/root/vm-up.txt'), (await g.lstat('/root/vm-tree/x')).size, shadowField(await g.read('/etc/shadow', 'utf8'), 'root')]))
      .toEqual(['tree in a VM\n', 'b', false, 0, '!!*']);
    expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  }, 300_000);
});

describe('the table call it added', () => {
  it('uninstallPackages is refused in a read-only session with EREADONLY', async () => {
    const g = new GuestFS({ readonly: true });
    g.addDrive(fixture);
    await g.launch();
    try {
      await expect(g.uninstallPackages(['nano'])).rejects.toMatchObject({ code: 'EREADONLY' });
    } finally {
      await g.close();
    }
  });
});
