import { writeFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectFormat } from '../../../src/attach/detect.js';
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

  it.each([
    ['vmdk', [], 512],
    ['vdi', [], 0x200],
    ['vpc', [], 2048],
    ['qed', [], 64],
    ['parallels', [], 64],
    ['vhdx', [], 65536],
  ])('refuses a %s image cut short of what its header says (EFORMAT "truncated")', async (format, options, keep) => {
    const whole = await readFile(await create(`whole.${format}`, format, options));
    const cut = path.join(dir, `cut.${format}.img`);
    // A vhd is recognised by its footer, so keep the footer and drop the middle.
    await writeFile(cut, format === 'vpc' ? Buffer.concat([whole.subarray(0, 512), whole.subarray(whole.length - 512)]) : whole.subarray(0, keep));
    await expect(detectFormat(cut)).rejects.toMatchObject({ code: 'EFORMAT', message: expect.stringContaining('truncated') });
  });

  it('names the extents of a descriptor, and marks a lone extent of a split disk as medium confidence', async () => {
    const split = await create('split2.vmdk', 'vmdk', ['-o', 'subformat=twoGbMaxExtentSparse']);
    const desc = await detectFormat(split);
    expect(desc.reasons).toContain('extents: split2-s001.vmdk');
    expect(await detectFormat(path.join(dir, 'split2-s001.vmdk'))).toMatchObject({ format: 'vmdk', subformat: 'monolithicSparse', confidence: 'medium' });
  });

  // qemu-img's own luks driver fails its PBKDF benchmark on these machines ("Unable to get accurate
  // CPU usage"), so the LUKS containers come from cryptsetup, which can fix the iteration count.
  it.each(['luks1', 'luks2'])('recognises a %s container made by cryptsetup, and a truncated one', async (type) => {
    const file = path.join(dir, `${type}.img`);
    await runner.run('truncate', ['-s', '32M', file]);
    await runner.run('cryptsetup', ['luksFormat', '-q', '--type', type, '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000', '--key-file', '-', file], { input: 'pw' });
    expect(await detectFormat(file)).toMatchObject({ format: 'luks', subformat: type, confidence: 'high' });
    if (type === 'luks1') {
      await writeFile(path.join(dir, 'cut.luks'), (await readFile(file)).subarray(0, 4096));
      await expect(detectFormat(path.join(dir, 'cut.luks'))).rejects.toMatchObject({ code: 'EFORMAT', message: expect.stringContaining('truncated') });
    }
  });

  it('reads a block device whole: tables past the first 64 KiB and a footer at its end', async () => {
    for (const [name, qemuFormat, format] of [['on-loop.qcow2', 'qcow2', 'qcow2'], ['on-loop.vhd', 'vpc', 'vhd']] as const) {
      const file = await create(name, qemuFormat);
      // A loop device covers whole 512-byte sectors: round a qcow2 up (a vhd already is, and its footer must stay last).
      if (format === 'qcow2') await runner.run('truncate', ['-s', '%512', file]);
      const { stdout } = await runner.run('losetup', ['--find', '--show', '--read-only', file]);
      const device = stdout.trim();
      try {
        expect(await detectFormat(device)).toMatchObject({ format, confidence: 'high' });
      } finally {
        await runner.run('losetup', ['-d', device]);
      }
    }
  });

  it('refuses legacy qcow v1 as unsupported rather than misreading it', async () => {
    await expect(detectFormat(await create('old.qcow', 'qcow'))).rejects.toMatchObject({ code: 'EUNSUPPORTED', message: expect.stringContaining('qcow') });
  });
});
