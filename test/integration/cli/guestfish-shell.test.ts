/**
 * The top-level command and guestfish's habits, as users get them from the
 * built CLI (dist/cli.js): --version, help, usage errors with hints, trailing
 * commands, -m, --rw, per-drive --format, --keys-from-stdin, the shell's
 * host commands (`!cmd`, `| pipeline`, edit) and guestfish's output shapes;
 * then the interactive shell in a real terminal (tmux): Ctrl-C, `!cmd`, pipes.
 */
import { createHash } from 'node:crypto';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixtures, type FixtureManifest } from '../../fixtures/lib/manifest.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir } from '../../helpers/images.js';
import { assertBuiltCliFresh, BUILT_CLI } from '../../helpers/cli.js';
import { openTerminal, type Terminal } from '../../helpers/tmux.js';

let fx: FixtureManifest;
let dir: string;
let remove: () => Promise<void>;
let debian: string;

beforeAll(async () => {
  await assertBuiltCliFresh(['src/cli']);
  fx = await loadFixtures();
  debian = fx.debian12!.path;
  ({ dir, remove } = await scratchDir('cli-guestfish'));
});
afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove?.();
});

/** The built CLI; standard input from `input`, else none; `env` added. */
async function vmcraft(args: string[], input?: string, env: Record<string, string> = {}) {
  const r = await execa('node', [BUILT_CLI, ...args], { reject: false, env: { TMPDIR: dir, ...env }, ...(input !== undefined ? { input } : { stdin: 'ignore' }) });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

const sha256 = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

describe('the top level', () => {
  it('--version and -V print the package version', async () => {
    const { version } = JSON.parse(await readFile(path.join(import.meta.dirname, '../../../package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) expect(await vmcraft([flag])).toEqual({ exitCode: 0, stdout: version, stderr: '' });
  });

  it('help, help <vmcraft command> and help <shell command>; an unknown one is a usage error with the closest name', async () => {
    const all = await vmcraft(['help']);
    expect(all.exitCode).toBe(0);
    expect(all.stdout).toMatch(/^Usage: vmcraft \[options\] \[command\]/);
    for (const sub of ['inspect', 'convert', 'help']) expect(all.stdout).toMatch(new RegExp(`\\n  ${sub}\\b`));
    const inspect = await vmcraft(['help', 'inspect']);
    expect(inspect.exitCode).toBe(0);
    expect(inspect.stdout).toMatch(/^Usage: vmcraft inspect \[options\] \[images\.\.\.\]/);
    // A vmcraft command's help first (cat is virt-cat's command), else the shell command's.
    expect((await vmcraft(['help', 'cat'])).stdout).toMatch(/^Usage: vmcraft cat /);
    const readLines = await vmcraft(['help', 'read-lines']);
    expect(readLines).toMatchObject({ exitCode: 0, stderr: '' });
    expect(readLines.stdout.split('\n').slice(0, 2)).toEqual(['read-lines path', '  read a file as lines']);
    expect(await vmcraft(['help', 'catt'])).toEqual({ exitCode: 2, stdout: '', stderr: "error: unknown command 'catt' (did you mean cat?)" });
  });

  it('an unknown command says which one was meant; an image without -a says how to add it; both exit 2', async () => {
    expect(await vmcraft(['inspekt'])).toEqual({ exitCode: 2, stdout: '', stderr: "error: unknown command 'inspekt' (did you mean inspect?)" });
    expect(await vmcraft(['zzzzzzzz'])).toEqual({ exitCode: 2, stdout: '', stderr: "error: unknown command 'zzzzzzzz'" });
    expect(await vmcraft(['disk.qcow2'])).toEqual({ exitCode: 2, stdout: '', stderr: 'error: disk.qcow2 looks like a disk image: add it with -a (vmcraft -a disk.qcow2), or inspect it with vmcraft inspect disk.qcow2' });
  });

  it('usage errors exit 2 before anything is opened: --run with --script, --ro with --rw, a bad -m, a bad --format, --keys-from-stdin with a script on stdin', async () => {
    const script = path.join(dir, 'script');
    await writeFile(script, 'echo from script\n');
    const cases: [string[], string][] = [
      [['-a', debian, '--ro', '--run', 'echo x', '--script', script], 'error: --run and --script cannot be used together: give the commands one way'],
      [['-a', debian, '--ro', '--script', script, 'echo', 'x'], 'error: commands after the options and --script cannot be used together: give the commands one way'],
      [['-a', debian, '--ro', '--rw'], 'error: --ro and --rw cannot be used together'],
      [['-a', debian, '-w', '--ro'], 'error: --ro and --rw cannot be used together'],
      [['-a', debian, '--ro', '-m', '/dev/sda2:etc'], 'error: -m /dev/sda2:etc: the mount point must be an absolute path'],
      [['-a', debian, '--ro', '-m', 'a:/b:c:d:e'], 'error: -m a:/b:c:d:e: expected dev[:mountpoint[:options[:fstype]]]'],
      [['--format=qcow3', '-a', debian], "error: --format: unknown format 'qcow3' (one of auto, qcow2, vmdk, vdi, vhd, vhdx, raw, iso, qed, parallels, ova, ovf, luks)"],
      [['-a', debian, '--ro', '--keys-from-stdin', '--script', '-'], 'error: --keys-from-stdin reads standard input: give the commands with --run, --script FILE or after the options'],
    ];
    for (const [args, stderr] of cases) expect(await vmcraft(args, ''), args.join(' ')).toEqual({ exitCode: 2, stdout: '', stderr });
  });
});

describe('guestfish habits on the Debian image', () => {
  it('trailing commands, several separated by " : ", with -i; read-only leaves the image byte-identical', async () => {
    const before = await sha256(debian);
    expect(await vmcraft(['-a', debian, '--ro', '-i', 'cat', '/etc/hostname', ':', 'echo', 'two  words', ':', 'is-file', '/etc/hostname'])).toEqual({ exitCode: 0, stdout: 'vmcraft-debian\ntwo  words\ntrue', stderr: '' });
    const failed = await vmcraft(['-a', debian, '--ro', '-i', 'cat', '/no/such', ':', 'echo', 'not reached']);
    expect(failed.exitCode).toBe(1);
    expect(failed.stdout).toBe('');
    expect(failed.stderr).toMatch(/^error: ENOENT: /);
    expect(await sha256(debian)).toBe(before);
  });

  it('-m dev[:mountpoint[:options]] mounts in order; list-filesystems and statvfs print as guestfish does; df-h as df -h', async () => {
    const r = await vmcraft(['-a', debian, '--ro', '-m', '/dev/sda2', '-m', '/dev/sda1:/boot:noatime', '--run', 'list-filesystems', '--run', 'statvfs /boot', '--run', 'mountpoints', '--run', 'df-h']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual(['/dev/sda1: ext4', '/dev/sda2: ext4']);
    // libguestfs's statvfs struct, its fields in its order; the read-only mount has ST_RDONLY (1) in its flags.
    const statvfs = Object.fromEntries(lines.slice(2, 13).map((l) => l.split(': ')));
    expect(Object.keys(statvfs)).toEqual(['bsize', 'frsize', 'blocks', 'bfree', 'bavail', 'files', 'ffree', 'favail', 'fsid', 'flag', 'namemax']);
    expect(Number(statvfs.bsize)).toBeGreaterThan(0);
    expect(Number(statvfs.namemax)).toBe(255);
    expect(Number(statvfs.flag) & 1).toBe(1);
    expect(statvfs.fsid).toMatch(/^-?\d+$/);
    const mounts = JSON.parse(lines.slice(13, lines.indexOf(lines.find((l) => l.startsWith('Filesystem'))!)).join('\n')) as { device: string; mountpoint: string; readonly: boolean }[];
    expect(mounts.map((m) => [m.device, m.mountpoint, m.readonly])).toEqual([['/dev/sda2', '/', true], ['/dev/sda1', '/boot', true]]);
    const df = lines.slice(lines.findIndex((l) => l.startsWith('Filesystem')));
    expect(df[0]).toMatch(/^Filesystem +Size +Used +Avail +Use% +Mounted on$/);
    expect(df.slice(1).map((l) => [l.split(/\s+/)[0], l.split(/\s+/).at(-1)])).toEqual([['/dev/sda2', '/'], ['/dev/sda1', '/boot']]);
    for (const row of df.slice(1)) expect(row).toMatch(/^\/dev\/sda\d +\d+(\.\d)?[KMG] +\d+(\.\d)?[KMG]? +\d+(\.\d)?[KMG] +\d+% +\/(boot)?$/);
  });

  it('--format applies to the -a options after it; --format alone goes back to detection', async () => {
    // Read as raw, the qcow2 file is one disk with no filesystem; detected, it is the Debian disk.
    const raw = await vmcraft(['--format=raw', '-a', debian, '--ro', '--run', 'list-filesystems']);
    expect(raw.exitCode).toBe(0);
    expect(raw.stdout).toBe('/dev/sda: unknown');
    const reset = await vmcraft(['--format=raw', '--format', '-a', debian, '--ro', '--run', 'list-filesystems']);
    expect(reset).toMatchObject({ exitCode: 0, stdout: '/dev/sda1: ext4\n/dev/sda2: ext4' });
    const both = await vmcraft(['-q', '--format=qcow2', '-a', debian, '--format=raw', '-a', debian, '--ro', '--run', 'list-filesystems']);
    expect(both.exitCode).toBe(0);
    expect(both.stdout.split('\n').sort()).toEqual(['/dev/sda1: ext4', '/dev/sda2: ext4', '/dev/sdb: unknown']);
  });

  it('--keys-from-stdin reads the passphrases from standard input; the commands come from elsewhere', async () => {
    const r = await vmcraft(['-a', debian, '--ro', '--keys-from-stdin', '-i', 'cat', '/etc/hostname'], 'not-a-luks-key\n');
    expect(r).toEqual({ exitCode: 0, stdout: 'vmcraft-debian', stderr: '' });
  });

  it('!cmd runs a host command, cmd | pipeline pipes the output to the host; their failures fail the script', async () => {
    const marker = path.join(dir, 'marker');
    const r = await vmcraft(['-a', debian, '--ro', '-i', '--run', `!echo host > ${marker}`, '--run', 'cat /etc/hostname | tr a-z A-Z', '--run', "read-lines /etc/passwd | grep -c '^root:'"]);
    expect(r).toEqual({ exitCode: 0, stdout: 'VMCRAFT-DEBIAN\n1', stderr: '' });
    expect(await readFile(marker, 'utf8')).toBe('host\n');
    // A | inside quotes belongs to the guest command's words.
    expect(await vmcraft(['-a', debian, '--ro', '-i', '--run', 'echo "a|b" \'c|d\''])).toMatchObject({ exitCode: 0, stdout: 'a|b c|d' });
    expect(await vmcraft(['-a', debian, '--ro', '-i', '--run', '!exit 3', '--run', 'echo not reached'])).toEqual({ exitCode: 1, stdout: '', stderr: 'error: ECOMMAND: exit 3: exit status 3' });
    expect(await vmcraft(['-a', debian, '--ro', '-i', '--run', 'cat /etc/hostname | false'])).toEqual({ exitCode: 1, stdout: '', stderr: 'error: ECOMMAND: false: exit status 1' });
    expect(await vmcraft(['-a', debian, '--ro', '-i', '--run', 'cat /no/such | cat'])).toMatchObject({ exitCode: 1, stdout: '' });
    expect(await vmcraft(['-a', debian, '--ro', '-i', '--run', 'cat /etc/hostname |'])).toEqual({ exitCode: 1, stdout: '', stderr: 'error: EINVAL: nothing after |: give a host command to pipe the output to' });
  });

  it('edit runs $EDITOR on a copy and writes it back when it changed (--rw); refused read-only; nothing left behind', async () => {
    const image = path.join(dir, 'edit.qcow2');
    await copyFile(debian, image);
    const r = await vmcraft(['-a', image, '--rw', '-i', 'edit', '/etc/hostname', ':', 'cat', '/etc/hostname'], undefined, { EDITOR: 'sed -i s/debian/edited/' });
    expect(r).toEqual({ exitCode: 0, stdout: 'vmcraft-edited', stderr: '' });
    // Unchanged: the file is not written (its ctime stays; the edit above was seconds ago).
    const unchanged = await vmcraft(['-a', image, '-i', 'statns', '/etc/hostname', ':', 'edit', '/etc/hostname', ':', 'statns', '/etc/hostname'], undefined, { EDITOR: 'true' });
    expect(unchanged).toMatchObject({ exitCode: 0, stderr: '' });
    const [first, second] = unchanged.stdout.split(/\n(?=\{)/).map((j) => JSON.parse(j) as { ctime: string; size: number });
    expect(second).toEqual(first);
    const before = await sha256(image);
    const ro = await vmcraft(['-a', image, '--ro', '-i', 'edit', '/etc/hostname'], undefined, { EDITOR: 'sed -i s/edited/again/' });
    expect(ro.exitCode).toBe(1);
    expect(ro.stderr).toMatch(/^error: EREADONLY: /);
    expect(await sha256(image)).toBe(before);
    // The editor failing leaves the file as it was.
    const failed = await vmcraft(['-a', image, '-i', 'edit', '/etc/hostname'], undefined, { EDITOR: 'false' });
    expect(failed).toMatchObject({ exitCode: 1, stderr: expect.stringMatching(/^error: ECOMMAND: false /) as unknown });
    expect(await vmcraft(['-a', image, '--ro', '-i', 'cat', '/etc/hostname'])).toEqual({ exitCode: 0, stdout: 'vmcraft-edited', stderr: '' });
  });

  it('edit stays in the guest: a symlink to / is followed inside the guest', async () => {
    const image = path.join(dir, 'escape.qcow2');
    await copyFile(debian, image);
    const r = await vmcraft(['-a', image, '-i', 'ln-s', '/', '/root/hostroot', ':', 'edit', '/root/hostroot/etc/hostname', ':', 'cat', '/etc/hostname'], undefined, { EDITOR: 'sed -i s/vmcraft/guest/' });
    expect(r).toEqual({ exitCode: 0, stdout: 'guest-debian', stderr: '' });
  });
});

describe('in VM mode (--vm)', () => {
  it('edit stages the file through the VM: $EDITOR runs here, the change lands in the image; df-h and pipes work', async () => {
    const image = path.join(dir, 'vm.qcow2');
    await copyFile(debian, image);
    const r = await vmcraft(['--vm', '-a', image, '-i', 'edit', '/etc/hostname', ':', 'cat', '/etc/hostname', ':', 'df-h'], undefined, { EDITOR: 'sed -i s/debian/vm/' });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const [hostname, header, ...rows] = r.stdout.split('\n');
    expect(hostname).toBe('vmcraft-vm');
    expect(header).toMatch(/^Filesystem +Size/);
    expect(rows.map((l) => l.split(/\s+/).at(-1))).toEqual(['/', '/boot']);
    expect(await vmcraft(['-a', image, '--ro', '-i', '--run', 'cat /etc/hostname | rev'])).toEqual({ exitCode: 0, stdout: 'mv-tfarcmv', stderr: '' });
  }, 120_000);
});

describe('the interactive shell in a terminal (tmux)', () => {
  let term: Terminal | undefined;
  afterAll(async () => term?.kill());

  it('Ctrl-C drops the line and keeps the shell; !cmd and pipes reach the host', async () => {
    const rc = path.join(dir, 'rc');
    term = await openTerminal(`vmcraft-shell-${process.pid}`, `TMPDIR=${dir} node ${BUILT_CLI} -a ${debian} --ro -i; echo $? > ${rc}`);
    const { send, waitFor } = term;
    await waitFor('><vmcraft>');
    await send('cat /etc/passw');
    await waitFor('><vmcraft> cat /etc/passw');
    await send('C-c');
    await waitFor(/><vmcraft> cat \/etc\/passw\^C\n><vmcraft> ?$/m);
    await send('cat /etc/hostname', 'Enter');
    // The line typed before Ctrl-C is gone: only the new command ran.
    await waitFor(/><vmcraft> cat \/etc\/hostname\nvmcraft-debian\n/);
    await send('!echo from-the-host-$((6*7))', 'Enter');
    await waitFor('\nfrom-the-host-42\n');
    await send('cat /etc/hostname | rev', 'Enter');
    await waitFor('\nnaibed-tfarcmv\n');
    await send('exit', 'Enter');
    expect(await term.ended()).toBe(true);
    expect(await readFile(rc, 'utf8')).toBe('0\n');
  });
});
