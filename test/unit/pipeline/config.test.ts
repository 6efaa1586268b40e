import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipelineConfig, mergeConfig } from '../../../src/index.js';
import { jsonSchema } from '../../../src/pipeline/schema.js';

let dir: string;
beforeAll(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-test-pipeline-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function files(contents: Record<string, string>): Promise<string[]> {
  const out: string[] = [];
  for (const [name, text] of Object.entries(contents)) {
    await writeFile(path.join(dir, name), text);
    out.push(path.join(dir, name));
  }
  return out;
}

describe('mergeConfig', () => {
  it.each([
    ['maps merge deeply', { a: { b: 1, c: 2 } }, { a: { c: 3, d: 4 } }, { a: { b: 1, c: 3, d: 4 } }],
    ['lists replace', { l: [1, 2, 3] }, { l: [9] }, { l: [9] }],
    ['null deletes', { a: 1, b: { c: 1, d: 2 } }, { a: null, b: { d: null } }, { b: { c: 1 } }],
    ['scalars replace maps and maps replace scalars', { a: { x: 1 }, b: 2 }, { a: 'flat', b: { y: 1 } }, { a: 'flat', b: { y: 1 } }],
    ['empty override changes nothing', { a: 1 }, {}, { a: 1 }],
  ])('%s', (_label, base, over, expected) => {
    expect(mergeConfig(base, over as Record<string, unknown>)).toEqual(expected);
  });
});

describe('loadPipelineConfig', () => {
  it('merges base, vm and override files in order; relative paths are taken from the file that set them', async () => {
    await files({ 'web01.vmdk': 'x', 'web01-data.vmdk': 'y' });
    const config = await loadPipelineConfig(
      await files({
        'base.yaml': 'workDir: /var/tmp/vmcraft\nconcurrency: 2\nvms:\n  - name: placeholder\n    input: [a.vmdk]\n    output: { path: a.qcow2 }\n',
        'vm.yaml': 'vms:\n  - name: web01\n    input: [web01.vmdk, web01-data.vmdk]\n    output:\n      path: /srv/web01.qcow2\n      format: qcow2\n    fixers: [fstab, network]\n    renameInterfaces: { ens192: ens3 }\n',
        'overrides.yaml': 'concurrency: null\nworkDir: /scratch\n',
      }),
    );
    expect(config).toEqual({
      workDir: '/scratch',
      vms: [{ name: 'web01', input: [path.join(dir, 'web01.vmdk'), path.join(dir, 'web01-data.vmdk')], output: { path: '/srv/web01.qcow2', format: 'qcow2' }, fixers: ['fstab', 'network'], renameInterfaces: { ens192: 'ens3' } }],
    });
  });

  it('names the file, the line and the key of every problem', async () => {
    const [base, bad] = await files({
      'ok.yaml': 'vms:\n  - name: db01\n    input: [db01.vmdk]\n    output: { path: db01.qcow2 }\n',
      'bad.yaml': 'concurrency: two\nvms:\n  - name: db01\n    input: [db01.vmdk]\n    output:\n      path: db01.qcow2\n      format: vmdkk\n    fixers: [fstab, bogus]\n    colour: blue\n  - name: no-input\n    output: { path: x.qcow2 }\n',
    });
    const err = (await loadPipelineConfig([base!, bad!]).catch((e: Error) => e)) as Error & { code: string };
    expect(err.code).toBe('EINVAL');
    const lines = err.message.split('\n').slice(1);
    expect(lines).toEqual([
      `${bad}:1: concurrency: expected a whole number ≥ 1, got "two"`,
      `${bad}:9: vms.0.colour: unknown key (known: name, input, output, stages, keys, keyFile, fixers, renameInterfaces, regenerateGrub, virtioWin, virtioDrivers, validate, options)`,
      `${bad}:7: vms.0.output.format: expected one of qcow2, raw, vmdk, vhdx, vhd, vdi, got "vmdkk"`,
      `${bad}:8: vms.0.fixers.1: expected one of fstab, network, hypervisor-tools, grub, initramfs, got "bogus"`,
      `${bad}:10: vms.1.input: missing`,
    ]);
  });

  it('names the file, the line and the key of an input that does not exist', async () => {
    const [vm] = await files({ 'present.qcow2': 'x', 'inputs.yaml': 'vms:\n  - name: app\n    input:\n      - present.qcow2\n      - missing.vmdk\n    output: { path: app.qcow2 }\n' }).then((f) => f.slice(1));
    await expect(loadPipelineConfig([vm!])).rejects.toMatchObject({
      code: 'ENOENT',
      message: `missing pipeline input(s):\n${vm}:5: vms.0.input.1: ${path.join(dir, 'missing.vmdk')} does not exist`,
    });
  });

  it('reports YAML syntax errors and missing files with their names', async () => {
    const [broken] = await files({ 'broken.yaml': 'vms:\n  - name: x\n   input: [a\n' });
    await expect(loadPipelineConfig([broken!])).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringMatching(new RegExp(`^${broken}:\\d+: `)) });
    const absent = path.join(dir, 'absent.yaml');
    await expect(loadPipelineConfig([absent])).rejects.toMatchObject({ code: 'ENOENT', message: `cannot read config ${absent}: no such file, directory or device` });
  });

  it('has a JSON Schema that forbids unknown keys and requires vms', () => {
    const schema = jsonSchema() as { required: string[]; additionalProperties: boolean; properties: Record<string, unknown> };
    expect(schema.required).toEqual(['vms']);
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(['workDir', 'concurrency', 'stages', 'retry', 'vms']);
  });
});
