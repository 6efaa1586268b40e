import { readdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, detectFormat, flatten, resolveChain } from '../../../src/convert/index.js';
import { parseVhdFooter, readVhd } from '../../../src/attach/vhd.js';
import { Runner } from '../../../src/core/exec.js';
import { scratchDir } from '../../helpers/images.js';
import { makeDifferencing } from '../../helpers/vhd.js';

let dir: string;
let remove: () => Promise<void>;
const runner = new Runner();

beforeAll(async () => ({ dir, remove } = await scratchDir('vhd-chain')));
afterAll(async () => remove());

const MiB = 1024 * 1024;
const io = (format: string, file: string, ...writes: string[]) => runner.run('qemu-io', ['-f', format, ...writes.flatMap((w) => ['-c', w]), file]);

/** base ← mid ← top, each writing part of a shared block, and the raw image the chain must read as. */
async function vhdChain(sub: string): Promise<{ files: string[]; expected: string }> {
  const d = path.join(dir, sub);
  await runner.run('mkdir', ['-p', d]);
  const [base, mid, top, expected] = ['base.vhd', 'mid.vhd', 'top.vhd', 'expected.img'].map((n) => path.join(d, n)) as [string, string, string, string];
  for (const f of [base, mid, top]) await runner.run('qemu-img', ['create', '-q', '-f', 'vpc', f, '64M']);
  const size = parseVhdFooter((await readFile(base)).subarray(-512)).currentSize;
  await runner.run('truncate', ['-s', String(size), expected]);
  await io('vpc', base, 'write -P 0x11 0 1M', 'write -P 0x12 4M 512k');
  await io('raw', expected, 'write -P 0x11 0 1M', 'write -P 0x12 4M 512k');
  await io('vpc', mid, 'write -P 0x21 512k 256k', 'write -P 0x22 10M 1M');
  await io('raw', expected, 'write -P 0x21 512k 256k', 'write -P 0x22 10M 1M');
  await io('vpc', top, 'write -P 0x31 640k 4k', 'write -P 0x32 4M 4k');
  await io('raw', expected, 'write -P 0x31 640k 4k', 'write -P 0x32 4M 4k');
  await makeDifferencing(mid, base, [[512 * 1024, 768 * 1024], [10 * MiB, 11 * MiB]]);
  await makeDifferencing(top, mid, [[640 * 1024, 644 * 1024], [4 * MiB, 4 * MiB + 4096]]);
  return { files: [top, mid, base], expected };
}

describe('VHD differencing chains', () => {
  it('resolves a chain of differencing VHDs by their locators and merges it sector by sector', async () => {
    const { files, expected } = await vhdChain('good');
    expect(await detectFormat(files[0]!)).toMatchObject({ format: 'vhd', subformat: 'differencing' });
    const chain = await resolveChain(files[0]!, { chain: { allowDir: path.join(dir, 'good') } });
    expect(chain.map((l) => path.basename(l.path))).toEqual(['top.vhd', 'mid.vhd', 'base.vhd']);
    expect(chain[0]!.parentUniqueId).toBe((await readVhd(files[1]!)).footer.uniqueId);
    const out = path.join(dir, 'good', 'flat.qcow2');
    const result = await flatten(files[0]!, out, { verify: 'compare', chain });
    expect(result).toMatchObject({ sourceFormat: 'vhd', format: 'qcow2', verified: 'compare' });
    expect(result.chain).toHaveLength(3);
    await runner.run('qemu-img', ['compare', '-f', 'raw', '-F', 'qcow2', expected, out]);
    expect((await readdir(path.join(dir, 'good'))).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('refuses to convert a differencing VHD directly (qemu would read its parent as zeroes)', async () => {
    const { files } = await vhdChain('direct');
    await expect(convert(files[0]!, path.join(dir, 'direct', 'out.qcow2'))).rejects.toMatchObject({ code: 'EUNSUPPORTED', message: expect.stringContaining('flatten()') });
  });

  it('reports a missing parent and a parent that is not the one the snapshot was taken from', async () => {
    const { files } = await vhdChain('broken');
    const chain = { allowDir: path.join(dir, 'broken') };
    await rename(files[2]!, `${files[2]}.away`);
    await expect(resolveChain(files[0]!, { chain })).rejects.toMatchObject({ code: 'ECHAIN', message: expect.stringContaining('base.vhd of') });
    await runner.run('qemu-img', ['create', '-q', '-f', 'vpc', files[2]!, '64M']);
    await expect(resolveChain(files[0]!, { chain })).rejects.toMatchObject({ code: 'ECHAIN', message: expect.stringContaining('expects its parent') });
    await expect(flatten(files[0]!, path.join(dir, 'broken', 'never.qcow2'), { chain })).rejects.toMatchObject({ code: 'ECHAIN' });
    expect((await readdir(path.join(dir, 'broken'))).filter((f) => f.includes('never'))).toEqual([]);
  });
});
