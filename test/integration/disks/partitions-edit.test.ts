/**
 * Editing partition tables in a session: MBR with a boot flag, type ids and
 * a logical partition; deleting and resizing; growing a GPT disk and its
 * filesystem after a qemu-img resize; refusals (read-only session, bad
 * arguments, devices not of this session); nothing left behind.
 */
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { API } from '../../../src/api/table.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir, sha256File } from '../../helpers/images.js';

const MiB = 1024 * 1024;
let dir: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('part-edit'));
});
afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

/** A new qcow2 `name` in a read-write session, one partition on it (partDisk) holding ext4. */
async function oneExt4Disk(name: string, size: number, parttype: 'gpt' | 'mbr'): Promise<{ g: GuestFS; image: string }> {
  const image = path.join(dir, name);
  const g = new GuestFS({ tmpDir: dir });
  await g.diskCreate(image, 'qcow2', size);
  g.addDrive(image, { format: 'qcow2' });
  await g.launch();
  await g.partDisk('/dev/sda', parttype);
  await g.mkfs('ext4', '/dev/sda1');
  return { g, image };
}

/** The session's view must match the kernel's: every partition's host node exists with the table's size. */
async function kernelMatches(g: GuestFS, disk: string): Promise<void> {
  const table = await g.partList(disk);
  const listed = g.listPartitions().filter((p) => p.startsWith(disk));
  expect(listed).toEqual(table.map((p) => `${disk}${p.number}`));
  for (const p of table) {
    const size = await g.blockdevGetSize64(`${disk}${p.number}`);
    // The kernel registers an extended partition as 1 KiB at most (BLKPG, as its own parser).
    expect(size).toBe(['5', 'F', '85'].includes(p.type) ? Math.min(1024, p.size * 512) : p.size * 512);
  }
}

describe('MBR', () => {
  it('makes primary, extended and logical partitions with flags and type ids', async () => {
    const image = path.join(dir, 'mbr.raw');
    const g = new GuestFS({ tmpDir: dir });
    await g.diskCreate(image, 'raw', 64 * MiB);
    g.addDrive(image, { format: 'raw' });
    await g.launch();
    try {
      await g.partInit('/dev/sda', 'mbr');
      expect(await g.partGetParttype('/dev/sda')).toBe('msdos');
      await g.partAdd('/dev/sda', 'p', 2048, 20479);
      await g.partAdd('/dev/sda', 'e', 20480, -1);
      await g.partAdd('/dev/sda', 'l', 22528, 61439);
      await g.partAdd('/dev/sda', 'logical', 63488, 100000);
      expect(g.listPartitions()).toEqual(['/dev/sda1', '/dev/sda2', '/dev/sda5', '/dev/sda6']);
      await kernelMatches(g, '/dev/sda');
      await g.partSetBootable('/dev/sda', 1, true);
      await g.partSetMbrId('/dev/sda', 1, 0xef);
      await g.partSetMbrId('/dev/sda', 5, 0x82);
      expect(await g.partGetBootable('/dev/sda', 1)).toBe(true);
      expect(await g.partGetMbrId('/dev/sda', 1)).toBe(0xef);
      expect(await g.partGetMbrId('/dev/sda', 5)).toBe(0x82);
      await g.mkswap('/dev/sda5', { label: 'swap0', uuid: '0c3f9a5e-1d2b-4e6f-8a9b-1c2d3e4f5a6b' });
      await g.mkfs('ext2', '/dev/sda6', { blocksize: 1024, inode: 128, label: 'data' });
      expect(g.listFilesystems()).toEqual([
        { device: '/dev/sda1', vfsType: 'unknown' },
        { device: '/dev/sda5', vfsType: 'swap' },
        { device: '/dev/sda6', vfsType: 'ext2' },
      ]);
      expect(g.vfsUuid('/dev/sda5')).toBe('0c3f9a5e-1d2b-4e6f-8a9b-1c2d3e4f5a6b');
      // Deleting the first logical partition renumbers the next, in the table and in the session.
      await g.partDel('/dev/sda', 5);
      expect(g.listPartitions()).toEqual(['/dev/sda1', '/dev/sda2', '/dev/sda5']);
      expect(g.vfsType('/dev/sda5')).toBe('ext2');
      await kernelMatches(g, '/dev/sda');
      await g.partSetBootable('/dev/sda', 1, false);
      expect(await g.partGetBootable('/dev/sda', 1)).toBe(false);
      // A logical partition outside the extended one, a primary inside it: refused before sfdisk runs.
      await expect(g.partAdd('/dev/sda', 'l', 2048, 4095)).rejects.toMatchObject({ code: 'EINVAL' });
      await expect(g.partAdd('/dev/sda', 'p', 110000, 120000)).rejects.toMatchObject({ code: 'EINVAL' });
      await expect(g.partSetName('/dev/sda', 1, 'x')).rejects.toMatchObject({ code: 'EINVAL' });
      await expect(g.partSetGptType('/dev/sda', 1, '0FC63DAF-8483-4772-8E79-3D69D8477DE4')).rejects.toMatchObject({ code: 'EINVAL' });
    } finally {
      await g.close();
    }
    const { stdout } = await execa('sfdisk', ['--json', image]);
    expect(JSON.parse(stdout).partitiontable.partitions.map((p: { type: string }) => p.type)).toEqual(['ef', '5', '83']);
  });
});

