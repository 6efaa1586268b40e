/**
 * The pipeline end to end on the debootstrapped Debian fixture, given as a
 * VMware-style vmdk whose fstab names /boot by /dev/sda1: dry run, full run,
 * re-runs, a changed option, resume after a kill in CONVERT, a batch with a
 * failing VM, a custom stage, and bad plans.
 */
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS, loadPipelineConfig, plan, run, type PipelineEvent, type Stage } from '../../../src/index.js';
import { loadFixtures, type FixtureManifest } from '../../fixtures/lib/manifest.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir, sha256File } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;
let fixtures: FixtureManifest;
let input: string;
let inputSha: string;
const child = path.join(import.meta.dirname, '../../helpers/pipeline-child.ts');

/** Writes a YAML file into the scratch directory and returns its path. */
async function yaml(name: string, text: string): Promise<string> {
  await writeFile(path.join(dir, name), text);
  return path.join(dir, name);
}

function statuses(report: Awaited<ReturnType<typeof run>>, vm = 0): Record<string, string> {
  return Object.fromEntries(report.vms[vm]!.stages.map((s) => [s.name, s.status]));
}

const ALL = ['fetch', 'flatten', 'inspect', 'fix', 'convert', 'validate'];
const every = (status: string) => Object.fromEntries(ALL.map((s) => [s, status]));

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('pipeline'));
  fixtures = await loadFixtures();
  // A guest as VMware left it: /boot named by its kernel device name, which changes on virtio.
  const copy = path.join(dir, 'prepare.qcow2');
  await copyFile(fixtures.debian12!.path, copy);
  await GuestFS.with(copy, { tmpDir: dir }, async (g) => {
    await g.mountRoot((await g.inspectOs())[0]!);
    await g.write('/etc/fstab', (await g.cat('/etc/fstab')).replace('LABEL=boot', '/dev/sda1'));
  });
  input = path.join(dir, 'web01.vmdk');
  await execa('qemu-img', ['convert', '-f', 'qcow2', '-O', 'vmdk', copy, input]);
  await rm(copy);
  inputSha = await sha256File(input);
  await yaml('base.yaml', 'workDir: work\nconcurrency: 1\nvms:\n  - name: placeholder\n    input: [web01.vmdk]\n    output: { path: out/x.qcow2 }\n');
  await yaml('web01.yaml', 'vms:\n  - name: web01\n    input: [web01.vmdk]\n    output:\n      path: out/web01.qcow2\n      format: qcow2\n');
  await execa('mkdir', ['-p', path.join(dir, 'out')]);
}, 120_000);
afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

