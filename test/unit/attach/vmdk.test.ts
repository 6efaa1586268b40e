import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseVmdkDescriptor, readVmdkDescriptor } from '../../../src/attach/vmdk.js';

const SAMPLES = path.join(import.meta.dirname, '../../fixtures/samples/convert');
const sample = (name: string) => readFile(path.join(SAMPLES, name), 'utf8');

describe('parseVmdkDescriptor', () => {
  it('reads a qemu-img twoGbMaxExtentSparse descriptor with its three extents', async () => {
    const d = parseVmdkDescriptor(await sample('vmdk-descriptor-twoGbMaxExtentSparse.txt'));
    expect(d).toMatchObject({ cid: '7896f0c9', parentCid: 'ffffffff', createType: 'twoGbMaxExtentSparse' });
    expect(d.parentFileNameHint).toBeUndefined();
    expect(d.extents).toEqual([
      { access: 'RW', sectors: 4194304, type: 'SPARSE', file: 'split-s001.vmdk' },
      { access: 'RW', sectors: 4194304, type: 'SPARSE', file: 'split-s002.vmdk' },
      { access: 'RW', sectors: 2097152, type: 'SPARSE', file: 'split-s003.vmdk' },
    ]);
    expect(d.ddb).toMatchObject({ adapterType: 'ide', 'geometry.cylinders': '10402' });
  });

  it('reads the offset of a flat extent', async () => {
    const d = parseVmdkDescriptor(await sample('vmdk-descriptor-monolithicFlat.txt'));
    expect(d.extents).toEqual([{ access: 'RW', sectors: 131072, type: 'FLAT', file: 'flat-flat.vmdk', offset: 0 }]);
  });

  it('reads ESXi descriptors: a vmfs base and a CRLF seSparse snapshot with its parent hint', async () => {
    const base = parseVmdkDescriptor(await sample('vmdk-descriptor-esxi-vmfs.txt'));
    expect(base).toMatchObject({ cid: '68dae3d4', createType: 'vmfs', extents: [{ type: 'VMFS', file: 'web01-flat.vmdk', sectors: 83886080 }] });
    expect(base.ddb).toMatchObject({ adapterType: 'lsilogic', virtualHWVersion: '19', uuid: '60 00 C2 9a 4e 1b 5f 3c-8d 11 0a 2b 3c 4d 5e 6f' });
    const snap = parseVmdkDescriptor(await sample('vmdk-descriptor-esxi-snapshot.txt'));
    expect(snap).toMatchObject({ cid: 'f4bff0bb', parentCid: base.cid, createType: 'seSparse', parentFileNameHint: 'web01.vmdk' });
    expect(snap.extents).toEqual([{ access: 'RW', sectors: 83886080, type: 'SESPARSE', file: 'web01-000001-sesparse.vmdk' }]);
  });

  it('reads an embedded descriptor padded with NULs, and refuses text that is no descriptor', () => {
    const embedded = '# Disk DescriptorFile\nversion=1\nCID=ABCDEF01\nparentCID=ffffffff\ncreateType="monolithicSparse"\nRW 131072 SPARSE "disk.vmdk"\n' + '\0'.repeat(300);
    expect(parseVmdkDescriptor(embedded)).toMatchObject({ cid: 'abcdef01', extents: [{ file: 'disk.vmdk' }] });
    expect(() => parseVmdkDescriptor('hello\nworld\n')).toThrow(expect.objectContaining({ code: 'EFORMAT' }));
  });

  it('refuses a sparse header that claims a huge embedded descriptor, without allocating it (EFORMAT)', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-vmdk-'));
    try {
      const head = Buffer.alloc(512);
      head.write('KDMV', 0, 'latin1');
      head.writeBigUInt64LE(1n, 28); // descriptor at sector 1…
      head.writeBigUInt64LE(2n ** 40n, 36); // …of 2^40 sectors (512 TiB)
      const file = path.join(dir, 'huge-descriptor.vmdk');
      await writeFile(file, head);
      await expect(readVmdkDescriptor(file)).rejects.toMatchObject({ code: 'EFORMAT', message: expect.stringContaining('claims an embedded VMDK descriptor of') });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