describe('growing a GPT disk', () => {
  it('resizes the partition and the filesystem after qemu-img resize', async () => {
    const { g: g1, image } = await oneExt4Disk('grow.qcow2', 64 * MiB, 'gpt');
    // libguestfs' part_disk: sectors 128 to 128 before the end.
    expect((await g1.partList('/dev/sda')).map((p) => [p.start, p.size])).toEqual([[128, 64 * 2048 - 128 - 128 + 1]]);
    await g1.mount('/dev/sda1', '/');
    await g1.write('/keep', 'kept');
    await g1.close();
    await execa('qemu-img', ['resize', '-q', '-f', 'qcow2', image, '128M']);

    await using g = await GuestFS.open(image, { tmpDir: dir });
    await g.partExpandGpt('/dev/sda');
    await g.partResize('/dev/sda', 1, -34);
    expect(await g.blockdevGetSize64('/dev/sda1')).toBe((128 * 2048 - 34 - 128 + 1) * 512);
    await g.resize2fs('/dev/sda1');
    await g.mount('/dev/sda1', '/');
    const { blocks, bsize } = await g.statvfs('/');
    expect(blocks * bsize).toBeGreaterThan(100 * MiB);
    expect(await g.read('/keep', 'utf8')).toBe('kept');
    // Mounted: the partition cannot be resized or deleted, nor the filesystem remade under the mount.
    await expect(g.partResize('/dev/sda', 1, -100)).rejects.toMatchObject({ code: 'EBUSY' });
    await expect(g.partDel('/dev/sda', 1)).rejects.toMatchObject({ code: 'EBUSY' });
    await expect(g.mkfs('ext4', '/dev/sda1')).rejects.toMatchObject({ code: 'EBUSY' });
    await expect(g.partInit('/dev/sda', 'gpt')).rejects.toMatchObject({ code: 'EBUSY' });
    await g.umount('/');
    await g.resize2fsSize('/dev/sda1', 80 * MiB);
    await expect(g.resize2fsSize('/dev/sda1', 80 * MiB + 1)).rejects.toMatchObject({ code: 'EINVAL' });
    await g.zerofree('/dev/sda1');
    expect(await g.fsck('ext4', '/dev/sda1')).toBe(0);
  });
});

