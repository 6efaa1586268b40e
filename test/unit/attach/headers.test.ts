import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseQcow2References, parseQedReferences } from '../../../src/attach/headers.js';

const SAMPLES = path.join(import.meta.dirname, '../../fixtures/samples/convert');
/** The first 4 KiB of images qemu-img 7.2 created (`*.head`). */
const head = (name: string) => readFile(path.join(SAMPLES, name));

describe('parseQcow2References', () => {
  it('reads the backing file and its format extension of a qcow2 v3', async () => {
    expect(parseQcow2References(await head('qcow2-v3-backing.head'))).toEqual({ backing: '../base/disk.qcow2', backingFormat: 'qcow2' });
  });

  it('reads the extensions of a qcow2 v2 (they start at byte 72)', async () => {
    expect(parseQcow2References(await head('qcow2-v2-backing.head'))).toEqual({ backing: '/vms/base.raw', backingFormat: 'raw' });
  });

  it('reads the external data file of an image with the data-file feature bit', async () => {
    expect(parseQcow2References(await head('qcow2-data-file.head'))).toEqual({ dataFile: '/tmp/hs/data.raw' });
  });

  it('tells an unnamed data file, and ignores a data file extension without the feature bit (qemu does)', async () => {
    const bit = Buffer.from(await head('qcow2-v3-backing.head'));
    bit.writeBigUInt64BE(4n, 72);
    expect(parseQcow2References(bit)).toMatchObject({ dataFile: '' });
    const ext = Buffer.from(await head('qcow2-data-file.head'));
    ext.writeBigUInt64BE(0n, 72);
    expect(parseQcow2References(ext)).toEqual({});
  });

  it('refuses what is not a whole qcow2 header: EFORMAT, never a wrong reference', async () => {
    const v3 = await head('qcow2-v3-backing.head');
    expect(() => parseQcow2References(Buffer.alloc(0))).toThrow(expect.objectContaining({ code: 'EFORMAT', message: expect.stringContaining('not a qcow2 image') }));
    expect(() => parseQcow2References(v3.subarray(0, 100))).toThrow(/truncated: its header needs 104 bytes, the file has 100/);
    expect(() => parseQcow2References(Buffer.concat([Buffer.from('QED\0'), v3.subarray(4)]))).toThrow(/not a qcow2 image/);
    expect(() => parseQedReferences(v3)).toThrow(/not a qed image/);
  });

  it('refuses a backing name that is not in the header cluster or too long for qemu', async () => {
    const far = Buffer.from(await head('qcow2-v3-backing.head'));
    far.writeBigUInt64BE(8000n, 8);
    expect(() => parseQcow2References(far)).toThrow(expect.objectContaining({ code: 'EFORMAT' }));
    const long = Buffer.from(await head('qcow2-v3-backing.head'));
    long.writeUInt32BE(1024, 16);
    expect(() => parseQcow2References(long)).toThrow(/longer than qemu allows/);
  });
});

describe('parseQedReferences', () => {
  it('reads the backing file; feature 4 records a raw one, without it qemu would probe', async () => {
    expect(parseQedReferences(await head('qed-backing-raw.head'))).toEqual({ backing: 'base.raw', backingFormat: 'raw' });
    expect(parseQedReferences(await head('qed-backing-qcow2.head'))).toEqual({ backing: 'base.qcow2' });
  });

  it('sees no backing file without feature 1', async () => {
    const none = Buffer.from(await head('qed-backing-raw.head'));
    none.writeBigUInt64LE(0n, 16);
    expect(parseQedReferences(none)).toEqual({});
  });
});
