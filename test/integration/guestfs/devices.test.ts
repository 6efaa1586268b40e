import { execa } from 'execa';
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

describe('list_filesystems on a Windows-style GPT disk', () => {
  it('leaves out the Microsoft Reserved partition and a LUKS container, as libguestfs does', async () => {
    const image = `${dir}/gpt-msr.raw`;
    await execa('truncate', ['-s', '64M', image]);
    // An MSR (nothing on it), an ext4 partition, and a partition with a LUKS header.
    await execa('sfdisk', ['--quiet', image], { input: 'label: gpt\nsize=16MiB, type=E3C9E316-0B5C-4DB8-817D-F92DF00215AE\nsize=16MiB, type=linux\nsize=24MiB, type=linux\n' });
    const { stdout } = await execa('sfdisk', ['--json', image]);
    const parts = (JSON.parse(stdout) as { partitiontable: { partitions: { start: number; size: number }[] } }).partitiontable.partitions;
    const extract = async (i: number, make: (file: string) => Promise<unknown>) => {
      const file = `${dir}/part${i}.img`;
      await execa('truncate', ['-s', String(parts[i]!.size * 512), file]);
      await make(file);
      await execa('dd', [`if=${file}`, `of=${image}`, 'bs=512', `seek=${parts[i]!.start}`, 'conv=notrunc', 'status=none']);
    };
    await extract(1, (f) => execa('mkfs.ext4', ['-q', f]));
    await extract(2, (f) => execa('cryptsetup', ['luksFormat', '--batch-mode', '--type', 'luks2', '--pbkdf', 'pbkdf2', '--pbkdf-force-iterations', '1000', f, '-'], { input: 'key' }));
    await using gpt = await GuestFS.open(image, { tmpDir: dir, readonly: true });
    expect(gpt.listPartitions()).toEqual(['/dev/sda1', '/dev/sda2', '/dev/sda3']);
    expect(gpt.vfsType('/dev/sda3')).toBe('crypto_LUKS');
    expect(gpt.listFilesystems()).toEqual([{ device: '/dev/sda2', vfsType: 'ext4' }]);
  });
});
