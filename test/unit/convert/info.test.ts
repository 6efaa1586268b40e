import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseImageInfo } from '../../../src/convert/info.js';

const SAMPLES = path.join(import.meta.dirname, '../../fixtures/samples/convert');
const sample = (name: string) => readFile(path.join(SAMPLES, name), 'utf8');

describe('parseImageInfo on captured qemu-img 7.2 output', () => {
  it('reads a qcow2 backing chain of three, top first', async () => {
    const info = parseImageInfo(await sample('qemu-img-info-qcow2-chain.json'));
    expect(info.chain.map((l) => [l.filename, l.backingFilename, l.backingFormat])).toEqual([
      ['s2.qcow2', 's1.qcow2', 'qcow2'], ['s1.qcow2', 'base.qcow2', 'qcow2'], ['base.qcow2', undefined, undefined],
    ]);
    expect(info).toMatchObject({ filename: 's2.qcow2', format: 'qcow2', virtualSize: 67108864, actualSize: 200704, clusterSize: 65536, dirty: false, encrypted: false, fullBackingFilename: 's1.qcow2' });
    expect(info.qcow2).toEqual({ compat: '1.1', lazyRefcounts: false, corrupt: false, refcountBits: 16, compressionType: 'zlib' });
    expect(info.chain[2]!.actualSize).toBe(1314816);
  });

  it('reads vmdk CIDs as the hex strings of the descriptor, and the extents', async () => {
    const info = parseImageInfo(await sample('qemu-img-info-vmdk-chain.json'));
    expect(info.vmdk).toEqual({ cid: '8ed5d8f5', parentCid: 'd8fe1b46', createType: 'monolithicSparse', extents: [{ filename: 'c.vmdk', format: '', virtualSize: 67108864 }] });
    expect(info.chain[1]!.vmdk).toMatchObject({ cid: 'd8fe1b46', parentCid: 'ffffffff' });
    const flat = parseImageInfo(await sample('qemu-img-info-vmdk-flat.json'));
    expect(flat.chain).toHaveLength(1);
    expect(flat.vmdk).toEqual({ cid: '49700729', parentCid: 'ffffffff', createType: 'monolithicFlat', extents: [{ filename: 'flat-flat.vmdk', format: 'FLAT', virtualSize: 67108864 }] });
  });

  it('reports the dirty flag, encryption and formats without format-specific data', async () => {
    expect(parseImageInfo(await sample('qemu-img-info-qcow2-dirty.json'))).toMatchObject({ dirty: true, qcow2: { lazyRefcounts: true } });
    const encrypted = parseImageInfo(await sample('qemu-img-info-qcow2-encrypted.json'));
    expect(encrypted).toMatchObject({ encrypted: true, qcow2: { encryption: 'luks' } });
    const vpc = parseImageInfo(await sample('qemu-img-info-vpc.json'));
    expect(vpc).toMatchObject({ format: 'vpc', virtualSize: 67125248, clusterSize: 2097152 });
    expect(vpc.formatSpecific).toBeUndefined();
    expect(vpc.qcow2).toBeUndefined();
  });

  it('refuses output that is not JSON or holds no image', () => {
    expect(() => parseImageInfo('qemu-img: Could not open')).toThrow(expect.objectContaining({ code: 'EFORMAT', message: expect.stringContaining('did not print JSON') }));
    expect(() => parseImageInfo('[]')).toThrow(expect.objectContaining({ code: 'EFORMAT' }));
  });
});
