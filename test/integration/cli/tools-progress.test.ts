/**
 * Progress of the long tools: `make-fs` and `copy-out` of a big tree draw a byte progress bar
 * on a terminal (a real one: tmux; and a pseudo-terminal from script(1) to see the raw bytes),
 * nothing on a pipe or with --json, and no colour (NO_COLOR set or not).
 */
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir } from '../../helpers/images.js';
import { assertBuiltCliFresh, BUILT_CLI } from '../../helpers/cli.js';
import { openTerminal, type Terminal } from '../../helpers/tmux.js';

let dir: string;
let remove: () => Promise<void>;
let tree: string;
const terminals: Terminal[] = [];

const quote = (w: string) => `'${w.replace(/'/g, "'\\''")}'`;
/** A bar line as cli-progress draws it at the end: `copying [███] 100% | 24.0/24.0 MiB`. */
const FULL_BAR = /copying \[█+\] 100% \| ([\d.]+)\/\1 MiB/;
const SGR = /\x1b\[[\d;]*m/;

beforeAll(async () => {
  await assertBuiltCliFresh(['src/cli']);
  ({ dir, remove } = await scratchDir('cli-progress'));
  // A big tree: 24 MiB in 96 files over 4 directories.
  tree = path.join(dir, 'tree');
  for (let d = 0; d < 4; d++) {
    await mkdir(path.join(tree, `d${d}`), { recursive: true });
    for (let f = 0; f < 24; f++) await writeFile(path.join(tree, `d${d}`, `f${f}`), randomBytes(256 * 1024));
  }
});
afterAll(async () => {
  for (const t of terminals) await t.kill();
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

/** The built CLI on pipes. */
async function piped(args: string[]) {
  const r = await execa('node', [BUILT_CLI, ...args], { reject: false, env: { TMPDIR: dir }, stdin: 'ignore' });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** The built CLI in a tmux terminal; resolves with the screen once it ended (the shell waits after it, so the screen stays). */
async function inTmux(name: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const vars = Object.entries({ TMPDIR: dir, TERM: 'xterm', ...env }).map(([k, v]) => `${k}=${quote(v)}`).join(' ');
  const t = await openTerminal(`vmcraft-progress-${name}-${process.pid}`, `env ${vars} node ${quote(BUILT_CLI)} ${args.map(quote).join(' ')}; echo "EXIT=$?"; sleep 120`);
  terminals.push(t);
  return t.waitFor(/EXIT=\d+/, 120_000);
}

/** The built CLI on a pseudo-terminal (script(1)): every byte it wrote, escapes included. */
async function onPty(args: string[], env: Record<string, string>) {
  const r = await execa('script', ['-qec', ['node', BUILT_CLI, ...args].map(quote).join(' '), '/dev/null'], { reject: false, stdin: 'ignore', env: { TMPDIR: dir, TERM: 'xterm', ...env } });
  return { exitCode: r.exitCode, output: String(r.stdout) };
}

describe('make-fs and copy-out progress', () => {
  it('make-fs draws a byte bar on a terminal, nothing on a pipe or with --json', async () => {
    const screen = await inTmux('makefs', ['make-fs', tree, path.join(dir, 'tty.img'), '--type', 'ext4']);
    expect(screen).toContain('EXIT=0');
    const bar = FULL_BAR.exec(screen);
    expect(bar).not.toBeNull();
    // The total is the tree's size (24 MiB of content and its entries), not a made-up 100.
    expect(Number(bar![1])).toBeGreaterThan(24);
    expect(Number(bar![1])).toBeLessThan(26);
    const pipe = await piped(['make-fs', tree, path.join(dir, 'pipe.img'), '--type', 'ext4']);
    expect(pipe).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
    const json = await onPty(['make-fs', '--json', tree, path.join(dir, 'json.img')], {});
    expect(json.exitCode).toBe(0);
    expect(json.output).not.toContain('copying [');
  });

  it('copy-out of a big tree draws a byte bar on a terminal, nothing on a pipe; no colour, NO_COLOR set or not', async () => {
    const img = path.join(dir, 'tree.img');
    expect((await piped(['make-fs', tree, img])).exitCode).toBe(0);
    const into = async (name: string) => {
      const d = path.join(dir, name);
      await mkdir(d);
      return d;
    };
    const ttyDir = await into('out-tty');
    const screen = await inTmux('copyout', ['copy-out', '-a', img, '-m', '/dev/sda', '/d0', '/d1', '/d2', '/d3', ttyDir]);
    expect(screen).toContain('EXIT=0');
    expect(Number(FULL_BAR.exec(screen)?.[1])).toBeGreaterThan(23);
    expect((await readdir(ttyDir)).sort()).toEqual(['d0', 'd1', 'd2', 'd3']);
    const pipeDir = await into('out-pipe');
    expect(await piped(['copy-out', '-a', img, '-m', '/dev/sda', '/d0', pipeDir])).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
    for (const env of [{ NO_COLOR: '1' }, {}] as Record<string, string>[]) {
      const r = await onPty(['copy-out', '-a', img, '-m', '/dev/sda', '/d1', await into(`out-pty-${Object.keys(env).length}`)], env);
      expect(r.exitCode).toBe(0);
      expect(r.output).toMatch(FULL_BAR);
      expect(r.output).not.toMatch(SGR);
    }
  });
});