describe('refusals', () => {
  it('refuses every writing call of the area in a read-only session, before anything is touched', async () => {
    const { g: w, image } = await oneExt4Disk('ro.qcow2', 32 * MiB, 'mbr');
    await w.close();
    const before = await sha256File(image);
    await using g = await GuestFS.open(image, { readonly: true, tmpDir: dir });
    await g.mountRo('/dev/sda1', '/');
    const calls: [string, unknown[]][] = [
      ['partInit', ['/dev/sda', 'gpt']], ['partAdd', ['/dev/sda', 'p', 2048, 4095]], ['partDisk', ['/dev/sda', 'gpt']],
      ['partDel', ['/dev/sda', 1]], ['partResize', ['/dev/sda', 1, -1]], ['partExpandGpt', ['/dev/sda']],
      ['partSetName', ['/dev/sda', 1, 'n']], ['partSetBootable', ['/dev/sda', 1, true]], ['partSetGptType', ['/dev/sda', 1, '0FC63DAF-8483-4772-8E79-3D69D8477DE4']],
      ['partSetGptGuid', ['/dev/sda', 1, '0FC63DAF-8483-4772-8E79-3D69D8477DE4']], ['partSetMbrId', ['/dev/sda', 1, 7]],
      ['mkfs', ['ext4', '/dev/sda1']], ['mkswap', ['/dev/sda1']], ['setLabel', ['/dev/sda1', 'x']], ['setUuid', ['/dev/sda1', '0c3f9a5e-1d2b-4e6f-8a9b-1c2d3e4f5a6b']],
      ['fsck', ['ext4', '/dev/sda1']], ['e2fsck', ['/dev/sda1']], ['resize2fs', ['/dev/sda1']], ['resize2fsSize', ['/dev/sda1', 1024 * 1024]],
      ['xfsGrowfs', ['/']], ['btrfsFilesystemResize', ['/']], ['ntfsresize', ['/dev/sda1']], ['zerofree', ['/dev/sda1']],
      ['zeroFreeSpace', ['/']], ['fstrim', ['/']],
    ];
    const writing = API.filter((e) => e.writes && ['partitions', 'filesystems'].includes(e.group) && e.since === '0.2.0').map((e) => e.name);
    expect(calls.map(([name]) => name).sort()).toEqual(writing.sort());
    for (const [name, args] of calls) {
      await expect((g as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[name]!(...args), name).rejects.toMatchObject({ code: 'EREADONLY' });
    }
    await g.close();
    expect(await sha256File(image)).toBe(before);
  });

  it('gives typed errors for bad arguments', async () => {
    await using g = new GuestFS({ tmpDir: dir });
    g.addDriveScratch(16 * MiB);
    await g.launch();
    await g.partInit('/dev/sda', 'gpt');
    await g.partAdd('/dev/sda', 'p', 2048, -34);
    await expect(g.partSetName('/dev/sda', 7, 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(g.partDel('/dev/sda', 0)).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(g.partInit('/dev/sda', 'amiga' as 'gpt')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(g.partAdd('/dev/sda', 'x' as 'p', 2048, 4095)).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(g.partAdd('/dev/sda', 'p', -5, 4095)).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(g.partInit('/dev/sda1', 'gpt')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(g.partSetGptType('/dev/sda', 1, 'not-a-guid')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(g.mkfs('reiserfs', '/dev/sda1')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(g.mkfs('btrfs', '/dev/sda1', { blocksize: 4096 })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(g.mkfs('xfs', '/dev/sda1', { inode: 256 })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(g.mkfs('ext4', '/dev/sda1', { label: 'x'.repeat(17) })).rejects.toMatchObject({ code: 'EINVAL' });
    // Devices are the session's names, never host paths.
    await expect(g.mkfs('ext4', '/dev/sdb')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(g.mkfs('ext4', g.hostDevice('/dev/sda1'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(g.partInit('/dev/loop0', 'gpt')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(g.setLabel('/dev/sda1', 'x')).rejects.toMatchObject({ code: 'EINVAL' });
    await g.mkfs('ext4', '/dev/sda1');
    await expect(g.setUuid('/dev/sda1', 'random')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(g.e2fsck('/dev/sda1', { correct: true, forceall: true })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(g.fstrim('/')).rejects.toMatchObject({ code: 'ENOTMOUNTED' });
    await expect(g.fsck('ext4; rm', '/dev/sda1')).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('removes a scratch drive at close', async () => {
    const g = new GuestFS({ tmpDir: dir });
    g.add_drive_scratch(8 * MiB);
    expect(() => g.addDriveScratch(0)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    await g.launch();
    expect(await g.blockdevGetSize64('/dev/sda')).toBe(8 * MiB);
    await g.close();
    expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  });
});
