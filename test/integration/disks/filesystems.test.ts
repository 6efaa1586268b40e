/**
 * Each filesystem type mkfs makes, probed back by the session (vfsType,
 * vfsLabel, listFilesystems) and by blkid on the image; labels and UUIDs
 * changed; the grow and zero calls on mounted filesystems.
 */
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir } from '../../helpers/images.js';

const MiB = 1024 * 1024;
const UUID = '3e1c6f2a-9b8d-4c7e-a5f4-2d1b0c9e8f7a';
let dir: string;
let remove: () => Promise<void>;
let g: GuestFS;

/** Partitions of the scratch disk, 40 MiB each (btrfs and xfs want room). */
const TYPES = ['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'vfat', 'ntfs', 'exfat'] as const;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('mkfs'));
  g = new GuestFS({ tmpDir: dir });
  g.addDriveScratch((TYPES.length * 400 + 2) * MiB);
  await g.launch();
  await g.partInit('/dev/sda', 'gpt');
  for (const [i] of TYPES.entries()) await g.partAdd('/dev/sda', 'p', 2048 + i * 400 * 2048, 2048 + (i + 1) * 400 * 2048 - 1);
});
afterAll(async () => {
  await g.close();
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

describe('mkfs', () => {
  it.each(TYPES.map((t, i) => [t, `/dev/sda${i + 1}`]))('makes %s with a label, seen by the session at once', async (fstype, device) => {
    const label = fstype === 'vfat' ? 'LBL_VFAT' : `lbl-${fstype}`;
    await g.mkfs(fstype, device, { label, ...(fstype.startsWith('ext') ? { blocksize: 4096 } : {}) });
    expect(g.vfsType(device)).toBe(fstype);
    expect(g.vfsLabel(device)).toBe(label);
    expect(g.listFilesystems()).toContainEqual({ device, vfsType: fstype });
    const relabel = fstype === 'vfat' ? 'NEW_VFAT' : `new-${fstype}`;
    await g.setLabel(device, relabel);
    expect(g.vfsLabel(device)).toBe(relabel);
  });

  it('sets UUIDs where libguestfs can, and says EUNSUPPORTED where it cannot', async () => {
    for (const [i, device] of ['/dev/sda1', '/dev/sda4', '/dev/sda5'].entries()) {
      // Distinct: btrfstune refuses a UUID another filesystem it sees already has.
      const uuid = `${UUID.slice(0, -1)}${i}`;
      await g.setUuid(device, uuid);
      expect(g.vfsUuid(device)).toBe(uuid);
    }
    await expect(g.setUuid('/dev/sda6', UUID)).rejects.toMatchObject({ code: 'EUNSUPPORTED' });
  });

  it('checks ext with libguestfs e2fsck and fsck status semantics', async () => {
    await g.e2fsck('/dev/sda3', { correct: true });
    expect(await g.fsck('ext4', '/dev/sda3')).toBe(0);
    expect(await g.fsck('xfs', '/dev/sda4')).toBe(0);
  });

  it('grows mounted xfs and btrfs, shrinks ntfs, zeroes and trims', async () => {
    await g.mount('/dev/sda3', '/');
    await g.mkdir('/x');
    await g.mkdir('/b');
    await g.mount('/dev/sda4', '/x');
    await g.mount('/dev/sda5', '/b');
    await g.xfsGrowfs('/x', { datasec: true });
    await g.btrfsFilesystemResize('/b', { size: 300 * MiB });
    expect((await g.statvfs('/b')).blocks * (await g.statvfs('/b')).bsize).toBeLessThanOrEqual(300 * MiB);
    await g.btrfsFilesystemResize('/b');
    await g.write('/data', 'x'.repeat(4096));
    await g.zeroFreeSpace('/');
    expect(await g.ls('/')).toEqual(['b', 'data', 'lost+found', 'x']);
    expect((await g.statvfs('/')).bfree).toBeGreaterThan(0);
    await g.fstrim('/');
    // A guest symlink to a host directory (this test's own) resolves inside the guest, where it does not exist.
    await g.lnS(dir, '/up');
    await g.lnS('../../../../..', '/dotdot');
    await expect(g.zeroFreeSpace('/up')).rejects.toMatchObject({ name: 'VmcraftError', code: 'ENOENT' });
    await g.zeroFreeSpace('/dotdot');
    expect(await readdir(dir)).not.toContainEqual(expect.stringMatching(/^[0-9A-F]{8}\.[0-9A-F]{3}$/));
    await expect(g.xfsGrowfs('/nowhere')).rejects.toMatchObject({ code: 'ENOTMOUNTED' });
    await g.umountAll();
    await g.ntfsresize('/dev/sda7', { size: 200 * MiB });
    expect(g.vfsType('/dev/sda7')).toBe('ntfs');
  });

  it('makes swap with a label and UUID', async () => {
    await g.mkswap('/dev/sda8', { label: 'sw', uuid: UUID });
    expect([g.vfsType('/dev/sda8'), g.vfsLabel('/dev/sda8'), g.vfsUuid('/dev/sda8')]).toEqual(['swap', 'sw', UUID]);
  });
});
