/** keyFile: LUKS passphrases read when a VM runs, its path resolved like every other path of a configuration. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipelineConfig } from '../../../src/index.js';
import { withKeyFile } from '../../../src/pipeline/keys.js';
import type { VmPlan } from '../../../src/pipeline/types.js';

let dir: string;
beforeAll(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-test-keys-'))));
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('keyFile', () => {
  it('is taken relative to the file that names it, and retry is validated', async () => {
    await mkdir(path.join(dir, 'site'));
    await writeFile(path.join(dir, 'site/a.raw'), 'x');
    await writeFile(path.join(dir, 'site/c.yaml'), 'retry: { attempts: 5, backoffSec: 10 }\nvms:\n  - name: a\n    input: [a.raw]\n    output: { path: a.qcow2 }\n    keyFile: secrets/a.keys\n');
    const config = await loadPipelineConfig([path.join(dir, 'site/c.yaml')]);
    expect(config.vms[0]!.keyFile).toBe(path.join(dir, 'site/secrets/a.keys'));
    expect(config.retry).toEqual({ attempts: 5, backoffSec: 10 });
    await writeFile(path.join(dir, 'site/bad.yaml'), 'retry: { attempts: 0, tries: 2 }\nvms: []\n');
    await expect(loadPipelineConfig([path.join(dir, 'site/bad.yaml')])).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringMatching(/retry\.tries: unknown key[\s\S]*retry\.attempts: expected a whole number ≥ 1, got 0/) });
  });

  it('adds its lines (CRs and empty lines dropped) to the plan\'s keys; a missing file is ENOENT naming the VM', async () => {
    await writeFile(path.join(dir, 'k'), 'first\r\n\nsecond\n');
    const vm = { name: 'a', keys: ['inline'], keyFile: path.join(dir, 'k') } as VmPlan;
    expect((await withKeyFile(vm)).keys).toEqual(['inline', 'first', 'second']);
    const plain = { name: 'b', keys: [] } as unknown as VmPlan;
    expect(await withKeyFile(plain)).toBe(plain);
    await expect(withKeyFile({ ...vm, keyFile: path.join(dir, 'missing') })).rejects.toMatchObject({ code: 'ENOENT', message: expect.stringContaining(`a: cannot read the key file ${path.join(dir, 'missing')}`) });
  });
});
