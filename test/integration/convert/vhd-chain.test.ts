import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convert, detectFormat, flatten, resolveChain } from '../../../src/convert/index.js';
import { parseVhdDynamicHeader, parseVhdFooter, readVhd } from '../../../src/convert/vhd.js';
import { Runner } from '../../../src/core/exec.js';
import { scratchDir } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;
const runner = new Runner();

beforeAll(async () => ({ dir, remove } = await scratchDir('vhd-chain')));
afterAll(async () => remove());

/** The VHD checksum: one's complement of the byte sum, the checksum field counted as zero. */
function setChecksum(block: Buffer, at: number): void {
  block.writeUInt32BE(0, at);
  let sum = 0;
  for (const b of block) sum += b;
  block.writeUInt32BE(~sum >>> 0, at);
}

const utf16be = (text: string) => Buffer.from(text, 'utf16le').swap16();

/**
 * Turns a dynamic VHD made by qemu-img into a differencing disk of `parent`
 * (qemu-img cannot create one): footer type 4 at both ends, the parent's unique
 * id and name in the dynamic header, a relative (W2ru) locator appended before
 * the footer, and block bitmaps that mark only the sectors in `owned` (byte
 * ranges the child wrote), so that the rest must come from the parent.
 */
async function makeDifferencing(child: string, parent: string, owned: [number, number][], locator = `.\\${path.basename(parent)}`): Promise<void> {
  const file = await readFile(child);
  const parentId = (await readVhd(parent)).footer.uniqueId;
  const footer = Buffer.from(file.subarray(file.length - 512));
  footer.writeUInt32BE(4, 60);
  setChecksum(footer, 64);
  const { dataOffset } = parseVhdFooter(footer);
  const header = Buffer.from(file.subarray(dataOffset, dataOffset + 1024));
  Buffer.from(parentId, 'hex').copy(header, 40);
  header.fill(0, 64, 576);
  utf16be(path.basename(parent)).copy(header, 64);
  const locatorData = Buffer.alloc(512);
  const locatorBytes = Buffer.from(locator, 'utf16le');
  locatorBytes.copy(locatorData);
  const locatorOffset = file.length - 512;
  header.write('W2ru', 576, 'latin1');
  header.writeUInt32BE(512, 580);
  header.writeUInt32BE(locatorBytes.length, 584);
  header.writeBigUInt64BE(BigInt(locatorOffset), 592);
  setChecksum(header, 36);
  const body = Buffer.from(file.subarray(0, file.length - 512));
  footer.copy(body, 0);
  header.copy(body, dataOffset);
  // Bitmaps: clear, then mark the owned sectors.
  const { tableOffset, maxTableEntries, blockSize } = parseVhdDynamicHeader(header);
  for (let block = 0; block < maxTableEntries; block++) {
    const entry = body.readUInt32BE(tableOffset + block * 4);
    if (entry === 0xffffffff) continue;
    const bitmap = entry * 512;
    body.fill(0, bitmap, bitmap + 512);
    for (const [start, end] of owned) {
      for (let sector = start / 512; sector < end / 512; sector++) {
        const inBlock = sector - (block * blockSize) / 512;
        if (inBlock >= 0 && inBlock < blockSize / 512) body[bitmap + (inBlock >> 3)]! |= 0x80 >> (inBlock & 7);
      }
    }
  }
  await writeFile(child, Buffer.concat([body, locatorData, footer]));
}

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
    const chain = await resolveChain(files[0]!);
    expect(chain.map((l) => path.basename(l.path))).toEqual(['top.vhd', 'mid.vhd', 'base.vhd']);
    expect(chain[0]!.parentUniqueId).toBe((await readVhd(files[1]!)).footer.uniqueId);
    const out = path.join(dir, 'good', 'flat.qcow2');
    const result = await flatten(files[0]!, out, { verify: 'compare' });
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
    await rename(files[2]!, `${files[2]}.away`);
    await expect(resolveChain(files[0]!)).rejects.toMatchObject({ code: 'ECHAIN', message: expect.stringContaining('base.vhd of') });
    await runner.run('qemu-img', ['create', '-q', '-f', 'vpc', files[2]!, '64M']);
    await expect(resolveChain(files[0]!)).rejects.toMatchObject({ code: 'ECHAIN', message: expect.stringContaining('expects its parent') });
    await expect(flatten(files[0]!, path.join(dir, 'broken', 'never.qcow2'))).rejects.toMatchObject({ code: 'ECHAIN' });
    expect((await readdir(path.join(dir, 'broken'))).filter((f) => f.includes('never'))).toEqual([]);
  });
});
