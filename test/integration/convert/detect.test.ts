import { writeFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectFormat } from '../../../src/convert/detect.js';
import { Runner } from '../../../src/core/exec.js';
import { scratchDir } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;
const runner = new Runner();

beforeAll(async () => ({ dir, remove } = await scratchDir('detect')));
afterAll(async () => remove());

async function create(name: string, format: string, options: string[] = []): Promise<string> {
  const file = path.join(dir, name);
  await runner.run('qemu-img', ['create', '-q', '-f', format, ...options, file, '64M']);
  return file;
}

describe('detectFormat on images qemu-img creates', () => {
  it.each([
    ['a.qcow2', 'qcow2', [], 'qcow2', 'v3'],
    ['a-compat.qcow2', 'qcow2', ['-o', 'compat=0.10'], 'qcow2', 'v2'],
    ['sparse.vmdk', 'vmdk', [], 'vmdk', 'monolithicSparse'],
    ['stream.vmdk', 'vmdk', ['-o', 'subformat=streamOptimized'], 'vmdk', 'streamOptimized'],
    ['flat.vmdk', 'vmdk', ['-o', 'subformat=monolithicFlat'], 'vmdk', 'monolithicFlat'],
    ['split.vmdk', 'vmdk', ['-o', 'subformat=twoGbMaxExtentSparse'], 'vmdk', 'twoGbMaxExtentSparse'],
    ['split-flat.vmdk', 'vmdk', ['-o', 'subformat=twoGbMaxExtentFlat'], 'vmdk', 'twoGbMaxExtentFlat'],
    ['dyn.vhd', 'vpc', [], 'vhd', 'dynamic'],
    ['fixed.vhd', 'vpc', ['-o', 'subformat=fixed'], 'vhd', 'fixed'],
    ['a.vhdx', 'vhdx', [], 'vhdx', undefined],
    ['a.vdi', 'vdi', [], 'vdi', undefined],
    ['a.qed', 'qed', [], 'qed', undefined],
    ['a.parallels', 'parallels', [], 'parallels', undefined],
    ['blank.raw', 'raw', [], 'raw', undefined],
  ] as const)('%s → %s %s', async (name, qemuFormat, options, format, subformat) => {
    const result = await detectFormat(await create(name, qemuFormat, [...options]));
    expect(result.format).toBe(format);
    expect(result.subformat).toBe(subformat);
    expect(result.reasons.length).toBeGreaterThan(0);
  });

  it('ignores the file name: a qcow2 named .raw is qcow2, a raw named .qcow2 is raw', async () => {
    expect((await detectFormat(await create('disguised.raw', 'qcow2'))).format).toBe('qcow2');
    expect((await detectFormat(await create('disguised.qcow2', 'raw'))).format).toBe('raw');
  });

  it('sees an MBR or GPT on raw images', async () => {
    const mbr = await create('mbr.img', 'raw');
    await runner.run('sfdisk', ['-q', mbr], { input: 'label: dos\n,,83\n' });
    expect(await detectFormat(mbr)).toMatchObject({ format: 'raw', subformat: 'mbr' });
    const gpt = await create('gpt.img', 'raw');
    await runner.run('sfdisk', ['-q', gpt], { input: 'label: gpt\n,,L\n' });
    expect(await detectFormat(gpt)).toMatchObject({ format: 'raw', subformat: 'gpt' });
  });

  it('recognises an OVF descriptor and an OVA archive', async () => {
    const ovf = path.join(dir, 'vm.ovf');
    await writeFile(ovf, '<?xml version="1.0" encoding="UTF-8"?>\n<!-- made by a test -->\n<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"><References/></Envelope>\n');
    expect((await detectFormat(ovf)).format).toBe('ovf');
    const ovaDir = path.join(dir, 'ova');
    await mkdir(ovaDir);
    await writeFile(path.join(ovaDir, 'vm.ovf'), await readFile(ovf));
    await runner.run('tar', ['-C', ovaDir, '--format=ustar', '-cf', path.join(dir, 'vm.ova'), 'vm.ovf']);
    expect(await detectFormat(path.join(dir, 'vm.ova'))).toMatchObject({ format: 'ova', confidence: 'high' });
  });

  it('gives typed errors for missing, empty, directory and truncated inputs', async () => {
    await expect(detectFormat(path.join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(detectFormat(dir)).rejects.toMatchObject({ code: 'EINVAL' });
    await writeFile(path.join(dir, 'empty'), '');
    await expect(detectFormat(path.join(dir, 'empty'))).rejects.toMatchObject({ code: 'EFORMAT', message: expect.stringContaining('empty image') });
    const q = await readFile(await create('cut.qcow2', 'qcow2'));
    await writeFile(path.join(dir, 'cut-header.qcow2'), q.subarray(0, 40));
    await expect(detectFormat(path.join(dir, 'cut-header.qcow2'))).rejects.toMatchObject({ code: 'EFORMAT', message: expect.stringContaining('truncated') });
    await writeFile(path.join(dir, 'cut-tables.qcow2'), q.subarray(0, 1024));
    await expect(detectFormat(path.join(dir, 'cut-tables.qcow2'))).rejects.toMatchObject({ code: 'EFORMAT' });
    const vhd = await readFile(await create('cut.vhd', 'vpc'));
    await writeFile(path.join(dir, 'cut-footer.vhd'), vhd.subarray(0, vhd.length - 512));
    await expect(detectFormat(path.join(dir, 'cut-footer.vhd'))).rejects.toMatchObject({ code: 'EFORMAT' });
  });
});
