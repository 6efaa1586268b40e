import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import type { SampleImage } from '../../../src/sample/sample.js';
import { sampleImage, scratchDir } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;
let sample: SampleImage;
let g: GuestFS;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('devices'));
  sample = await sampleImage(dir);
  g = await GuestFS.open(sample.path, { tmpDir: dir, readonly: true });
});
afterAll(async () => {
  await g?.close();
  await remove();
});

describe('devices and partitions of the sample guest (MBR, two ext4)', () => {
  it('lists devices, partitions and filesystems', () => {
    expect(g.listDevices()).toEqual(['/dev/sda']);
    expect(g.listPartitions()).toEqual(['/dev/sda1', '/dev/sda2']);
    expect(g.listFilesystems()).toEqual([
      { device: '/dev/sda1', vfsType: 'ext4' },
      { device: '/dev/sda2', vfsType: 'ext4' },
    ]);
  });

  it('reads filesystem type, UUID and label as the sample was built', () => {
    expect(g.vfsType('/dev/sda2')).toBe('ext4');
    expect(g.vfsUuid('/dev/sda1')).toBe(sample.bootUuid);
    expect(g.vfsUuid('/dev/sda2')).toBe(sample.rootUuid);
    expect(g.vfsLabel('/dev/sda1')).toBe('boot');
    expect(g.vfsLabel('/dev/sda2')).toBe('rootfs');
    expect(g.vfsType('/dev/sda')).toBe('');
  });

  it('reads sizes and the partition table', async () => {
    expect(await g.blockdevGetSize64('/dev/sda')).toBe(98 * 1024 * 1024);
    expect(await g.blockdevGetSize64('/dev/sda1')).toBe(32 * 1024 * 1024);
    expect(await g.partGetParttype('/dev/sda')).toBe('msdos');
    expect(await g.partList('/dev/sda')).toEqual([
      { number: 1, start: 2048, size: 65536, type: '83', bootable: true },
      { number: 2, start: 67584, size: 131072, type: '83', bootable: false },
    ]);
    expect(await g.partGetMbrId('/dev/sda', 2)).toBe(0x83);
    expect(await g.partGetBootable('/dev/sda', 1)).toBe(true);
    expect(g.partToDev('/dev/sda2')).toBe('/dev/sda');
    expect(g.partToPartnum('/dev/sda2')).toBe(2);
    expect(g.hostDevice('/dev/sda1')).toMatch(/^\/dev\/loop\d+p1$/);
  });

  it('gives typed errors for wrong devices and table kinds', async () => {
    expect(() => g.vfsType('/dev/sdz1')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => g.partToDev('/dev/sda')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    await expect(g.partGetGptType('/dev/sda', 1)).rejects.toMatchObject({ code: 'EINVAL', message: expect.stringContaining('msdos partition table, not gpt') });
    await expect(g.partGetMbrId('/dev/sda', 9)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('has libguestfs-named aliases that are the same functions', () => {
    expect(g.list_devices()).toEqual(['/dev/sda']);
    expect(g.vfs_type('/dev/sda1')).toBe('ext4');
    expect(GuestFS.prototype.mount_ro).toBe(GuestFS.prototype.mountRo);
  });
});
