import path from 'node:path';
import { open } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { Runner } from '../../../src/core/exec.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('mbr-ebr'));
});
afterEach(async () => expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT));
afterAll(async () => remove());

const SECTORS = 32768;
const EXTENDED = 8192;

/** A 16-byte MBR partition entry (no CHS). */
function entry(type: number, start: number, sectors: number): Buffer {
  const e = Buffer.alloc(16);
  e[4] = type;
  e.writeUInt32LE(start, 8);
  e.writeUInt32LE(sectors, 12);
  return e;
}

/** A boot sector holding `entries` and the 0x55AA signature. */
function table(entries: Buffer[], signature = 0): Buffer {
  const sector = Buffer.alloc(512);
  sector.writeUInt32LE(signature, 440);
  entries.forEach((e, i) => e.copy(sector, 446 + 16 * i));
  sector[510] = 0x55;
  sector[511] = 0xaa;
  return sector;
}

/**
 * The layout of The Sleuth Kit's volume-system test image: primary 0x83,
 * extended 0x05, and in it one logical partition starting right after its EBR
 * (sector S+1), holding ext2. sfdisk will not write that, so it is written by hand.
 */
async function ebrImage(): Promise<string> {
  const file = path.join(dir, 'ebr.raw');
  const handle = await open(file, 'w');
  try {
    await handle.truncate(SECTORS * 512);
    await handle.write(table([entry(0x83, 63, EXTENDED - 63), entry(0x05, EXTENDED, SECTORS - EXTENDED)], 0x5eb0c0de), 0, 512, 0);
    await handle.write(table([entry(0x83, 1, SECTORS - EXTENDED - 1)]), 0, 512, EXTENDED * 512);
  } finally {
    await handle.close();
  }
  await new Runner().run('mke2fs', ['-q', '-t', 'ext2', '-L', 'logical', '-E', `offset=${(EXTENDED + 1) * 512}`, file, `${Math.floor((SECTORS - EXTENDED - 1) / 2)}k`]);
  return file;
}

describe('an MBR logical partition that starts right after its EBR', () => {
  it('launches and shows the primary, the extended and the logical partition, as the kernel parser would', async () => {
    const warnings: string[] = [];
    const g = new GuestFS({ tmpDir: dir, readonly: true });
    g.on('log', (e: { level: string; message: string }) => e.level === 'warn' && warnings.push(e.message));
    g.addDrive(await ebrImage());
    await g.launch();
    try {
      expect(g.listPartitions()).toEqual(['/dev/sda1', '/dev/sda2', '/dev/sda5']);
      expect(g.listFilesystems()).toEqual([
        { device: '/dev/sda1', vfsType: 'unknown' },
        { device: '/dev/sda5', vfsType: 'ext2' },
      ]);
      expect(g.vfsLabel('/dev/sda5')).toBe('logical');
      expect(await g.blockdevGetSize64('/dev/sda5')).toBe((SECTORS - EXTENDED - 1) * 512);
      expect((await g.partList('/dev/sda')).map((p) => [p.number, p.start, p.type])).toEqual([[1, 63, '83'], [2, EXTENDED, '5'], [5, EXTENDED + 1, '83']]);
      expect(warnings).toEqual([]);
    } finally {
      await g.close();
    }
  });
});
