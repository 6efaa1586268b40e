/**
 * The built CLI (dist/cli.js, from `npm run build`) as a user or a log
 * collector sees it: --trace JSON lines, --verbose human lines, secrets never
 * shown, colours and progress bars only on a terminal (a pseudo-terminal from
 * util-linux `script`).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixtures, type FixtureManifest } from '../../fixtures/lib/manifest.js';
import { probeHost } from '../../../src/core/probe.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir } from '../../helpers/images.js';
import { assertBuiltCliFresh, BUILT_CLI } from '../../helpers/cli.js';
import { emptyLuksImage } from '../../helpers/luks-image.js';

const CLI = BUILT_CLI;
let fx: FixtureManifest;
let dir: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  // The CLI and the runner are what this file tests.
  await assertBuiltCliFresh(['src/cli', 'src/core']);
  fx = await loadFixtures();
  ({ dir, remove } = await scratchDir('cli-trace'));
});
afterAll(async () => remove?.());

const env = () => ({ TMPDIR: dir, NO_COLOR: undefined });

/** The built CLI with pipes for stdout and stderr (not a terminal). */
function vmcraft(args: string[], extraEnv: Record<string, string> = {}) {
  return execa('node', [CLI, ...args], { reject: false, stdin: 'ignore', env: { ...env(), ...extraEnv } });
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The built CLI on a pseudo-terminal: stdout and stderr both go to it, merged, with CRLF line ends. */
async function onTerminal(args: string[], extraEnv: Record<string, string> = {}) {
  const r = await execa('script', ['-qec', ['node', CLI, ...args].map(quote).join(' '), '/dev/null'], { reject: false, stdin: 'ignore', env: { ...env(), TERM: 'xterm', ...extraEnv } });
  return { exitCode: r.exitCode, output: r.stdout.replace(/\r/g, '') };
}

interface TraceLine {
  ts: string;
  event: 'command' | 'phase' | 'session' | 'log' | 'message' | 'error';
  [field: string]: unknown;
}
interface CommandLine extends TraceLine {
  argv: string[];
  exitCode: number | null;
  durationMs: number;
  ok: boolean;
}

/** Every line of `stderr` parsed; fails the test on a line that is not one JSON event. */
function parseTrace(stderr: string): TraceLine[] {
  const lines = stderr.split('\n').filter(Boolean);
  expect(lines.length).toBeGreaterThan(0);
  return lines.map((line) => {
    const event = JSON.parse(line) as TraceLine;
    expect(event.ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(['command', 'phase', 'session', 'log', 'message', 'error']).toContain(event.event);
    return event;
  });
}

function commands(events: TraceLine[]): CommandLine[] {
  const found = events.filter((e): e is CommandLine => e.event === 'command');
  for (const c of found) {
    expect(c.argv.length).toBeGreaterThan(0);
    expect(c.argv.every((a) => typeof a === 'string')).toBe(true);
    expect(c.argv[0]).toMatch(/^[\w.+-]+$/);
    expect(c.exitCode === null || Number.isInteger(c.exitCode)).toBe(true);
    expect(Number.isInteger(c.durationMs) && c.durationMs >= 0).toBe(true);
    expect(typeof c.ok).toBe('boolean');
  }
  return found;
}

describe('--trace', () => {
  it('writes one JSON event per line on stderr: commands with argv, exit code and duration, session lifecycle, phases', async () => {
    const r = await vmcraft(['--trace', '-a', fx.debian12!.path, '--ro', '-i', '--run', 'cat /etc/hostname']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('vmcraft-debian');
    const events = parseTrace(r.stderr);
    const cmds = commands(events);
    const programs = new Set(cmds.map((c) => c.argv[0]));
    expect(programs).toContain('blkid');
    expect(programs).toContain('umount');
    expect(['qemu-storage-daemon', 'qemu-nbd', 'losetup'].some((p) => programs.has(p))).toBe(true);
    // --ro: every mount read-only, without journal replay (root and /boot at least).
    const mounts = cmds.filter((c) => c.argv[0] === 'mount');
    expect(mounts.length).toBeGreaterThanOrEqual(2);
    for (const m of mounts) expect(m.argv[m.argv.indexOf('-o') + 1]!.split(',')).toEqual(expect.arrayContaining(['ro', 'noload']));
    expect(cmds.every((c) => c.ok && c.exitCode === 0)).toBe(true);

    const sessions = events.filter((e) => e.event === 'session');
    expect(sessions.map((s) => s.state)).toEqual(['launching', 'launched', 'closed']);
    expect(sessions[0]).toMatchObject({ drives: [fx.debian12!.path], readonly: true, mode: 'auto' });
    expect(events.filter((e) => e.event === 'log')).toEqual([expect.objectContaining({ level: 'info', message: expect.stringMatching(/^mode host: /) })]);
    expect(sessions[1]).toMatchObject({ devices: ['/dev/sda'], mode: 'host' });
    expect(events[0]).toBe(sessions[0]);
    expect(events.at(-1)).toBe(sessions[2]);
    expect(Object.keys(sessions[2]!.metrics as object)).toEqual(expect.arrayContaining(['launch', 'attach', 'scan', 'inspect', 'mount', 'shutdown']));
    const phases = events.filter((e) => e.event === 'phase');
    expect(new Set(phases.map((p) => p.phase))).toEqual(new Set(['attach', 'scan', 'launch', 'inspect', 'mount', 'shutdown']));
    for (const p of phases) expect(p).toMatchObject({ durationMs: expect.any(Number), ok: true });
    // Commands of the attach phase come before its phase event, launch ends before the session says launched.
    const index = (pred: (e: TraceLine) => boolean) => events.findIndex(pred);
    expect(index((e) => e.event === 'phase' && e.phase === 'launch')).toBeLessThan(index((e) => e.state === 'launched'));
    expect(index((e) => e.event === 'command')).toBeLessThan(index((e) => e.event === 'phase' && e.phase === 'attach'));
    expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  });

  it('is not --verbose: that one prints human lines, no JSON', async () => {
    const r = await vmcraft(['-a', fx.debian12!.path, '--ro', '-i', '--verbose', '--run', 'cat /etc/hostname']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('vmcraft-debian');
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(4);
    // Commands, and the session's notes: where it runs (auto: the host here) and why.
    for (const line of lines) expect(line).toMatch(/^(\[ *\d+ ms\] [\w.+-]+( |$)|info: )/);
    expect(lines.some((l) => /^\[ *\d+ ms\] umount /.test(l))).toBe(true);
    expect(lines.filter((l) => l.startsWith('info: '))).toEqual([expect.stringMatching(/^info: mode host: /)]);
  });

  it('turns errors into events: a failed shell command is a message, the end of the program an error with its code', async () => {
    const failed = await vmcraft(['--trace', '-a', fx.debian12!.path, '--ro', '-i', '--run', 'cat /missing']);
    expect(failed.exitCode).toBe(1);
    const events = parseTrace(failed.stderr);
    expect(events.filter((e) => e.event === 'message')).toEqual([expect.objectContaining({ text: expect.stringMatching(/^error: ENOENT: read \/missing/) })]);
    expect(events.at(-1)).toMatchObject({ event: 'session', state: 'closed' });

    const broken = path.join(dir, 'not-an-image.qcow2');
    await writeFile(broken, Buffer.concat([Buffer.from('QFI\xfb', 'latin1'), Buffer.alloc(60)]));
    const fatal = await vmcraft(['--trace', '-a', broken, '--ro']);
    expect(fatal.exitCode).toBe(1);
    const end = parseTrace(fatal.stderr);
    expect(end.map((e) => e.state).filter(Boolean)).toEqual(['launching', 'failed']);
    expect(end.at(-1)).toMatchObject({ event: 'error', code: 'EFORMAT', message: expect.stringContaining(broken) });
  });

  it('works after a subcommand name too, leaving stdout to the results', async () => {
    const r = await vmcraft(['inspect', '--json', '--trace', fx.debian12!.path]);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject([{ hostname: 'vmcraft-debian', distro: 'debian' }]);
    const events = parseTrace(r.stderr);
    expect(commands(events).length).toBeGreaterThan(3);
    expect(events.filter((e) => e.event === 'phase').map((e) => e.phase)).toContain('inspect');

    const out = path.join(dir, 'traced.qcow2');
    const converted = await vmcraft(['--trace', 'convert', fx.plain!.path, out]);
    expect(converted.exitCode).toBe(0);
    expect(converted.stdout).toMatch(new RegExp(`^${out}: qcow2, \\d+ bytes, sha256 [0-9a-f]{64}$`));
    expect(commands(parseTrace(converted.stderr)).map((c) => c.argv.slice(0, 2).join(' '))).toContain('qemu-img convert');
  });
});

describe('secrets under --trace', () => {
  it('a LUKS passphrase given with --key reaches cryptsetup on stdin and appears nowhere', async () => {
    const secret = 'Tr4ce-Passphrase-7f3c';
    const image = await emptyLuksImage(path.join(dir, 'luks.raw'), secret);
    // --format before the -a it applies to, as guestfish's (a raw disk that starts with a LUKS header would be detected as qemu's luks format).
    const args = ['--trace', '--format', 'raw', '-a', image, '--ro', '--key', secret, '--run', 'list-filesystems'];
    const deviceMapper = (await probeHost()).kernel.deviceMapper;
    // auto: on the host when it has device-mapper, else in the VM; either way the key reaches cryptsetup on stdin
    // and opens the volume (an empty one).
    const r = await vmcraft(args);
    expect(`${r.stdout}\n${r.stderr}`).not.toContain(secret);
    const events = parseTrace(r.stderr);
    const open = commands(events).find((c) => c.argv[0] === 'cryptsetup' && c.argv[1] === 'open');
    expect(open).toMatchObject({ ok: true, argv: expect.arrayContaining(['--key-file=-']) });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(events.find((e) => e.event === 'session' && e.state === 'launched')).toMatchObject({ mode: deviceMapper ? 'host' : 'vm' });
    if (!deviceMapper) {
      // --host without device-mapper: refused before cryptsetup runs, the key handed to nothing.
      const host = await vmcraft(['--host', ...args]);
      expect(`${host.stdout}\n${host.stderr}`).not.toContain(secret);
      const hostEvents = parseTrace(host.stderr);
      expect(commands(hostEvents).find((c) => c.argv[0] === 'cryptsetup' && c.argv[1] === 'open')).toBeUndefined();
      expect(host.exitCode).toBe(1);
      expect(hostEvents.at(-1)).toMatchObject({ event: 'error', code: 'EUNSUPPORTED', message: expect.stringContaining('device-mapper') });
    }
    expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  });

  it('a root password given to customize is hashed through openssl on stdin and appears nowhere', async () => {
    const secret = 'Customize-Secret-91ab';
    const copy = path.join(dir, 'password.qcow2');
    await execa('cp', [fx.debian12!.path, copy]);
    const r = await vmcraft(['customize', '-a', copy, '--root-password', `password:${secret}`, '--trace']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/\] Setting password of root\n/);
    expect(`${r.stdout}\n${r.stderr}`).not.toContain(secret);
    expect(commands(parseTrace(r.stderr)).map((c) => c.argv.join(' '))).toContain('openssl passwd -6 -stdin');
    // The secret was really used: the shadow hash is the secret's.
    const shadow = (await vmcraft(['-a', copy, '--ro', '-i', '--run', 'cat /etc/shadow'])).stdout;
    const hash = shadow.split('\n').find((l) => l.startsWith('root:'))!.split(':')[1]!;
    const salt = hash.split('$')[2]!;
    expect((await execa('openssl', ['passwd', '-6', '-salt', salt, '-stdin'], { input: secret })).stdout).toBe(hash);
  });
});

describe('terminals, colours and progress bars', () => {
  const ESC = '\x1b[';

  it('draws the convert progress bar on a terminal only, and never with --quiet or --trace', async () => {
    const out = path.join(dir, 'bar.qcow2');
    const tty = await onTerminal(['convert', '--overwrite', fx.plain!.path, out]);
    expect(tty.exitCode).toBe(0);
    expect(tty.output).toMatch(/converting \[[█░]+\] 100% \| [\d.]+ MiB\/s/);
    const piped = await vmcraft(['convert', '--overwrite', fx.plain!.path, out]);
    expect(piped.exitCode).toBe(0);
    expect(piped.stderr).toBe('');
    const quiet = await onTerminal(['convert', '--overwrite', '--quiet', fx.plain!.path, out]);
    expect(quiet.exitCode).toBe(0);
    expect(quiet.output).not.toContain('converting');
    expect(quiet.output.trim()).toMatch(/^.+: qcow2, \d+ bytes, sha256 [0-9a-f]{64}$/);
    const traced = await onTerminal(['--trace', 'convert', '--overwrite', fx.plain!.path, out]);
    expect(traced.exitCode).toBe(0);
    expect(traced.output).not.toContain('converting');
    expect(traced.output).not.toContain(ESC);
    const lines = traced.output.split('\n').filter(Boolean);
    expect(lines.filter((l) => !l.startsWith('{'))).toEqual([expect.stringMatching(/: qcow2, \d+ bytes, sha256/)]);
    parseTrace(lines.filter((l) => l.startsWith('{')).join('\n'));
  });

  it('colours error prefixes on a terminal, not when NO_COLOR is set or stderr is a pipe', async () => {
    const args = ['-a', fx.debian12!.path, '--ro', '-i', '--run', 'cat /missing'];
    const tty = await onTerminal(args);
    expect(tty.exitCode).toBe(1);
    expect(tty.output).toContain(`${ESC}31merror${ESC}0m: ENOENT: read /missing`);
    const noColor = await onTerminal(args, { NO_COLOR: '1' });
    expect(noColor.exitCode).toBe(1);
    expect(noColor.output).toContain('error: ENOENT: read /missing');
    expect(noColor.output).not.toContain(ESC);
    const piped = await vmcraft(args);
    expect(piped.stderr).toMatch(/^error: ENOENT: read \/missing/);
    expect(piped.stderr).not.toContain(ESC);
    const fatal = await onTerminal(['-a', path.join(dir, 'no-such.qcow2')]);
    expect(fatal.exitCode).toBe(1);
    expect(fatal.output).toContain(`${ESC}31mvmcraft:${ESC}0m ENOENT:`);
  });
});
