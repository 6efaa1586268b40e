/**
 * A disk built from nothing with the table's calls: diskCreate, a GPT with an
 * ESP and a root, filesystems with labels and UUIDs, files written; reopened,
 * everything is there, fsck and qemu-img check are clean.
 */
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir } from '../../helpers/images.js';

const ESP = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
const LINUX = '0FC63DAF-8483-4772-8E79-3D69D8477DE4';
const ROOT_UUID = '5b0f3f4e-6a7d-4c1e-9d2b-0c8e1f2a3b4c';
const MiB = 1024 * 1024;

let dir: string;
let remove: () => Promise<void>;
let image: string;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('disk-build'));
  image = path.join(dir, 'built.qcow2');
});
afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

describe('building a GPT disk from nothing', () => {
  it('creates, partitions, formats and fills a qcow2', async () => {
    const g = new GuestFS({ tmpDir: dir });
    await g.diskCreate(image, 'qcow2', 256 * MiB, { compat: '1.1' });
    expect(await g.diskFormat(image)).toBe('qcow2');
    expect(await g.diskVirtualSize(image)).toBe(256 * MiB);
    expect(await g.diskHasBackingFile(image)).toBe(false);
    g.addDrive(image, { format: 'qcow2' });
    await g.launch();
    try {
      await g.part_init('/dev/sda', 'gpt');
      expect(await g.partGetParttype('/dev/sda')).toBe('gpt');
      expect(g.listPartitions()).toEqual([]);
      await g.partAdd('/dev/sda', 'p', 2048, 2048 + 64 * 2048 - 1);
      await g.part_add('/dev/sda', 'primary', 2048 + 64 * 2048, -34);
      expect(g.listPartitions()).toEqual(['/dev/sda1', '/dev/sda2']);
      await g.partSetGptType('/dev/sda', 1, ESP.toLowerCase());
      await g.partSetName('/dev/sda', 1, 'EFI System');
      await g.partSetName('/dev/sda', 2, 'root');
      await g.mkfs('vfat', '/dev/sda1', { label: 'ESP' });
      await g.mkfs('ext4', '/dev/sda2', { label: 'rootfs' });
      await g.setUuid('/dev/sda2', ROOT_UUID);
      // The session's probe follows: listFilesystems and vfs* see the new filesystems at once.
      expect(g.listFilesystems()).toEqual([{ device: '/dev/sda1', vfsType: 'vfat' }, { device: '/dev/sda2', vfsType: 'ext4' }]);
      expect(g.vfsUuid('/dev/sda2')).toBe(ROOT_UUID);
      await g.mount('/dev/sda2', '/');
      await g.mkdir('/boot');
      await g.mkdir('/boot/efi');
      // This host's kernel has no vfat and FAT over FUSE is read-only: the ESP is written in the VM-mode test.
      await g.mountRo('/dev/sda1', '/boot/efi');
      expect(g.mountpoints().map((m) => m.mountpoint)).toEqual(['/', '/boot/efi']);
      await g.write('/etc-hostname', 'built\n');
      await g.umountAll();
    } finally {
      await g.close();
    }
  });

  it('reopens it and finds what was made', async () => {
    await using g = await GuestFS.open(image, { readonly: true, tmpDir: dir });
    const parts = await g.partList('/dev/sda');
    expect(parts.map((p) => [p.number, p.start, p.size])).toEqual([
      [1, 2048, 64 * 2048],
      [2, 2048 + 64 * 2048, 256 * 2048 - 34 - (2048 + 64 * 2048) + 1],
    ]);
    expect(await g.partGetGptType('/dev/sda', 1)).toBe(ESP);
    expect(await g.partGetGptType('/dev/sda', 2)).toBe(LINUX);
    expect(await g.partGetName('/dev/sda', 1)).toBe('EFI System');
    expect(await g.partGetName('/dev/sda', 2)).toBe('root');
    expect(g.vfsType('/dev/sda1')).toBe('vfat');
    expect(g.vfsLabel('/dev/sda1')).toBe('ESP');
    expect(g.vfsType('/dev/sda2')).toBe('ext4');
    expect(g.vfsLabel('/dev/sda2')).toBe('rootfs');
    expect(g.vfsUuid('/dev/sda2')).toBe(ROOT_UUID);
    await g.mountRo('/dev/sda2', '/');
    await g.mountRo('/dev/sda1', '/boot/efi');
    expect(await g.read('/etc-hostname', 'utf8')).toBe('built\n');
    expect(await g.ls('/boot')).toEqual(['efi']);
  });

  it('is clean for fsck (libguestfs status 0) and qemu-img check', async () => {
    await using g = await GuestFS.open(image, { tmpDir: dir });
    expect(await g.fsck('ext4', '/dev/sda2')).toBe(0);
    expect(await g.fsck('vfat', '/dev/sda1')).toBe(0);
    await g.e2fsck('/dev/sda2', { forceall: true });
    await g.close();
    await execa('qemu-img', ['check', '-q', image]);
  });
});
