import { describe, expect, it } from 'vitest';
import { checkBoundsWith, lastNonZeroEntry, type ImageReader } from '../../../src/attach/bounds.js';

const reader = (image: Buffer): ImageReader => async (offset, length) => image.subarray(offset, offset + length);

/**
 * A qcow2 v3 of 512-byte clusters: header (cluster 0), L1 table of one entry
 * (cluster 1) naming an L2 table (cluster 4), refcount table (cluster 2)
 * naming a refcount block (cluster 3) of 16-bit refcounts, clusters 0-7 in use.
 */
function qcow2(): Buffer {
  const image = Buffer.alloc(8 * 512);
  image.write('QFI\xfb', 0, 'latin1');
  image.writeUInt32BE(3, 4);
  image.writeUInt32BE(9, 20);
  image.writeUInt32BE(1, 36);
  image.writeBigUInt64BE(512n, 40);
  image.writeBigUInt64BE(1024n, 48);
  image.writeUInt32BE(1, 56);
  image.writeUInt32BE(4, 96);
  image.writeUInt32BE(104, 100);
  image.writeBigUInt64BE(2048n | (1n << 63n), 512);
  image.writeBigUInt64BE(1536n, 1024);
  for (let c = 0; c < 8; c++) image.writeUInt16BE(1, 1536 + 2 * c);
  return image;
}

describe('lastNonZeroEntry', () => {
  it('finds the last entry in use for 1- to 64-bit entries', () => {
    expect(lastNonZeroEntry(Buffer.from([0, 0, 0]), 16)).toBe(-1);
    expect(lastNonZeroEntry(Buffer.from([1, 0, 0, 1, 0, 0]), 16)).toBe(1);
    expect(lastNonZeroEntry(Buffer.from([0xff, 0b0000_0100]), 1)).toBe(10);
    expect(lastNonZeroEntry(Buffer.from([0x10]), 4)).toBe(1);
    expect(lastNonZeroEntry(Buffer.alloc(24, 0).fill(1, 15, 16), 64)).toBe(1);
  });
});

describe('checkBoundsWith (qcow2)', () => {
  it('passes a whole image, and one whose last cluster is cut short (compressed images end so)', async () => {
    const image = qcow2();
    await expect(checkBoundsWith('qcow2', reader(image), image.length)).resolves.toBeUndefined();
    await expect(checkBoundsWith('qcow2', reader(image), image.length - 100)).resolves.toBeUndefined();
  });

  it('refuses an image cut before its last cluster in use, or before an L2 table', async () => {
    const image = qcow2();
    await expect(checkBoundsWith('qcow2', reader(image), 7 * 512)).rejects.toMatchObject({ code: 'EFORMAT', message: expect.stringContaining('cluster 7 (the last one in use)') });
    await expect(checkBoundsWith('qcow2', reader(image), 4 * 512)).rejects.toMatchObject({ code: 'EFORMAT', message: expect.stringContaining('L2 table 0') });
  });

  it('does not count data clusters when the data lives in an external data file', async () => {
    const image = qcow2();
    image.writeBigUInt64BE(1n << 2n, 72);
    await expect(checkBoundsWith('qcow2', reader(image), 5 * 512)).resolves.toBeUndefined();
  });
});
