import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS, isVmcraftError } from '../../../src/index.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { sampleImage, scratchDir } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;
let image: string;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('lifecycle'));
  image = (await sampleImage(dir)).path;
});
afterEach(async () => expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT));
afterAll(async () => remove());

const codeOf = async (fn: () => unknown): Promise<string> => {
  try {
    await fn();
  } catch (err) {
    if (isVmcraftError(err)) return err.code;
    throw err;
  }
  return 'no error';
};

describe('session lifecycle', () => {
  it('refuses calls before launch and after close, and drives after launch', async () => {
    const g = new GuestFS({ tmpDir: dir, readonly: true });
    expect(await codeOf(() => g.listDevices())).toBe('ENOTLAUNCHED');
    expect(await codeOf(() => g.launch())).toBe('EINVAL');
    g.addDrive(image);
    await g.launch();
    expect(g.status).toBe('launched');
    expect(await codeOf(() => g.addDrive(image))).toBe('ELAUNCHED');
    expect(await codeOf(() => g.launch())).toBe('ELAUNCHED');
    expect(g.resources().length).toBeGreaterThanOrEqual(3);
    await g.close();
    await g.close();
    expect(g.status).toBe('closed');
    expect(g.resources()).toEqual([]);
    expect(await codeOf(() => g.listDevices())).toBe('ECLOSED');
    expect(await codeOf(() => g.addDrive(image))).toBe('ECLOSED');
  });

  it('closes with `await using`', async () => {
    let escaped: GuestFS | undefined;
    {
      await using g = await GuestFS.open(image, { tmpDir: dir, readonly: true });
      escaped = g;
      expect(g.listDevices()).toEqual(['/dev/sda']);
    }
    expect(escaped.status).toBe('closed');
  });

  it('GuestFS.with closes even when the callback throws', async () => {
    let seen: GuestFS | undefined;
    await expect(
      GuestFS.with(image, { tmpDir: dir, readonly: true }, async (g) => {
        seen = g;
        throw new Error('callback failed');
      }),
    ).rejects.toThrow('callback failed');
    expect(seen?.status).toBe('closed');
  });

  it('attaches several drives in order, with the format given or detected', async () => {
    const raw = path.join(dir, 'second.raw');
    const g = new GuestFS({ tmpDir: dir, readonly: true });
    g.addDrive(image, { format: 'qcow2' });
    await g.launch().then(() => g.close());
    // A raw copy of the sample through the loop backend, next to the qcow2 through fuse.
    const { Runner } = await import('../../../src/core/exec.js');
    await new Runner().run('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', image, raw]);
    await using two = await GuestFS.open([image, raw], { tmpDir: dir, readonly: true });
    expect(two.listDevices()).toEqual(['/dev/sda', '/dev/sdb']);
    expect(two.listPartitions()).toEqual(['/dev/sda1', '/dev/sda2', '/dev/sdb1', '/dev/sdb2']);
    expect(two.vfsUuid('/dev/sda2')).toBe(two.vfsUuid('/dev/sdb2'));
  });

  it('records traces of every command and per-phase metrics', async () => {
    const g = new GuestFS({ tmpDir: dir, readonly: true });
    const traced: string[] = [];
    g.on('trace', (e) => traced.push(e.argv[0]!));
    g.addDrive(image);
    await g.launch();
    await g.close();
    expect(traced).toEqual(expect.arrayContaining(['qemu-storage-daemon', 'losetup', 'partx', 'blkid']));
    const m = g.metrics();
    expect(m.launch?.count).toBe(1);
    expect(m.attach?.totalMs).toBeGreaterThan(0);
    expect(m.shutdown?.count).toBe(1);
  });

  it('reports feature groups from the host probe', async () => {
    const g = new GuestFS();
    expect(await g.available(['fuse', 'loop', 'convert'])).toBe(true);
    expect(await g.available(['lvm2'])).toBe(false); // no device-mapper in this kernel (HOST.md)
    await expect(g.available(['nosuch' as never])).rejects.toThrow(/unknown feature group/);
  });

  it('works on a writable copy through both backends', async () => {
    const copy = path.join(dir, 'copy.qcow2');
    await copyFile(image, copy);
    for (const backend of ['fuse', 'loop'] as const) {
      const target = backend === 'loop' ? path.join(dir, 'second.raw') : copy;
      await using g = await GuestFS.open(target, { tmpDir: dir, backend });
      expect(g.listFilesystems().map((f) => f.vfsType)).toEqual(['ext4', 'ext4']);
    }
  });
});
