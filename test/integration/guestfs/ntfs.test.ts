import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { Runner } from '../../../src/core/exec.js';
import { buildDiskImage } from '../../../src/sample/disk-builder.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { mountOf } from '../../helpers/mount-driver.js';
import { probeHost } from '../../../src/core/probe.js';
import { scratchDir, sha256File } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;
let image: string;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('ntfs'));
  const tree = path.join(dir, 'tree');
  for (const d of ['Windows/System32/config', 'Windows/System32/drivers', 'Program Files/App', 'Users/Alice']) await mkdir(path.join(tree, d), { recursive: true });
  await writeFile(path.join(tree, 'Windows/System32/config/SOFTWARE'), 'not a real hive');
  await writeFile(path.join(tree, 'Users/Alice/Notes.TXT'), 'hello from NTFS\r\n');
  image = path.join(dir, 'windows.raw');
  await buildDiskImage({ table: 'gpt', format: 'raw', output: image, partitions: [{ sizeMiB: 64, fs: 'ntfs', tree, label: 'Windows' }] }, new Runner());
});
afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

describe("NTFS through the kernel's ntfs3 where the kernel has it, else ntfs-3g", () => {
  it('is found, mounted read-only without touching $LogFile, and read case-insensitively', async () => {
    const before = await sha256File(image);
    const driver = (await probeHost()).kernelFilesystems.includes('ntfs3') ? { fstype: 'ntfs3', options: ['ro'] } : { fstype: 'fuseblk', options: ['ro'] };
    {
      await using g = await GuestFS.open(image, { readonly: true, tmpDir: dir });
      expect(g.listFilesystems()).toEqual([{ device: '/dev/sda1', vfsType: 'ntfs' }]);
      expect(g.vfsLabel('/dev/sda1')).toBe('Windows');
      await g.mountRo('/dev/sda1', '/');
      expect(await mountOf(g.hostDevice('/dev/sda1'))).toMatchObject({ fstype: driver.fstype, options: expect.arrayContaining(driver.options) });
      expect(await g.caseSensitivePath('/windows/system32/CONFIG/software')).toBe('/Windows/System32/config/SOFTWARE');
      expect(await g.caseSensitivePath('/users/alice/notes.txt')).toBe('/Users/Alice/Notes.TXT');
      expect(await g.caseSensitivePath('/Windows/NoSuchDir/x')).toBe('/Windows/NoSuchDir/x');
      expect(await g.cat(await g.caseSensitivePath('/users/alice/notes.txt'))).toBe('hello from NTFS\r\n');
      expect(await g.ls('/Program Files')).toEqual(['App']);
      await expect(g.write('/x', 'y')).rejects.toMatchObject({ code: 'EREADONLY' });
      const warnings: string[] = [];
      g.on('log', (l) => warnings.push(l.message));
      expect(await g.inspectOs()).toEqual([]);
      expect(warnings).toEqual(['inspection skipped /dev/sda1: /Windows/System32/config has no SOFTWARE or SYSTEM hive']);
    }
    expect(await sha256File(image)).toBe(before);
  });

  it('is written through a read-write session', async () => {
    {
      await using g = await GuestFS.open(image, { tmpDir: dir });
      await g.mount('/dev/sda1', '/');
      await g.write('/Users/Alice/new.txt', 'written by vmcraft');
      await g.mkdirP('/Windows/Temp/vmcraft');
    }
    await using again = await GuestFS.open(image, { readonly: true, tmpDir: dir });
    await again.mountRo('/dev/sda1', '/');
    expect(await again.cat('/Users/Alice/new.txt')).toBe('written by vmcraft');
    expect(await again.isDir('/Windows/Temp/vmcraft')).toBe(true);
  });
});
