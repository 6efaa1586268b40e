import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flatten, imageInfo, resolveChain } from '../../../src/convert/index.js';
import { Runner } from '../../../src/core/exec.js';
import { scratchDir } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;
const runner = new Runner();

beforeAll(async () => ({ dir, remove } = await scratchDir('chain')));
afterAll(async () => remove());

describe('snapshot chains', () => {
  async function chainOf(format: 'qcow2' | 'vmdk', sub: string): Promise<string[]> {
    const d = path.join(dir, sub);
    await mkdir(d);
    const files = ['base', 's1', 's2', 's3'].map((n) => path.join(d, `${n}.${format}`));
    await runner.run('qemu-img', ['create', '-q', '-f', format, files[0]!, '64M']);
    await runner.run('qemu-io', ['-f', format, '-c', 'write -P 0x11 0 1M', files[0]!]);
    for (let i = 1; i < files.length; i++) {
      await runner.run('qemu-img', ['create', '-q', '-f', format, '-b', path.basename(files[i - 1]!), '-F', format, files[i]!]);
      await runner.run('qemu-io', ['-f', format, '-c', `write -P 0x${(0x20 + i).toString(16)} ${i}M 1M`, files[i]!]);
    }
    return files;
  }

  it.each(['qcow2', 'vmdk'] as const)('resolves, verifies and flattens a chain of 3 snapshots (%s)', async (format) => {
    const files = await chainOf(format, `chain-${format}`);
    const allowDir = path.dirname(files[0]!);
    const chain = await resolveChain(files[3]!, { chain: { allowDir } });
    expect(chain.map((l) => path.basename(l.path))).toEqual(['s3', 's2', 's1', 'base'].map((n) => `${n}.${format}`));
    if (format === 'vmdk') expect(chain.every((l) => l.cid && l.parentCid)).toBe(true);
    const flat = path.join(dir, `flat-${format}.qcow2`);
    const result = await flatten(files[3]!, flat, { chain: { allowDir } });
    expect(result.chain).toHaveLength(4);
    expect((await imageInfo(flat)).backingFilename).toBeUndefined();
    await runner.run('qemu-img', ['compare', '-f', format, '-F', 'qcow2', files[3]!, flat]);
  });

  it('reports a missing parent, a CID mismatch and a loop as ECHAIN', async () => {
    const files = await chainOf('vmdk', 'broken-vmdk');
    const chain = { allowDir: path.dirname(files[0]!) };
    await copyFile(files[1]!, `${files[1]}.bak`);
    await runner.run('rm', [files[1]!]);
    await expect(resolveChain(files[3]!, { chain })).rejects.toMatchObject({ code: 'ECHAIN', message: expect.stringContaining('s1.vmdk of') });
    await copyFile(`${files[1]}.bak`, files[1]!);
    // Writing to the parent after the snapshot changes its CID.
    await runner.run('qemu-io', ['-f', 'vmdk', '-c', 'write -P 0x99 0 4k', files[2]!]);
    await expect(resolveChain(files[3]!, { chain })).rejects.toMatchObject({ code: 'ECHAIN', message: expect.stringContaining('expects its parent') });
    const q = await chainOf('qcow2', 'loop-qcow2');
    await runner.run('qemu-img', ['rebase', '-u', '-f', 'qcow2', '-b', 's3.qcow2', '-F', 'qcow2', q[0]!]);
    await expect(resolveChain(q[3]!, { chain: { allowDir: path.dirname(q[0]!) } })).rejects.toMatchObject({ code: 'ECHAIN', message: expect.stringContaining('loops') });
  });

  it('reports a missing vmdk extent, a backing format that lies about its content, and refuses a network backing', async () => {
    const d = path.join(dir, 'odd-chains');
    await mkdir(d);
    const flat = path.join(d, 'flat.vmdk');
    await runner.run('qemu-img', ['create', '-q', '-f', 'vmdk', '-o', 'subformat=monolithicFlat', flat, '16M']);
    expect(await resolveChain(flat)).toHaveLength(1);
    await runner.run('rm', [path.join(d, 'flat-flat.vmdk')]);
    await expect(resolveChain(flat)).rejects.toMatchObject({ code: 'ECHAIN', message: expect.stringContaining('extent flat-flat.vmdk') });
    const base = path.join(d, 'base.qcow2');
    await runner.run('qemu-img', ['create', '-q', '-f', 'qcow2', base, '16M']);
    const liar = path.join(d, 'liar.qcow2');
    await runner.run('qemu-img', ['create', '-q', '-f', 'qcow2', '-u', '-b', 'base.qcow2', '-F', 'raw', liar, '16M']);
    await expect(resolveChain(liar, { chain: { allowDir: d } })).rejects.toMatchObject({ code: 'ECHAIN', message: expect.stringContaining('says its backing file') });
    const remote = path.join(d, 'remote.qcow2');
    await runner.run('qemu-img', ['create', '-q', '-f', 'qcow2', '-u', '-b', 'nbd://example.invalid/disk', '-F', 'raw', remote, '16M']);
    await expect(resolveChain(remote, { chain: { allowDir: d } })).rejects.toMatchObject({ code: 'EUNSAFE', path: 'nbd://example.invalid/disk' });
  });
});

