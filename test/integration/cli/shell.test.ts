/**
 * The shell's command layer as users get it — the built CLI (dist/cli.js, from
 * `npm run build`), where the bundler renames parameters — checked against
 * the API table: `help <cmd>` for every command, and each argument kind
 * through the shell on a real image, with its effect asserted (issue 14: the
 * commands once read their parameter names from the bundled source).
 */
import { createHash } from 'node:crypto';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArgKind, ArgSpec } from '../../../src/api/args.js';
import { API, type ApiEntry } from '../../../src/api/table.js';
import { docText, OWN_COMMANDS, shellName } from '../../../src/cli/commands.js';
import { KIND_HELP } from '../../../src/cli/words.js';
import { loadFixtures, type FixtureManifest } from '../../fixtures/lib/manifest.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir } from '../../helpers/images.js';
import { assertBuiltCliFresh, BUILT_CLI } from '../../helpers/cli.js';

const CLI = BUILT_CLI;
let fx: FixtureManifest;
let dir: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  // The table and the shell are what this file checks the build against.
  await assertBuiltCliFresh(['src/cli', 'src/api']);
  fx = await loadFixtures();
  ({ dir, remove } = await scratchDir('cli-shell'));
});
afterAll(async () => remove?.());

/** The built CLI; standard input from `input`, else none. */
async function vmcraft(args: string[], input?: string) {
  const r = await execa('node', [CLI, ...args], { reject: false, env: { TMPDIR: dir }, ...(input !== undefined ? { input } : { stdin: 'ignore' }) });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Whether an options field can be given as a word (a signal or a callback cannot). */
const wordField = (f: ArgSpec) => !/AbortSignal|=>/.test(f.ts ?? '');

const commandEntries = () => API.filter((e) => !e.noShell && !OWN_COMMANDS.includes(shellName(e)));

describe('help <cmd> for every shell command, against the table', () => {
  it('shows the usage line with exactly the entry’s arguments, the summary, the doc and each parameter’s kind', async () => {
    const entries = commandEntries();
    expect(entries.length).toBeGreaterThan(100);
    const r = await vmcraft(['-a', fx.plain!.path, '--ro', '--script', '-'], entries.map((e) => `help ${shellName(e)}\n`).join(''));
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    // Each block starts with its usage line, the only line not indented.
    const blocks: string[][] = [];
    for (const line of r.stdout.split('\n')) {
      if (/^\S/.test(line)) blocks.push([line]);
      else blocks.at(-1)!.push(line);
    }
    expect(blocks.map((b) => b[0]!.split(' ')[0])).toEqual(entries.map(shellName));
    entries.forEach((entry: ApiEntry, n) => {
      const [usageLine, summary, ...rest] = blocks[n]!;
      const text = rest.join('\n');
      const name = shellName(entry);
      const positional = entry.args.filter((s) => !s.fields);
      const expected = entry.args.flatMap((s) => {
        if (s.fields) return s.fields.filter(wordField).map((f) => `[${f.name}:`);
        const word = s.kind === 'stringList' && positional.at(-1) === s ? `${s.name}...` : s.name;
        return [s.optional ? `[${word}]` : word];
      });
      const words = usageLine!.split(' ');
      expect(words[0]).toBe(name);
      expect(words.slice(1).map((w) => (w.startsWith('[') && w.includes(':') ? w.slice(0, w.indexOf(':') + 1) : w)), name).toEqual(expected);
      expect(summary, name).toBe(`  ${entry.summary}`);
      for (const line of (entry.doc ? docText(entry.doc) : '').split('\n').filter(Boolean)) expect(text, name).toContain(`  ${line}`);
      for (const s of entry.args) {
        if (s.fields) {
          for (const f of s.fields.filter(wordField)) expect(text, `${name} ${f.name}`).toMatch(new RegExp(`\\n {2}${f.name}:\\s+${escape(KIND_HELP[f.kind])}`));
          continue;
        }
        const kind = s.kind === 'stringList' ? 'list: ' : KIND_HELP[s.kind];
        expect(text, `${name} ${s.name}`).toMatch(new RegExp(`(^|\\n) {2}${s.name}(\\.\\.\\.)?\\s+${escape(kind)}`));
      }
    });
  });

  it('help lists every command with its summary; the six commands that were broken have their real parameters', async () => {
    const r = await vmcraft(['-a', fx.plain!.path, '--ro', '--run', 'help', '--run', 'help cat', '--run', 'help sh', '--run', 'help command', '--run', 'help truncate-size', '--run', 'help install-packages', '--run', 'help run-first-boot']);
    expect(r.exitCode).toBe(0);
    for (const e of commandEntries()) expect(r.stdout).toContain(`${shellName(e).padEnd(28)} ${e.summary}`);
    const usages = r.stdout.split('\n').filter((l) => /^(cat|sh|command|truncate-size|install-packages|run-first-boot) (?! )/.test(l));
    expect(usages).toEqual([
      'cat path',
      'sh script [env:JSON] [input:..] [timeoutMs:N] [cwd:..] [network:true|false]',
      'command argv... [env:JSON] [input:..] [timeoutMs:N] [cwd:..] [network:true|false]',
      'truncate-size path [size]',
      'install-packages packages...',
      'run-first-boot script [name]',
    ]);
  });
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The commands below that take an argument (or an optarg) of each kind. */
const COVERED: Record<ArgKind, string> = {
  device: 'part-get-mbr-id',
  mountable: 'vfs-type',
  guestPath: 'read-lines',
  hostPathIn: 'upload',
  hostPathOut: 'download',
  string: 'run-first-boot',
  int: 'chown',
  int64: 'truncate-size',
  mode: 'chmod',
  bool: 'is-file',
  secret: 'luks-open',
  buffer: 'write',
  stringList: 'command',
  date: 'find-modified-since',
  struct: 'set-password',
};

it('the table has no argument kind the tests below leave out, and each command named takes its kind', () => {
  const byName = new Map(API.map((e) => [shellName(e), e]));
  const kinds = new Set(API.filter((e) => !e.noShell).flatMap((e) => e.args.flatMap((s) => (s.fields ? s.fields.filter(wordField) : [s]).map((x) => x.kind))));
  for (const kind of kinds) expect(Object.keys(COVERED), kind).toContain(kind);
  for (const [kind, name] of Object.entries(COVERED)) expect(byName.get(name)!.args.flatMap((s) => [s, ...(s.fields ?? [])]).map((s) => s.kind), name).toContain(kind);
});

describe('every argument kind through the shell, on a copy of the Debian image', () => {
  let image: string;
  beforeAll(async () => {
    image = path.join(dir, 'debian.qcow2');
    await copyFile(fx.debian12!.path, image);
  });
  afterAll(async () => expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT));

  /** Runs command lines in one read-write session with the OS mounted (-i). */
  const run = (...lines: string[]) => vmcraft(['-a', image, '-i', ...lines.flatMap((l) => ['--run', l])]);
  const ok = async (...lines: string[]) => {
    const r = await run(...lines);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    return r.stdout;
  };

  it('buffer with escapes, guest path, int64, mode and int: write "a\\nb", truncate-size, chmod 0640, chown', async () => {
    expect((await ok('write /root/f "a\\nb\\tc\\x21\\101"', 'read-lines /root/f')).split('\n')).toEqual(['a', 'b\tc!A']);
    expect(await ok("write /root/literal 'a\\nb'", 'cat /root/literal')).toBe('a\\nb');
    const st = JSON.parse(await ok('truncate-size /root/f 2', 'chmod 0640 /root/f', 'chown 1000 1001 /root/f', 'statns /root/f')) as { size: number; perms: number; uid: number; gid: number };
    expect(st).toMatchObject({ size: 2, perms: 0o640, uid: 1000, gid: 1001 });
    expect(await ok('read-lines /root/f')).toBe('a');
    // Bytes that are not UTF-8 reach the file as they are.
    const out = path.join(dir, 'bytes.bin');
    await ok('write /root/bytes "\\xff\\001z"', `download /root/bytes ${out}`);
    expect(await readFile(out)).toEqual(Buffer.from([0xff, 0x01, 0x7a]));
  });

  it('words that are not of their kind are refused with the parameter named, before anything runs', async () => {
    const size = await run('truncate-size /root/f two');
    expect([size.exitCode, size.stderr]).toEqual([1, 'error: EINVAL: truncate-size: expected size to be an integer, got "two"']);
    const mode = await run('chmod 999 /root/f');
    expect(mode.stderr).toBe('error: EINVAL: chmod: expected mode to be an octal mode such as 0644, got "999"');
    const usage = await run('chmod 0644');
    expect(usage.stderr).toBe('error: EINVAL: chmod needs 2 argument(s), got 1; usage: chmod mode path');
    const device = await run('vfs-type /dev/sdz1');
    expect(device.stderr).toMatch(/^error: ENOENT: .*\/dev\/sdz1.*\/dev\/sda1/);
    const badEscape = await run('write /root/x "C:\\Windows"');
    expect(badEscape.stderr).toMatch(/^error: invalid escape sequence \\Win/);
  });

  it('device and mountable: partition numbers, MBR ids, sizes, filesystem types', async () => {
    const [partnum, mbrId, size, vfs] = (await ok('part-to-partnum /dev/sda2', 'part-get-mbr-id /dev/sda 1', 'blockdev-getsize64 /dev/sda1', 'vfs-type /dev/sda2')).split('\n');
    expect([partnum, mbrId, vfs]).toEqual(['2', '131', 'ext4']);
    expect(Number(size)).toBe(fx.debian12!.partitions[0]!.sizeMiB * 2 ** 20);
  });

  it('host paths read and written: upload, download, checksums-out', async () => {
    const from = path.join(dir, 'from-host.txt');
    await writeFile(from, 'from the host\n');
    const to = path.join(dir, 'hostname.txt');
    const sums = path.join(dir, 'sums.txt');
    expect(await ok(`upload ${from} /root/up.txt`, 'cat /root/up.txt', `download /etc/hostname ${to}`, `checksums-out sha256 /root ${sums}`)).toBe('from the host');
    expect(await readFile(to, 'utf8')).toBe('vmcraft-debian\n');
    expect(await readFile(sums, 'utf8')).toContain(`${createHash('sha256').update('from the host\n').digest('hex')}  ./up.txt\n`);
  });

  it('bool optargs: is-file followsymlinks:true follows a symlink, the default does not; glob-expand directorySlash:false', async () => {
    const [plain, followed, no, globbed] = (await ok('ln-s /etc/hostname /root/lnk', 'is-file /root/lnk', 'is-file /root/lnk followsymlinks:true', 'is-file /root/lnk FollowSymlinks:no', 'glob-expand /et* directorySlash:false')).split('\n');
    expect([plain, followed, no, globbed]).toEqual(['false', 'true', 'false', '/etc']);
  });

  it('string lists as the rest of the words: command id -u, feature-available, fix-plan; sh takes its script as one word', async () => {
    const [uid, shUid, pwd, fromJson, groups] = (await ok('command id -u', "sh 'id -u'", 'command pwd cwd:/etc', `sh 'echo $A' env:'{"A":"from json"}'`, 'feature-available lvm2 luks')).split('\n');
    expect([uid, shUid, pwd, fromJson]).toEqual(['0', '0', '/etc', 'from json']);
    expect(['true', 'false']).toContain(groups);
    expect(await ok("sh-lines 'echo one; echo two'")).toBe('one\ntwo');
    const plan = JSON.parse(await ok('fix-plan fstab')) as { fixer: string }[];
    expect(plan.map((p) => p.fixer)).toEqual(['fstab']);
  });

  it('date: find-modified-since lists what changed after it', async () => {
    await ok('mkdir-p /root/dated', 'touch /root/dated/new');
    expect(await ok('find-modified-since /root/dated 2000-01-01')).toBe('/root/dated/new');
    expect(await ok('find-modified-since /root/dated 2999-01-01T00:00:00Z')).toBe('');
  });

  it('struct as JSON: set-password root with a password spec', async () => {
    const r = await run(`set-password root '{"password":"s3cret-pw"}'`, 'cat /etc/shadow');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^root:\$6\$[^:]+:/m);
    expect(r.stdout + r.stderr).not.toContain('s3cret-pw');
  });

  it('secret: luks-open takes the key as a word and never shows it', async () => {
    const r = await run('luks-open /dev/sda2 hunter2-key');
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('error: EINVAL: /dev/sda2 is not a LUKS device');
    expect(r.stdout + r.stderr).not.toContain('hunter2-key');
  });

  it('run-first-boot takes the script alone (its name is optional)', async () => {
    const [script, content] = (await ok("run-first-boot 'echo hi > /root/firstboot.txt'", 'cat /usr/local/lib/vmcraft/firstboot.d/vmcraft-firstboot')).split(/\n(?=#!)/);
    expect(script).toBe('/usr/local/lib/vmcraft/firstboot.d/vmcraft-firstboot');
    expect(content).toContain('echo hi > /root/firstboot.txt');
  });

  it('install-packages takes the package names as the rest of the words, over the network', async () => {
    expect(await ok('exists /usr/bin/tree')).toBe('false');
    const r = await run('install-packages tree', 'command tree --version');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^tree v\d/m);
  }, 600_000);
});
