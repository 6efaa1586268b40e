import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixtures, type FixtureManifest } from '../../fixtures/lib/manifest.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { CLI, cliRunner } from '../../helpers/cli.js';
import { scratchDir } from '../../helpers/images.js';
import { openTerminal, type Terminal } from '../../helpers/tmux.js';
import { buildWindowsImage } from '../../helpers/windows-image.js';
import { GuestFS } from '../../../src/index.js';

async function sha256(file: string): Promise<string> {
  return String((await execa('sha256sum', [file])).stdout).split(' ')[0]!;
}

let fx: FixtureManifest;
let dir: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  fx = await loadFixtures();
  ({ dir, remove } = await scratchDir('cli'));
});
afterAll(async () => remove());

const vmcraft = cliRunner(() => dir);

describe('one-shot mode', () => {
  it('runs --run commands in order and exits 0', async () => {
    const r = await vmcraft(['-a', fx.debian12!.path, '--ro', '-i', '--run', 'cat /etc/hostname', '--run', 'ls /boot', '--run', 'inspect-get-osinfo /dev/sda2']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')).toEqual(['vmcraft-debian', 'config-6.1.0-28-amd64', 'lost+found', 'vmlinuz-6.1.0-28-amd64', 'debian12']);
    expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  });

  it('stops at the first failing command with exit code 1 and a typed message', async () => {
    const r = await vmcraft(['-a', fx.debian12!.path, '--ro', '-i', '--run', 'cat /missing', '--run', 'cat /etc/hostname']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('error: ENOENT: read /missing');
    expect(r.stdout).toBe('');
  });

  it('reads a script from standard input, skipping comments and blank lines', async () => {
    const r = await vmcraft(['-a', fx.gpt!.path, '--ro', '-i'], '# a comment\n\nvfs-type /dev/sda2\nis-dir "/home/alice"\ncat /home/alice/notes.txt\n');
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n')).toEqual(['btrfs', 'true', 'alice was here']);
  });

  it('writes through a read-write session and refuses writes with --ro', async () => {
    const copy = path.join(dir, 'plain.raw');
    await execa('cp', ['--sparse=always', fx.plain!.path, copy]);
    expect((await vmcraft(['-a', copy, '--run', 'mount /dev/sda /', '--run', 'write /hello "hi there"'])).exitCode).toBe(0);
    expect((await vmcraft(['-a', copy, '--ro', '--run', 'mount-ro /dev/sda /', '--run', 'cat /hello'])).stdout).toBe('hi there');
    const ro = await vmcraft(['-a', copy, '--ro', '--run', 'mount-ro /dev/sda /', '--run', 'write /x y']);
    expect(ro.exitCode).toBe(1);
    expect(ro.stderr).toContain('EREADONLY');
  });

  it('refuses an image a session writes with EBUSY, and opens it with --ro --live', async () => {
    const copy = path.join(dir, 'live.raw');
    await execa('cp', ['--sparse=always', fx.plain!.path, copy]);
    const writer = await GuestFS.open(copy, { tmpDir: dir });
    try {
      const refused = await vmcraft(['-a', copy, '--ro', '--run', 'list-devices']);
      expect([refused.exitCode, refused.stderr]).toEqual([1, expect.stringContaining('EBUSY')]);
      const live = await vmcraft(['-a', copy, '--ro', '--live', '--run', 'list-devices']);
      expect([live.exitCode, live.stdout]).toEqual([0, '/dev/sda']);
      expect((await vmcraft(['inspect', '--live', copy])).exitCode).toBe(0);
    } finally {
      await writer.close();
    }
    expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  });

  it('exits 2 on bad usage of the command line, 1 on a bad shell command', async () => {
    expect((await vmcraft(['--backend', 'warp'])).exitCode).toBe(2);
    expect((await vmcraft(['--no-such-option'])).exitCode).toBe(2);
    expect((await vmcraft(['--vm', '--host', '-a', fx.debian12!.path])).exitCode).toBe(2);
    const r = await vmcraft(['-a', fx.debian12!.path, '--ro', '--run', 'mount-ro']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('error: EINVAL: mount-ro needs arguments; usage: mount-ro mountable mountpoint');
  });
});

describe('subcommands', () => {
  it('inspect --json prints what inspection found', async () => {
    const r = await vmcraft(['inspect', '--json', fx['gpt-vmdk']!.path]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject([{ root: '/dev/sda1', distro: 'fedora', majorVersion: 39, hostname: 'vmcraft-fedora' }]);
  });

  it('inspect --vm answers what inspect --host answers, the session in a VM, the image unchanged and nothing left', async () => {
    const image = fx.debian12!.path;
    const before = await sha256(image);
    const [vm, host] = await Promise.all([vmcraft(['--trace', 'inspect', '--vm', '--json', image]), vmcraft(['inspect', '--host', '--json', image])]);
    expect([vm.exitCode, host.exitCode], vm.stderr).toEqual([0, 0]);
    expect(JSON.parse(vm.stdout)).toEqual(JSON.parse(host.stdout));
    const sessions = vm.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.event === 'session');
    expect(sessions.map((e) => [e.state, e.mode])).toEqual([['launching', 'vm'], ['launched', 'vm'], ['closed', undefined]]);
    expect(await sha256(image)).toBe(before);
    expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  });

  it('convert --json prints ordered progress events and the result', async () => {
    const out = path.join(dir, 'converted.qcow2');
    const r = await vmcraft(['convert', '--json', fx.plain!.path, out]);
    expect(r.exitCode).toBe(0);
    const events = r.stdout.split('\n').map((l) => JSON.parse(l) as { event: string; percent?: number; sha256?: string });
    const percents = events.filter((e) => e.event === 'progress').map((e) => e.percent!);
    expect(percents.at(-1)).toBe(100);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(events.at(-1)).toMatchObject({ event: 'done', output: out, format: 'qcow2' });
    expect((await vmcraft(['convert', fx.plain!.path, out])).stderr).toContain('EEXIST');
  });

  it('opens an image alone unless --chain-dir allows its backing file (EUNSAFE otherwise)', async () => {
    const chained = path.join(dir, 'chained');
    await execa('mkdir', ['-p', chained]);
    const top = path.join(chained, 'top.qcow2');
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', '-u', '-b', fx.debian12!.path, '-F', 'qcow2', top, '4G']);
    const refused = await vmcraft(['inspect', top]);
    expect([refused.exitCode, refused.stderr]).toEqual([1, expect.stringContaining('EUNSAFE')]);
    const allowDir = path.dirname(fx.debian12!.path);
    expect(JSON.parse((await vmcraft(['inspect', '--json', '--chain-dir', allowDir, top])).stdout)).toMatchObject([{ distro: 'debian' }]);
    expect((await vmcraft(['-a', top, '--ro', '--run', 'list-devices'])).stderr).toContain('EUNSAFE');
    expect((await vmcraft(['-a', top, '--ro', '--chain-dir', allowDir, '--run', 'list-devices'])).stdout).toBe('/dev/sda');
    const out = path.join(chained, 'flat.qcow2');
    expect((await vmcraft(['convert', top, out])).stderr).toContain('EUNSAFE');
    expect((await vmcraft(['convert', '--chain-dir', allowDir, top, out])).exitCode).toBe(0);
  });
});

describe('customize and fix', () => {
  it('customize sets hostname, timezone and an SSH key, with virt-customize\'s messages', async () => {
    const copy = path.join(dir, 'customize.qcow2');
    await execa('cp', [fx.debian12!.path, copy]);
    const key = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIH0vmcraftCliTestKey000000000000000000000000 ops@host';
    const args = ['customize', '-a', copy, '--hostname', 'cli-box', '--timezone', 'Europe/Berlin', '--ssh-inject', `root:string:${key}`];
    const first = await vmcraft(args);
    expect(first.exitCode).toBe(0);
    expect(first.stdout.split('\n').map((l) => l.replace(/^\[ *\d+\.\d\] /, ''))).toEqual(['Examining the guest ...', 'Examining the guest ...', 'Setting the hostname: cli-box', 'Setting the timezone: Europe/Berlin', 'SSH key inject: root', 'Finishing off']);
    expect((await vmcraft(args)).exitCode).toBe(0);
    const check = await vmcraft(['-a', copy, '--ro', '-i', '--run', 'cat /etc/hostname', '--run', 'readlink /etc/localtime', '--run', 'cat /root/.ssh/authorized_keys']);
    expect(check.stdout.split('\n')).toEqual(['cli-box', '../usr/share/zoneinfo/Europe/Berlin', key]);
  });

  it('fix shows the plan read-only, --apply applies it, --json for machines', async () => {
    const copy = path.join(dir, 'fix.qcow2');
    await execa('cp', [fx.debian12!.path, copy]);
    expect((await vmcraft(['-a', copy, '-i', '--run', 'write /etc/fstab "/dev/sda2 / ext4 defaults 0 1\n"'])).exitCode).toBe(0);
    const plan = await vmcraft(['fix', '-a', copy, '--fixer', 'fstab']);
    expect(plan.stdout).toContain('fstab: 1 change(s) planned');
    expect(plan.stdout).toContain('/etc/fstab: line 1: /dev/sda2 → UUID=');
    const applied = JSON.parse((await vmcraft(['fix', '-a', copy, '--fixer', 'fstab', '--apply', '--json'])).stdout) as { reports: { changed: { path: string; backup: string }[] }[] };
    expect(applied.reports[0]!.changed[0]).toMatchObject({ path: '/etc/fstab', backup: expect.stringMatching(/^\/var\/lib\/vmcraft\/backups\/.+\/etc\/fstab$/) });
    expect((await vmcraft(['fix', '-a', copy, '--fixer', 'fstab'])).stdout).toBe('fstab: nothing to do');
  });
});

describe('Windows subcommands', () => {
  it('reg-read prints a key or a typed value as JSON; inject-driver --dry-run plans only', async () => {
    const image = path.join(dir, 'windows.raw');
    await buildWindowsImage(dir, image);
    const value = await vmcraft(['reg-read', '-a', image, '/windows/system32/config/software', '\\Microsoft\\Windows NT\\CurrentVersion', 'InstallTime']);
    expect(value.exitCode).toBe(0);
    expect(JSON.parse(value.stdout)).toMatchObject({ name: 'InstallTime', type: 'REG_QWORD', data: '1000000000000', raw: '0010a5d4e8000000' });
    const key = JSON.parse((await vmcraft(['reg-read', '-a', image, '/Windows/System32/config/SYSTEM', '\\Select'])).stdout) as { values: { name: string }[] };
    expect(key.values.map((v) => v.name)).toEqual(['Current', 'Default']);
    const dry = await vmcraft(['inject-driver', '-a', image, '--dry-run', path.join(dir, 'no-drivers-here')]);
    expect(dry.stdout).toContain('note: no viostor for win2k19 x86_64');
    expect(dry.stdout).toContain('nothing written');
  });
});

describe('the interactive shell, driven through a terminal (tmux)', () => {
  let term: Terminal | undefined;
  afterAll(async () => term?.kill());

  it('runs commands, completes names and guest paths, survives errors, and leaves nothing behind', async () => {
    term = await openTerminal(`vmcraft-test-${process.pid}`, `TMPDIR=${dir} node --import tsx ${CLI} -a ${fx.debian12!.path} --ro -i`);
    const { send, waitFor } = term;
    await waitFor('><vmcraft>');
    await send('cat /etc/hostname', 'Enter');
    await waitFor('vmcraft-debian');
    await send('cat /no/such', 'Enter');
    await waitFor('error: ENOENT');
    await send('vfs-lab', 'Tab');
    await waitFor('><vmcraft> vfs-label');
    await send(' /dev/sda1', 'Enter');
    await waitFor(/\nboot\n/);
    await send('ls /bo', 'Tab');
    await waitFor('><vmcraft> ls /boot/');
    await send('Enter');
    await waitFor('vmlinuz-6.1.0-28-amd64');
    await send('is-file /etc/hostname foll', 'Tab');
    await waitFor('><vmcraft> is-file /etc/hostname followSymlinks:');
    await send('t', 'Tab');
    await waitFor('><vmcraft> is-file /etc/hostname followSymlinks:true');
    await send('Enter');
    await waitFor(/followSymlinks:true\ntrue\n/);
    await send('help cat', 'Enter');
    await waitFor('read a whole file as text');
    await waitFor('\n  path  absolute path in the guest');
    await send('exit', 'Enter');
    expect(await term.ended()).toBe(true);
    expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  });
});
