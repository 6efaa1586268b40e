/**
 * `vmcraft sysprep` as virt-sysprep, through the built CLI, on qcow2 overlays of the Debian
 * fixture seeded with what the operations remove: --list-operations in virt-sysprep's shape,
 * --operations/--enable, a dry run that leaves the image byte-identical, a real run with a
 * customize option, user-account, --json, usage errors (rc 2, one line, nothing opened) and
 * failures (rc 1, nothing written).
 */
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { listOperationsLines } from '../../../src/customize/sysprep/index.js';
import { loadFixtures } from '../../fixtures/lib/manifest.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { assertBuiltCliFresh, BUILT_CLI, type CliRun } from '../../helpers/cli.js';
import { scratchDir, sha256File } from '../../helpers/images.js';

let debian: string;
let fixtureDir: string;
let before: string;
let dir: string;
let remove: () => Promise<void>;
let n = 0;

/** `vmcraft ARGS` from dist/, with TMPDIR in the scratch directory; never rejects. */
async function vmcraft(args: string[], input?: string): Promise<CliRun> {
  const r = await execa('node', [BUILT_CLI, ...args], { reject: false, env: { TMPDIR: dir }, ...(input !== undefined ? { input } : { stdin: 'ignore' }) });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Library session on an overlay (the chain in the fixture directory allowed). */
async function onImage<T>(file: string, work: (g: GuestFS) => Promise<T>, readonly = false): Promise<T> {
  const g = new GuestFS({ readonly, tmpDir: dir });
  g.addDrive(file, { chain: { allowDir: fixtureDir } });
  await g.launch();
  try {
    await g.mountRoot((await g.inspectOs())[0]!);
    return await work(g);
  } finally {
    await g.close();
  }
}

/** A fresh overlay on the fixture, seeded with a user, SSH host keys, logs and a machine-id; its `-a` arguments. */
async function seeded(): Promise<{ file: string; args: string[] }> {
  const file = path.join(dir, `sysprep-${n++}.qcow2`);
  await execa('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', debian, '-F', 'qcow2', file]);
  await onImage(file, async (g) => {
    await g.mkdirP('/etc/ssh');
    for (const f of ['/etc/ssh/ssh_host_rsa_key', '/etc/ssh/ssh_host_rsa_key.pub', '/var/log/syslog', '/root/.bash_history']) await g.write(f, 'x\n');
    await g.write('/etc/machine-id', '0123456789abcdef0123456789abcdef\n');
    await g.sh('useradd -m -u 1500 alice && useradd -m -u 1501 bob');
  });
  return { file, args: ['--chain-dir', fixtureDir, '-a', file] };
}

const lines = (r: CliRun) => r.stdout.replace(/\n$/, '').split('\n');
/** The progress lines without their `[  1.2] ` stamps. */
const messages = (r: CliRun) => lines(r).map((l) => l.replace(/^\[ *\d+\.\d\] /, ''));