describe('pipeline on a Debian vmdk', () => {
  it('dry run: every stage planned, the fstab fix shown, nothing written and the input byte-identical', async () => {
    const config = await loadPipelineConfig([path.join(dir, 'base.yaml'), path.join(dir, 'web01.yaml')]);
    const p = await plan(config);
    expect(p.vms[0]).toMatchObject({ name: 'web01', stages: ALL, sources: [{ path: input, format: 'vmdk', flatten: 'none' }], workDir: path.join(dir, 'work/web01') });
    expect(JSON.parse(JSON.stringify(p))).toEqual(p); // serialisable
    const before = await readdir(dir);
    const report = await run(p, { dryRun: true });
    expect(report.vms[0]!.status).toBe('dry-run');
    expect(statuses(report)).toEqual(every('planned'));
    const fix = report.vms[0]!.stages.find((s) => s.name === 'fix')!.result as { plans: { fixer: string; changes: { path: string; after?: string }[] }[] };
    const fstab = fix.plans.find((f) => f.fixer === 'fstab')!.changes[0]!;
    expect(fstab.path).toBe('/etc/fstab');
    expect(fstab.after).toContain(`UUID=${fixtures.debian12!.partitions[0]!.uuid} /boot ext4`);
    expect(await readdir(dir)).toEqual(before);
    expect(await readdir(path.join(dir, 'out'))).toEqual([]);
    expect(await sha256File(input)).toBe(inputSha);
  });

  it('dry run with mode vm: the same plans, every command of the stages\' sessions run inside the VM', async () => {
    const p = await plan(await loadPipelineConfig([path.join(dir, 'base.yaml'), path.join(dir, 'web01.yaml')]));
    const fixPlans = (report: Awaited<ReturnType<typeof run>>) => report.vms[0]!.stages.find((s) => s.name === 'fix')!.result;
    const onHost = await run(p, { dryRun: true, mode: 'host' });
    const traces: { argv: string[]; inVm?: boolean }[] = [];
    const inVm = await run(p, { dryRun: true, mode: 'vm', onTrace: (t) => traces.push(t) });
    expect(statuses(inVm)).toEqual(every('planned'));
    expect(fixPlans(inVm)).toEqual(fixPlans(onHost));
    // The session's own commands (blkid, mount…) ran in the VM; on the host only QEMU's image checks ran.
    expect(traces.filter((t) => t.inVm).map((t) => t.argv[0])).toContain('mount');
    expect(traces.filter((t) => !t.inVm).map((t) => t.argv[0])).not.toContain('mount');
    expect(await sha256File(input)).toBe(inputSha);
  }, 180_000);

  it('full run: vmdk in, fixed standalone qcow2 out, checked and re-inspected; report and state beside it', async () => {
    const config = await loadPipelineConfig([path.join(dir, 'base.yaml'), path.join(dir, 'web01.yaml')]);
    const events: PipelineEvent[] = [];
    const report = await run(await plan(config), { onEvent: (e) => events.push(e) });
    expect(report.vms[0]!.error?.message).toBeUndefined();
    expect(statuses(report)).toEqual(every('done'));
    const output = path.join(dir, 'out/web01.qcow2');
    const info = JSON.parse((await execa('qemu-img', ['info', '--output=json', output])).stdout) as { format: string; 'backing-filename'?: string };
    expect(info.format).toBe('qcow2');
    expect(info['backing-filename']).toBeUndefined();
    expect(report.vms[0]!.produced).toEqual([{ path: output, format: 'qcow2', size: (await stat(output)).size, sha256: await sha256File(output) }]);
    expect(JSON.parse(await readFile(`${output}.report.json`, 'utf8'))).toEqual(report.vms[0]);
    const state = JSON.parse(await readFile(`${output}.vmcraft-state.json`, 'utf8')) as { stages: Record<string, unknown> };
    expect(Object.keys(state.stages)).toEqual(ALL);
    // Events: each stage starts and ends in order; CONVERT's progress ends at 100.
    const order = events.filter((e) => e.type === 'stage-start' || e.type === 'stage-end').map((e) => `${e.type}:${(e as { stage: string }).stage}`);
    expect(order).toEqual(ALL.flatMap((s) => [`stage-start:${s}`, `stage-end:${s}`]));
    const progress = events.filter((e) => e.type === 'progress').map((e) => (e as { progress: { percent: number } }).progress.percent);
    expect(progress.at(-1)).toBe(100);
    // The output carries the fix, the input does not.
    await GuestFS.with(output, { readonly: true, tmpDir: dir }, async (g) => {
      await g.mountRoot((await g.inspectOs())[0]!);
      expect(await g.cat('/etc/fstab')).toContain(`UUID=${fixtures.debian12!.partitions[0]!.uuid} /boot ext4`);
      expect(await g.cat('/srv/bench/100M.bin').then(() => true)).toBe(true);
    });
    expect(await sha256File(input)).toBe(inputSha);
    const validate = report.vms[0]!.stages.find((s) => s.name === 'validate')!.result as { check: unknown; inspect: { fstab: { file: string; device?: string }[] } };
    expect(validate.check).toEqual([{ path: output, ok: true }]);
    expect(validate.inspect.fstab.filter((f) => f.device).map((f) => [f.file, f.device])).toEqual([['/', '/dev/sda2'], ['/boot', '/dev/sda1']]);
    expect((await findLeftovers(path.join(dir, 'work/web01'))).workDirs).toEqual([]);
  }, 120_000);

  it('a second run reuses every stage and leaves the output as it is', async () => {
    const output = path.join(dir, 'out/web01.qcow2');
    const before = await stat(output);
    const report = await run(await plan(await loadPipelineConfig([path.join(dir, 'base.yaml'), path.join(dir, 'web01.yaml')])));
    expect(statuses(report)).toEqual(every('reused'));
    expect((await stat(output)).mtimeMs).toBe(before.mtimeMs);
    expect(report.vms[0]!.produced[0]!.sha256).toBe(await sha256File(output));
  });

  it('a changed option redoes its stage and the stages whose inputs then change', async () => {
    const override = await yaml('fixers.yaml', 'vms:\n  - name: web01\n    input: [web01.vmdk]\n    output: { path: out/web01.qcow2 }\n    fixers: [fstab]\n');
    const report = await run(await plan(await loadPipelineConfig([path.join(dir, 'base.yaml'), override])));
    expect(statuses(report)).toEqual({ fetch: 'reused', flatten: 'reused', inspect: 'reused', fix: 'done', convert: 'done', validate: 'done' });
    expect(report.vms[0]!.status).toBe('ok');
  }, 120_000);

  it('resumes after a kill in the middle of CONVERT: the finished stages are reused, nothing half-written is left', async () => {
    const config = await yaml('db01.yaml', 'workDir: work\nvms:\n  - name: db01\n    input: [web01.vmdk]\n    output: { path: out/db01.qcow2, compress: true }\n');
    const stateFile = path.join(dir, 'out/db01.qcow2.vmcraft-state.json');
    const recorded = (stages: string[]) => {
      const text = existsSync(stateFile) ? readFileSync(stateFile, 'utf8') : '{}';
      return stages.every((s) => s in ((JSON.parse(text) as { stages?: object }).stages ?? {}));
    };
    const proc = execa('node', ['--import', 'tsx', child, config], { reject: false });
    const last = await new Promise<PipelineEvent>((resolve, reject) => {
      let buffer = '';
      proc.stdout!.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        for (const line of buffer.split('\n').slice(0, -1)) {
          const event = JSON.parse(line) as PipelineEvent;
          // Killed in CONVERT once the finished stages are on record (records wait for the sources' sha256s).
          if (event.type === 'progress' && event.stage === 'convert' && event.progress.percent > 0 && recorded(['fetch', 'flatten', 'inspect', 'fix'])) {
            proc.kill('SIGKILL'); // a crash: nothing of the pipeline's own cleanup runs
            resolve(event);
          }
        }
        buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
      });
      void proc.then(() => reject(new Error('the pipeline ended before it was killed')));
    });
    await proc;
    expect(last).toMatchObject({ type: 'progress', stage: 'convert' });
    // qemu-img was started to die with its parent: no orphan goes on writing.
    await new Promise((r) => setTimeout(r, 200));
    expect((await execa('pgrep', ['-f', `qemu-img convert .*${dir}/out/\\.db01`], { reject: false })).stdout).toBe('');
    const output = path.join(dir, 'out/db01.qcow2');
    await expect(stat(output)).rejects.toMatchObject({ code: 'ENOENT' });
    const state = JSON.parse(await readFile(`${output}.vmcraft-state.json`, 'utf8')) as { stages: Record<string, unknown> };
    expect(Object.keys(state.stages)).toEqual(['fetch', 'flatten', 'inspect', 'fix']);
    expect((await readdir(path.join(dir, 'out'))).some((f) => f.startsWith('.db01.qcow2.vmcraft-'))).toBe(true); // the killed conversion's temp

    const report = await run(await plan(await loadPipelineConfig([config])));
    expect(statuses(report)).toEqual({ fetch: 'reused', flatten: 'reused', inspect: 'reused', fix: 'reused', convert: 'done', validate: 'done' });
    expect((await readdir(path.join(dir, 'out'))).filter((f) => f.startsWith('.db01'))).toEqual([]);
    await execa('qemu-img', ['check', output]);
    expect(await sha256File(input)).toBe(inputSha);
  }, 180_000);

  it('batch: one VM failing (no OS on its disk) does not stop the others; per-VM reports and counts', async () => {
    const plainCopy = path.join(dir, 'data.raw');
    await copyFile(fixtures.plain!.path, plainCopy);
    const config = await yaml('batch.yaml', [
      'workDir: work', 'concurrency: 2', 'stages: [fetch, flatten, inspect, fix, convert]', 'vms:',
      '  - name: nodisk', '    input: [data.raw]', '    output: { path: out/nodisk.qcow2 }',
      '  - name: app', '    input: [web01.vmdk]', '    output: { path: out/app.raw, format: raw }', '',
    ].join('\n'));
    const report = await run(await plan(await loadPipelineConfig([config])));
    expect([report.ok, report.failed]).toEqual([1, 1]);
    expect(report.vms.map((v) => v.status)).toEqual(['failed', 'ok']);
    expect(report.vms[0]!.error).toMatchObject({ code: 'EINSPECT' });
    expect(statuses(report, 0)).toEqual({ fetch: 'done', flatten: 'done', inspect: 'failed', fix: 'not-run', convert: 'not-run' });
    expect(statuses(report, 1)).toEqual({ fetch: 'done', flatten: 'done', inspect: 'done', fix: 'done', convert: 'done' });
    expect(JSON.parse(await readFile(path.join(dir, 'out/nodisk.qcow2.report.json'), 'utf8'))).toMatchObject({ status: 'failed', error: { code: 'EINSPECT' } });
    const virtualSize = (JSON.parse((await execa('qemu-img', ['info', '--output=json', input])).stdout) as { 'virtual-size': number })['virtual-size'];
    expect((await stat(path.join(dir, 'out/app.raw'))).size).toBe(virtualSize);
  }, 120_000);

  it('migrates a VM with two disks: one overlay each, outputs named -1 after the first, fstab checked across both', async () => {
    const data = path.join(dir, 'data-disk.raw');
    await copyFile(fixtures.plain!.path, data);
    const before = await sha256File(data);
    const report = await run(await plan({ vms: [{ name: 'two', input: [input, data], output: { path: path.join(dir, 'out/two.qcow2') } }] }));
    expect(report.vms[0]!.error?.message).toBeUndefined();
    expect(report.vms[0]!.produced.map((p) => path.basename(p.path))).toEqual(['two.qcow2', 'two-1.qcow2']);
    await GuestFS.with([path.join(dir, 'out/two.qcow2'), path.join(dir, 'out/two-1.qcow2')], { readonly: true, tmpDir: dir }, async (g) => {
      await g.mountRo('/dev/sdb', '/');
      expect(await g.cat('/data/readme.txt')).toBe('a filesystem without a partition table\n');
    });
    expect([await sha256File(input), await sha256File(data)]).toEqual([inputSha, before]);
  }, 120_000);

  it('runs a custom stage where it is registered, with what the earlier stages found', async () => {
    const seen: string[] = [];
    const audit: Stage = {
      name: 'audit',
      after: 'inspect',
      async run(ctx) {
        const os = (ctx.results.inspect as { os: { distro: string; hostname: string } }).os;
        seen.push(`${os.distro}/${os.hostname} before ${Object.keys(ctx.results).join(',')}`);
        return { result: { distro: os.distro, options: ctx.plan.options.audit } };
      },
    };
    const config = { workDir: path.join(dir, 'work'), stages: ['fetch', 'inspect', 'audit'], vms: [{ name: 'audited', input: [input], output: { path: path.join(dir, 'out/audited.qcow2') }, options: { audit: { level: 2 } } }] };
    const p = await plan(config, { stages: [audit] });
    expect(p.vms[0]!.stages).toEqual(['fetch', 'inspect', 'audit']);
    await expect(run(p)).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringContaining('audit') });
    const report = await run(p, { stages: [audit] });
    expect(seen).toEqual(['debian/vmcraft-debian before fetch,inspect']);
    expect(report.vms[0]!.stages.at(-1)).toMatchObject({ name: 'audit', status: 'done', result: { distro: 'debian', options: { level: 2 } } });
    // A changed option of the custom stage redoes it, and only it.
    const again = await run(await plan({ ...config, vms: [{ ...config.vms[0]!, options: { audit: { level: 3 } } }] }, { stages: [audit] }), { stages: [audit] });
    expect(statuses(again)).toEqual({ fetch: 'reused', inspect: 'reused', audit: 'done' });
  }, 60_000);

  it('refuses bad plans before moving a byte: an output it did not write, a truncated input, unknown stages', async () => {
    const foreign = path.join(dir, 'out/foreign.qcow2');
    await writeFile(foreign, 'somebody else’s file');
    const vm = { name: 'x', input: [input], output: { path: foreign } };
    await expect(plan({ vms: [vm] })).rejects.toMatchObject({ code: 'EEXIST', message: expect.stringContaining('vms.0 (x): the output') });
    expect(await readFile(foreign, 'utf8')).toBe('somebody else’s file');
    const truncated = path.join(dir, 'truncated.qcow2');
    await writeFile(truncated, (await readFile(fixtures.debian12!.path)).subarray(0, 4096));
    await expect(plan({ vms: [{ ...vm, input: [truncated], output: { path: path.join(dir, 'out/t.qcow2') } }] })).rejects.toMatchObject({ code: 'EFORMAT', message: expect.stringContaining(`vms.0 (x): input ${truncated}`) });
    await expect(plan({ vms: [{ ...vm, output: { path: path.join(dir, 'out/y.qcow2') }, stages: ['fetch', 'validate'] }] })).rejects.toThrow('validate checks what convert wrote');
    await expect(plan({ vms: [{ ...vm, output: { path: path.join(dir, 'out/y.qcow2') }, stages: ['fetch', 'bake'] }] })).rejects.toThrow('unknown stage(s) bake');
    await expect(plan({ vms: [{ ...vm, output: { path: path.join(dir, 'out/y.qcow2') } }, { ...vm, name: 'x2', output: { path: path.join(dir, 'out/y.qcow2') } }] })).rejects.toThrow('two VMs share the output');
  });
});
