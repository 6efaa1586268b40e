import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { mountsUnder } from '../../../src/core/mountinfo.js';
import type { SampleImage } from '../../../src/sample/sample.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { sampleImage, scratchDir, sha256File } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;
let sample: SampleImage;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('mounts'));
  sample = await sampleImage(dir);
});
afterEach(async () => expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT));
afterAll(async () => remove());

describe('mounting', () => {
  it('mounts, lists and unmounts, parents before children', async () => {
    await using g = await GuestFS.open(sample.path, { tmpDir: dir, readonly: true });
    await expect(g.cat('/etc/hostname')).rejects.toMatchObject({ code: 'ENOTMOUNTED' });
    await expect(g.mount('/dev/sda1', '/boot')).rejects.toMatchObject({ code: 'ENOTMOUNTED' });
    await g.mountRo('/dev/sda2', '/');
    await g.mountRo('/dev/sda1', '/boot');
    expect(g.mountpoints()).toEqual([
      { device: '/dev/sda2', mountpoint: '/', readonly: true },
      { device: '/dev/sda1', mountpoint: '/boot', readonly: true },
    ]);
    expect(g.mounts()).toEqual(['/dev/sda2', '/dev/sda1']);
    expect(await g.ls('/boot')).toContain('vmlinuz-6.1.0-sample-amd64');
    await expect(g.umount('/')).rejects.toMatchObject({ code: 'EMOUNT', message: expect.stringContaining('/boot') });
    await expect(g.mount('/dev/sda1', '/boot')).rejects.toMatchObject({ code: 'EMOUNT' });
    await g.umountAll();
    expect(g.mountpoints()).toEqual([]);
    await expect(g.umount('/')).rejects.toMatchObject({ code: 'ENOTMOUNTED' });
  });

  it('mounts every guest filesystem nodev and nosuid, read-only or not', async () => {
    const copy = path.join(dir, 'nosuid.qcow2');
    await copyFile(sample.path, copy);
    for (const readonly of [true, false]) {
      await using g = await GuestFS.open(copy, { tmpDir: dir, readonly });
      await g.mountRoot((await g.inspectOs())[0]!);
      const mine = (await mountsUnder(dir)).filter((m) => !m.mountPoint.endsWith('.raw'));
      expect(mine).toHaveLength(2);
      for (const m of mine) expect(m.options.split(',')).toEqual(expect.arrayContaining(['nodev', 'nosuid']));
    }
  });

  it('refuses a mount point that does not exist in the guest, or is a file', async () => {
    await using g = await GuestFS.open(sample.path, { tmpDir: dir, readonly: true });
    await g.mount('/dev/sda2', '/');
    await expect(g.mount('/dev/sda1', '/nonexistent')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(g.mount('/dev/sda1', '/etc/hostname')).rejects.toMatchObject({ code: 'ENOTDIR' });
    await expect(g.mount('/dev/sda1', 'boot')).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('mounts a read-write session read-write, and mountRo read-only within it', async () => {
    const copy = path.join(dir, 'rw.qcow2');
    await copyFile(sample.path, copy);
    {
      await using g = await GuestFS.open(copy, { tmpDir: dir });
      await g.mount('/dev/sda2', '/');
      await g.mountRo('/dev/sda1', '/boot');
      await g.write('/etc/motd', 'changed by vmcraft\n');
      await expect(g.write('/boot/x', 'no')).rejects.toMatchObject({ code: 'EREADONLY' });
    }
    await using again = await GuestFS.open(copy, { tmpDir: dir, readonly: true });
    await again.mountRo('/dev/sda2', '/');
    expect(await again.cat('/etc/motd')).toBe('changed by vmcraft\n');
  });

  it('a read-only session changes no byte of the image (sha256 before and after)', async () => {
    const before = await sha256File(sample.path);
    {
      await using g = await GuestFS.open(sample.path, { tmpDir: dir, readonly: true });
      const [root] = await g.inspectOs();
      await g.mountRoot(root!);
      await g.cat('/etc/os-release');
      await expect(g.write('/etc/motd', 'x')).rejects.toMatchObject({ code: 'EREADONLY' });
      await expect(g.mount('/dev/sda1', '/boot')).rejects.toMatchObject({ code: 'EMOUNT' });
      await expect(g.mountOptions('rw', '/dev/sda2', '/mnt')).rejects.toMatchObject({ code: 'EREADONLY' });
    }
    expect(await sha256File(sample.path)).toBe(before);
  });
});