beforeAll(async () => {
  await assertBuiltCliFresh(['src']);
  debian = (await loadFixtures()).debian12!.path;
  fixtureDir = path.dirname(debian);
  before = await sha256File(debian);
  ({ dir, remove } = await scratchDir('cli-sysprep'));
});
afterAll(async () => {
  expect(await sha256File(debian)).toBe(before);
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

describe('--list-operations', () => {
  it("prints virt-sysprep's lines, needing no image", async () => {
    const r = await vmcraft(['sysprep', '--list-operations']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(lines(r)).toEqual(listOperationsLines());
    expect(lines(r)).toEqual(expect.arrayContaining(['machine-id * Remove the local machine ID', 'user-account   Remove the user accounts in the guest', 'logfiles * Remove many log files from the guest']));
    const json = JSON.parse((await vmcraft(['sysprep', '--list-operations', '--json'])).stdout) as { name: string; enabledByDefault: boolean }[];
    expect(json.find((o) => o.name === 'firewall-rules')).toMatchObject({ enabledByDefault: false });
  });
});

describe('usage errors', () => {
  it('exit 2 with a one-line reason, before any image is opened', async () => {
    const cases: [string[], RegExp][] = [
      [['sysprep'], /you must give -a/],
      [['sysprep', '-a', 'x.img', '--operations', 'nope'], /`nope` is not a known operation/],
      [['sysprep', '-a', 'x.img', '--operations', 'lvm-uuids'], /does not implement the `lvm-uuids` operation/],
      [['sysprep', '-a', 'x.img', '--operations', 'logfiles,'], /empty operation name/],
      [['sysprep', '-a', 'x.img', '--enable', 'logfiles', '--enable', 'utmp'], /--enable can only be given once/],
      [['sysprep', '-a', 'x.img', '--format', 'qcow2'], /--format parameter must appear before -a/],
      [['sysprep', '-d', 'guest1'], /vmcraft does not use libvirt/],
      [['sysprep', '-a', 'x.img', '--remove-user-accounts', 'bob'], /"user-account" operation is not enabled/],
      [['sysprep', '-a', 'x.img', '--hostname', 'not a hostname'], /not a valid hostname/],
      [['sysprep', '-a', 'x.img', '--no-such-option'], /unknown option/],
    ];
    for (const [args, reason] of cases) {
      const r = await vmcraft(args);
      expect(r.exitCode, args.join(' ')).toBe(2);
      expect(r.stderr.split('\n')[0], args.join(' ')).toMatch(reason);
    }
  });

  it('a drive that cannot be opened is a failed operation: exit 1', async () => {
    const r = await vmcraft(['sysprep', '-a', path.join(dir, 'missing.qcow2')]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/ENOENT/);
  });
});

describe('dry run', () => {
  it('-n reports what would be removed and leaves the image byte-identical', async () => {
    const { file, args } = await seeded();
    const sha = await sha256File(file);
    const r = await vmcraft(['sysprep', ...args, '-n', '--hostname', 'clone1']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const out = messages(r);
    expect(out[0]).toBe('Examining the guest ...');
    expect(out).toEqual(expect.arrayContaining(['Performing "ssh-hostkeys" ...', '  would remove /etc/ssh/ssh_host_rsa_key', '  would remove /etc/ssh/ssh_host_rsa_key.pub', '  would empty /etc/machine-id', '  would remove /var/log/syslog', 'Setting the hostname: clone1 (dry run: not done)', 'Dry run: nothing written']));
    // Operations run in name order, customize last.
    const performed = out.filter((l) => l.startsWith('Performing')).map((l) => l.slice(12, -5));
    expect(performed.at(-1)).toBe('customize');
    expect(performed.slice(0, -1)).toEqual([...performed.slice(0, -1)].sort());
    const json = JSON.parse((await vmcraft(['sysprep', ...args, '--dry-run', '--json', '--operations', 'ssh-hostkeys'])).stdout) as { dryRun: boolean; guests: { root: string; removed: string[] }[] };
    expect(json).toMatchObject({ dryRun: true, guests: [{ root: '/dev/sda2', removed: ['/etc/ssh/ssh_host_rsa_key', '/etc/ssh/ssh_host_rsa_key.pub'] }] });
    // -q: no progress lines.
    expect(await vmcraft(['sysprep', ...args, '-n', '-q'])).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
    expect(await sha256File(file)).toBe(sha);
  });
});

describe('a real run', () => {
  it('--operations defaults,-logfiles with a customize option: done in the image', async () => {
    const { file, args } = await seeded();
    const r = await vmcraft(['sysprep', ...args, '--operations', 'defaults,-logfiles', '--hostname', 'clone1', '--write', '/etc/motd:templated']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(messages(r)).toEqual(expect.arrayContaining(['Performing "machine-id" ...', 'Performing "customize" ...', 'Setting the hostname: clone1', 'Writing: /etc/motd']));
    expect(messages(r)).not.toContain('Performing "logfiles" ...');
    const seen = await onImage(file, async (g) => ({
      keys: await g.globExpand('/etc/ssh/*_host_*'),
      machineId: await g.cat('/etc/machine-id'),
      syslog: await g.exists('/var/log/syslog'),
      history: await g.exists('/root/.bash_history'),
      hostname: await g.cat('/etc/hostname'),
      motd: await g.cat('/etc/motd'),
      alice: await g.exists('/home/alice'),
    }), true);
    expect(seen).toEqual({ keys: [], machineId: '', syslog: true, history: false, hostname: 'clone1\n', motd: 'templated', alice: true });
  });

  it('--enable user-account --remove-user-accounts, --json: what was removed', async () => {
    const { file, args } = await seeded();
    const r = await vmcraft(['sysprep', ...args, '--enable', 'user-account', '--remove-user-accounts', 'alice', '--json']);
    expect(r.exitCode).toBe(0);
    const json = JSON.parse(r.stdout) as { dryRun: boolean; guests: { operations: { name: string; removed: string[]; changed: string[] }[] }[] };
    expect(json.dryRun).toBe(false);
    expect(json.guests[0]!.operations).toEqual([{ name: 'user-account', removed: ['/home/alice'], emptied: [], changed: ['/etc/passwd', '/etc/shadow', '/etc/group', '/etc/gshadow'] }]);
    const users = await onImage(file, async (g) => (await g.readLines('/etc/passwd')).map((l) => l.split(':')[0]), true);
    expect(users).toContain('bob');
    expect(users).not.toContain('alice');
  });

  it('a customize option that fails its check on the guest: exit 1 and nothing written', async () => {
    const { file, args } = await seeded();
    const sha = await sha256File(file);
    const r = await vmcraft(['sysprep', ...args, '--password', 'nosuchuser:password:x']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/no user nosuchuser/);
    expect(await sha256File(file)).toBe(sha);
  });
});
