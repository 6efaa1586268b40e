/** `vmcraft pipeline plan|run|schema` end to end through the CLI, on the Debian fixture. */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineEvent, PipelineReport } from '../../../src/index.js';
import { loadFixtures, type FixtureManifest } from '../../fixtures/lib/manifest.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { CLI, cliRunner } from '../../helpers/cli.js';
import { scratchDir, sha256File } from '../../helpers/images.js';

let fx: FixtureManifest;
let dir: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  fx = await loadFixtures();
  ({ dir, remove } = await scratchDir('cli-pipeline'));
  await mkdir(path.join(dir, 'out'));
});
afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

const vmcraft = cliRunner(() => dir);

async function config(name: string, text: string): Promise<string> {
  await writeFile(path.join(dir, name), text);
  return path.join(dir, name);
}

describe('vmcraft pipeline', () => {
  it('plan --json prints the plan with passphrases hidden; plan alone prints it for people', async () => {
    const file = await config('plan.yaml', `vms:\n  - name: deb\n    input: [${fx.debian12!.path}]\n    output: { path: out/deb.qcow2 }\n    keys: [s3cret-passphrase]\n`);
    const json = await vmcraft(['pipeline', 'plan', file, '--json']);
    expect(json.exitCode).toBe(0);
    expect(json.stdout).not.toContain('s3cret-passphrase');
    expect(JSON.parse(json.stdout)).toMatchObject({ version: 1, concurrency: 1, vms: [{ name: 'deb', keys: ['***'], output: { path: path.join(dir, 'out/deb.qcow2'), format: 'qcow2' } }] });
    const human = await vmcraft(['pipeline', 'plan', file]);
    expect(human.stdout.split('\n').slice(0, 3)).toEqual(['deb: fetch → flatten → inspect → fix → convert → validate', `  input  ${fx.debian12!.path} (qcow2)`, `  output ${path.join(dir, 'out/deb.qcow2')} (qcow2)`]);
  });

  it('run --json: events then the report as JSON lines, exit 0; the input untouched', async () => {
    const before = await sha256File(fx.debian12!.path);
    const file = await config('run.yaml', `vms:\n  - name: deb\n    input: [${fx.debian12!.path}]\n    output: { path: out/deb.qcow2 }\n`);
    const r = await vmcraft(['pipeline', 'run', file, '--json']);
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as PipelineEvent | { type: 'report'; report: PipelineReport });
    expect(lines[0]).toEqual({ type: 'vm-start', vm: 'deb' });
    const report = (lines.at(-1) as { report: PipelineReport }).report;
    expect(report).toMatchObject({ ok: 1, failed: 0 });
    expect(report.vms[0]!.produced[0]!.sha256).toBe(await sha256File(path.join(dir, 'out/deb.qcow2')));
    expect(JSON.parse(await readFile(path.join(dir, 'out/deb.qcow2.report.json'), 'utf8'))).toEqual(report.vms[0]);
    expect(await sha256File(fx.debian12!.path)).toBe(before);
    // Again: every stage reused, the human summary on stdout.
    const again = await vmcraft(['pipeline', 'run', file]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('deb: ok in ');
    expect(again.stdout).toContain('fetch reused · flatten reused · inspect reused · fix reused · convert reused · validate reused');
  }, 120_000);

  it('exits 1 when a VM fails and 2 on a bad configuration naming file, line and key', async () => {
    const failing = await config('fail.yaml', `stages: [fetch, inspect]\nvms:\n  - name: data\n    input: [${fx.plain!.path}]\n    output: { path: out/data.qcow2 }\n`);
    const r = await vmcraft(['pipeline', 'run', failing]);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('data: failed');
    expect(r.stdout).toContain('EINSPECT: no operating system found');
    const bad = await config('bad.yaml', `vms:\n  - name: x\n    input: [${fx.plain!.path}]\n    output: { path: out/x.qcow2, format: vmdkk }\n`);
    const b = await vmcraft(['pipeline', 'run', bad]);
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toContain(`${bad}:4: vms.0.output.format: expected one of qcow2, raw, vmdk, vhdx, vhd, vdi, got "vmdkk"`);
  }, 60_000);

  it('Ctrl-C stops the run between stages with EABORTED and nothing left; the next run resumes', async () => {
    const file = await config('ctrlc.yaml', `vms:\n  - name: k\n    input: [${fx.debianKernel!.path}]\n    output: { path: out/k.qcow2 }\n`);
    const child = execa('node', ['--import', 'tsx', CLI, 'pipeline', 'run', file], { reject: false, env: { TMPDIR: dir } });
    await new Promise<void>((resolve) => child.stderr!.on('data', (chunk: Buffer) => chunk.toString().includes('k: inspect done') && resolve()));
    // During FIX: its overlay creation stops at once, or update-initramfs finishes and CONVERT does not start.
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('interrupted: stopping after the running step');
    expect(r.stdout).toContain('✗ EABORTED: ');
    expect(r.stdout).toMatch(/inspect done [\d.]+ s · fix (done [\d.]+ s · convert failed|failed · convert not-run) · validate not-run/);
    await expect(stat(path.join(dir, 'out/k.qcow2'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
    const again = await vmcraft(['pipeline', 'run', file]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/fetch reused · flatten reused · inspect reused · fix (reused|done [\d.]+ s) · convert done/);
  }, 180_000);

  it('schema prints the JSON Schema shipped in the package', async () => {
    const r = await vmcraft(['pipeline', 'schema']);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(await readFile(path.join(import.meta.dirname, '../../../schema/pipeline.schema.json'), 'utf8')));
  });
});
