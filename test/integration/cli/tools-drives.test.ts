/**
 * The small tools' `--format` applies per drive, as libguestfs's tools take it: to the `-a`
 * options after it, `--format auto` (or a bare `--format`) going back to detection; images
 * given as operands take the last one. Driven through the built CLI on two scratch drives of
 * different formats (a raw ext4 and a qcow2 ext4), which stay byte-identical.
 */
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { assertBuiltCliFresh, BUILT_CLI, type CliRun } from '../../helpers/cli.js';
import { scratchDir, sha256File } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;
let raw: string;
let qcow2: string;
const sums: Record<string, string> = {};

async function vmcraft(args: string[]): Promise<CliRun> {
  const r = await execa('node', [BUILT_CLI, ...args], { reject: false, env: { TMPDIR: dir }, stdin: 'ignore' });
  return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** The first column of each line (the device names of `filesystems`, the `name:device` of `df`). */
const firstColumn = (r: CliRun) => r.stdout.split('\n').filter(Boolean).map((l) => l.split(/ +/)[0]);

beforeAll(async () => {
  await assertBuiltCliFresh(['src']);
  ({ dir, remove } = await scratchDir('cli-tool-drives'));
  raw = path.join(dir, 'one.raw');
  qcow2 = path.join(dir, 'two.qcow2');
  const staging = path.join(dir, 'two.raw');
  await execa('truncate', ['-s', '64M', raw, staging]);
  await execa('mkfs.ext4', ['-q', '-L', 'one', raw]);
  await execa('mkfs.ext4', ['-q', '-L', 'two', staging]);
  await execa('qemu-img', ['convert', '-O', 'qcow2', staging, qcow2]);
  await execa('rm', [staging]);
  for (const f of [raw, qcow2]) sums[f] = await sha256File(f);
});
afterAll(async () => {
  for (const f of [raw, qcow2]) expect(await sha256File(f)).toBe(sums[f]);
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

describe('per-drive --format in the small tools', () => {
  it('filesystems: each -a takes the --format before it', async () => {
    const r = await vmcraft(['filesystems', '--long', '--format', 'raw', '-a', raw, '--format', 'qcow2', '-a', qcow2]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).slice(1).map((l) => l.split(/ +/).slice(0, 4))).toEqual([
      ['/dev/sda', 'filesystem', 'ext4', 'one'],
      ['/dev/sdb', 'filesystem', 'ext4', 'two'],
    ]);
  });

  it('a --format stays in force for the next -a: the qcow2 opened as raw shows no filesystem', async () => {
    const r = await vmcraft(['filesystems', '--format', 'raw', '-a', raw, '-a', qcow2]);
    expect(r.exitCode).toBe(0);
    expect(firstColumn(r)).toEqual(['/dev/sda']);
  });

  it('df: --format auto and a bare --format go back to detection for the drives after them', async () => {
    for (const reset of [['--format', 'auto'], ['--format']]) {
      const r = await vmcraft(['df', '--csv', '--format', 'raw', '-a', raw, ...reset, '-a', qcow2]);
      expect(r.exitCode).toBe(0);
      expect(r.stdout.split('\n').filter(Boolean).slice(1).map((l) => l.split(',')[1])).toEqual(['/dev/sda', '/dev/sdb']);
    }
  });

  it('old-style operands take the last --format', async () => {
    const r = await vmcraft(['filesystems', '--format', 'qcow2', qcow2]);
    expect(r.exitCode).toBe(0);
    expect(firstColumn(r)).toEqual(['/dev/sda']);
    // The raw drive named qcow2 is refused by the image layer: a failed operation.
    expect((await vmcraft(['filesystems', '--format', 'qcow2', raw])).exitCode).toBe(1);
  });

  it('an unknown format is a usage error: exit 2, one line', async () => {
    const r = await vmcraft(['df', '--format', 'rawx', '-a', raw]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.split('\n')[0]).toMatch(/--format: unknown format 'rawx'/);
  });
});
