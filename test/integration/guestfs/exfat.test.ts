/**
 * exFAT guest filesystems (USB sticks, SD cards, data volumes of Windows
 * guests), made by mkfs.exfat (exfatprogs): mounted through the kernel's exfat
 * where the kernel has it, else exfat-fuse; read-only when the session is.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { Runner } from '../../../src/core/exec.js';
import { probeHost } from '../../../src/core/probe.js';
import { buildDiskImage } from '../../../src/sample/disk-builder.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { mountOf } from '../../helpers/mount-driver.js';
import { scratchDir, sha256File } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;
let image: string;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('exfat'));
  const tree = path.join(dir, 'tree');
  await mkdir(path.join(tree, 'DCIM/100CANON'), { recursive: true });
  await writeFile(path.join(tree, 'DCIM/100CANON/IMG_0001.JPG'), Buffer.alloc(300_000, 0xd8));
  await writeFile(path.join(tree, 'Ünïcødé – notes.txt'), 'exFAT keeps UTF-16 names\n');
  image = path.join(dir, 'stick.raw');
  await buildDiskImage({ table: 'gpt', format: 'raw', output: image, partitions: [{ sizeMiB: 48, fs: 'exfat', tree, label: 'STICK' }] }, new Runner());
});
afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

describe('exFAT', () => {
  it('is found, mounted read-only with the driver this host has, and read; the image stays byte-identical', async () => {
    const expected = (await probeHost()).kernelFilesystems.includes('exfat') ? 'exfat' : 'fuseblk';
    const before = await sha256File(image);
    {
      await using g = await GuestFS.open(image, { readonly: true, tmpDir: dir });
      expect(g.listFilesystems()).toEqual([{ device: '/dev/sda1', vfsType: 'exfat' }]);
      expect(g.vfsLabel('/dev/sda1')).toBe('STICK');
      await expect(g.mount('/dev/sda1', '/')).resolves.toBeUndefined();
      expect(await mountOf(g.hostDevice('/dev/sda1'))).toMatchObject({ fstype: expected, options: expect.arrayContaining(['ro', 'nodev']) });
      expect((await g.ls('/')).sort()).toEqual(['DCIM', 'Ünïcødé – notes.txt']);
      expect(await g.cat('/Ünïcødé – notes.txt')).toBe('exFAT keeps UTF-16 names\n');
      expect((await g.stat('/DCIM/100CANON/IMG_0001.JPG')).size).toBe(300_000);
      await expect(g.write('/new.txt', 'x')).rejects.toMatchObject({ code: 'EREADONLY' });
      await expect(g.mountOptions('rw', '/dev/sda1', '/')).rejects.toMatchObject({ code: 'EREADONLY' });
    }
    expect(await sha256File(image)).toBe(before);
  });

  it('is written through a read-write session, and fsck.exfat finds the result clean', async () => {
    {
      await using g = await GuestFS.open(image, { tmpDir: dir });
      await g.mount('/dev/sda1', '/');
      await g.mkdirP('/Backup/2024');
      await g.write('/Backup/2024/list.txt', 'written by vmcraft\n');
      await g.rm('/DCIM/100CANON/IMG_0001.JPG');
    }
    // The partition starts at 1 MiB: check it through a read-only loop device of its own.
    const { stdout } = await execa('losetup', ['--find', '--show', '--read-only', '--offset', String(1024 * 1024), '--sizelimit', String(48 * 1024 * 1024), image]);
    try {
      const fsck = await execa('fsck.exfat', ['-n', stdout.trim()], { reject: false });
      expect(fsck.exitCode, fsck.stdout + fsck.stderr).toBe(0);
    } finally {
      await execa('losetup', ['-d', stdout.trim()]);
    }
    await using again = await GuestFS.open(image, { readonly: true, tmpDir: dir });
    await again.mountRo('/dev/sda1', '/');
    expect(await again.cat('/Backup/2024/list.txt')).toBe('written by vmcraft\n');
    expect(await again.ls('/DCIM/100CANON')).toEqual([]);
  });
});
