import path from 'node:path';
import { truncate, writeFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { Runner } from '../../../src/core/exec.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('labels'));
});
afterEach(async () => expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT));
afterAll(async () => remove());

/** A whole-disk filesystem image of 16 MiB made by `mkfs`. */
async function filesystemImage(name: string, mkfs: string, args: string[]): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, '');
  await truncate(file, 16 * 1024 * 1024);
  await new Runner().run(mkfs, [...args, file]);
  return file;
}

describe('labels are read as the filesystem has them, not as blkid escapes them', () => {
  it('ext4 and NTFS labels with a space, quotes and non-ASCII characters', async () => {
    const ext4 = await filesystemImage('ext4.img', 'mkfs.ext4', ['-q', '-L', 'Test Volume']);
    const ntfs = await filesystemImage('ntfs.img', 'mkntfs', ['-q', '-F', '-f', '-L', 'Test Volume']);
    const odd = await filesystemImage('odd.img', 'mkfs.ext4', ['-q', '-L', `a"b\\c $d`]);
    const utf8 = await filesystemImage('utf8.img', 'mkntfs', ['-q', '-F', '-f', '-L', 'Données système']);
    await using g = await GuestFS.open([ext4, ntfs, odd, utf8], { tmpDir: dir, readonly: true });
    expect(g.vfsLabel('/dev/sda')).toBe('Test Volume');
    expect(g.vfsLabel('/dev/sdb')).toBe('Test Volume');
    expect(g.vfsLabel('/dev/sdc')).toBe(`a"b\\c $d`);
    expect(g.vfsLabel('/dev/sdd')).toBe('Données système');
    expect(g.vfsType('/dev/sdb')).toBe('ntfs');
  });
});
