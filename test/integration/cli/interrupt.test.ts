import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { loadFixtures, type FixtureManifest } from '../../fixtures/lib/manifest.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { CLI, cliRunner } from '../../helpers/cli.js';
import { scratchDir } from '../../helpers/images.js';

let fx: FixtureManifest;
let dir: string;
let remove: () => Promise<void>;
let source: string;

beforeAll(async () => {
  fx = await loadFixtures();
  ({ dir, remove } = await scratchDir('cli-interrupt'));
  source = path.join(dir, 'source.raw');
  // Random data compressed: a conversion that takes a second or two, with many progress events.
  await execa('dd', ['if=/dev/urandom', `of=${source}`, 'bs=1M', 'count=64', 'status=none']);
});
afterAll(async () => remove());

const vmcraft = cliRunner(() => dir);

/** Temp directories of conversions beside their targets in `dir`. */
async function convertTemps(): Promise<string[]> {
  return (await readdir(dir)).filter((n) => /^\..+\.vmcraft-/.test(n));
}

/** Runs `vmcraft ARGS | head -N` in bash; returns the CLI's exit status and stderr, and what head printed. */
async function pipedToHead(args: string[], lines: number): Promise<{ status: number; stderr: string; stdout: string }> {
  const r = await execa('bash', ['-c', `"$@" 2>"${dir}/stderr" | head -${lines}; echo "\${PIPESTATUS[0]}" >"${dir}/status"`, '_', 'node', '--import', 'tsx', CLI, ...args], { env: { TMPDIR: dir } });
  const { readFile } = await import('node:fs/promises');
  return { status: Number(await readFile(`${dir}/status`, 'utf8')), stderr: await readFile(`${dir}/stderr`, 'utf8'), stdout: r.stdout };
}

describe('the CLI interrupted', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)('convert stopped by %s removes its temp directory and dies of the signal', async (signal) => {
    const target = path.join(dir, `${signal}.qcow2`);
    const child = execa('node', ['--import', 'tsx', CLI, 'convert', '--json', '-c', source, target], { reject: false, env: { TMPDIR: dir } });
    await new Promise<void>((resolve) => child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('"progress"') && resolve()));
    expect(await convertTemps()).toHaveLength(1);
    child.kill(signal);
    const r = await child;
    expect([r.signal, r.stderr]).toEqual([signal, '']);
    expect(await convertTemps()).toEqual([]);
    expect(await readdir(dir)).not.toContain(`${signal}.qcow2`);
  });

  it('convert --json | head -3: the reader left, so it stops quietly (141) and removes its temp directory', async () => {
    const r = await pipedToHead(['convert', '--json', '-c', source, path.join(dir, 'headed.qcow2')], 3);
    expect(r.stdout.split('\n')).toHaveLength(3);
    expect([r.status, r.stderr]).toEqual([141, '']);
    expect(await convertTemps()).toEqual([]);
    expect(await readdir(dir)).not.toContain('headed.qcow2');
  });

  it('-v … | head -1: the session is released (no daemon, mount or loop device left)', async () => {
    // find / prints far more than a pipe holds, so the write after head left fails.
    const r = await pipedToHead(['-a', fx.debian12!.path, '--ro', '-i', '-v', '--run', 'find /', '--run', 'find /'], 1);
    expect(r.stdout.split('\n')).toHaveLength(1);
    expect(r.status).toBe(141);
    expect(r.stderr).not.toMatch(/EPIPE|at .*\.ts:\d+/);
    expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  });
});

describe('the CLI’s messages and checks', () => {
  it('customize checks every operation before the first write: a bad timezone changes nothing, exit 1', async () => {
    const copy = path.join(dir, 'customize.qcow2');
    await execa('cp', [fx.debian12!.path, copy]);
    const r = await vmcraft(['customize', '-a', copy, '--hostname', 'changed-box', '--timezone', 'Mars/Olympus']);
    expect([r.exitCode, r.stdout]).toEqual([1, expect.stringMatching(/^\[ *\d+\.\d\] Examining the guest \.\.\.$/)]);
    expect(r.stderr).toContain('EINVAL: the guest has no zoneinfo for `Mars/Olympus`');
    expect((await vmcraft(['-a', copy, '--ro', '-i', '--run', 'cat /etc/hostname'])).stdout).toBe('vmcraft-debian');
    expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  });

  it('tells CLI flags, not library options', async () => {
    const out = path.join(dir, 'exists.qcow2');
    await writeFile(out, '');
    const exists = await vmcraft(['convert', fx.plain!.path, out]);
    expect(exists.stderr).toContain('EEXIST');
    expect(exists.stderr).toContain('pass --overwrite to replace it');
    const unmounted = await vmcraft(['-a', fx.debian12!.path, '--ro', '--run', 'cat /etc/hostname']);
    expect(unmounted.stderr).toContain('mount one first: -i, or mount / mount-root in the shell');
    const copy = path.join(dir, 'busy.qcow2');
    await execa('cp', [fx.plain!.path, copy]);
    const writer = await GuestFS.open(copy, { tmpDir: dir });
    try {
      const busy = await vmcraft(['-a', copy, '--ro', '--run', 'list-devices']);
      expect(busy.stderr).toContain('EBUSY');
      expect(busy.stderr).toContain('add --live (with --ro)');
      expect(busy.stderr).not.toContain('live: true');
    } finally {
      await writer.close();
    }
  });

  it('reads --script FILE before opening anything', async () => {
    const r = await vmcraft(['-a', path.join(dir, 'no-such-image.qcow2'), '--script', path.join(dir, 'no-such-script')]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('no-such-script');
    expect(r.stderr).not.toContain('no-such-image');
    // The code once, and what the file was for (was `ENOENT: ENOENT: no such file or directory, open …`).
    expect(r.stderr).toBe(`vmcraft: ENOENT: cannot read the script ${path.join(dir, 'no-such-script')}: no such file, directory or device`);
  });
});
