import { mkdir, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS, isVmcraftError } from '../../../src/index.js';
import { Runner } from '../../../src/core/exec.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { sampleImage, scratchDir } from '../../helpers/images.js';
import { readFile } from 'node:fs/promises';

let dir: string;
let remove: () => Promise<void>;
let good: string;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('badinput'));
  good = (await sampleImage(dir)).path;
});
afterEach(async () => expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT));
afterAll(async () => remove());

async function launchError(images: string[], options: { format?: 'qcow2' } = {}): Promise<{ code: string; message: string }> {
  const g = new GuestFS({ tmpDir: dir, readonly: true });
  for (const image of images) g.addDrive(image, options);
  try {
    await g.launch();
  } catch (err) {
    expect(g.status).toBe('closed');
    expect(g.resources()).toEqual([]);
    if (!isVmcraftError(err)) throw err;
    return { code: err.code, message: err.message };
  }
  await g.close();
  return { code: 'launched', message: '' };
}

describe('bad input gives a typed error and leaves nothing attached', () => {
  it('a missing file', async () => {
    expect(await launchError([path.join(dir, 'missing.qcow2')])).toMatchObject({ code: 'ENOENT' });
  });

  it('a directory', async () => {
    const d = path.join(dir, 'a-directory');
    await mkdir(d, { recursive: true });
    expect(await launchError([d])).toMatchObject({ code: 'EINVAL', message: expect.stringContaining('not a disk image') });
  });

  it('a zero-length file', async () => {
    const f = path.join(dir, 'empty.img');
    await writeFile(f, '');
    expect(await launchError([f])).toMatchObject({ code: 'EFORMAT' });
  });

  it('a truncated qcow2', async () => {
    const f = path.join(dir, 'truncated.qcow2');
    await writeFile(f, (await readFile(good)).subarray(0, 4096));
    expect(await launchError([f])).toMatchObject({ code: 'EFORMAT' });
  });

  it('random bytes: attached as raw, no filesystems, no OS', async () => {
    const f = path.join(dir, 'random.img');
    await writeFile(f, randomBytes(4 * 1024 * 1024));
    await using g = await GuestFS.open(f, { tmpDir: dir, readonly: true });
    expect(g.listPartitions()).toEqual([]);
    expect(g.listFilesystems()).toEqual([{ device: '/dev/sda', vfsType: 'unknown' }]);
    expect(await g.inspectOs()).toEqual([]);
  });

  it('a qcow2 given as the wrong format', async () => {
    expect(await launchError([good], { format: 'qcow2' })).toEqual({ code: 'launched', message: '' });
    const raw = path.join(dir, 'plain.raw');
    await writeFile(raw, randomBytes(1024 * 1024));
    expect(await launchError([raw], { format: 'qcow2' })).toMatchObject({ code: 'EFORMAT', message: expect.stringContaining(raw) });
  });

  it('an error on the second drive releases the first one', async () => {
    const bad = path.join(dir, 'bad-second.qcow2');
    await writeFile(bad, (await readFile(good)).subarray(0, 1000));
    expect(await launchError([good, bad])).toMatchObject({ code: 'EFORMAT' });
  });

  it('an image with no operating system', async () => {
    const blank = path.join(dir, 'blank.qcow2');
    await new Runner().run('qemu-img', ['create', '-q', '-f', 'qcow2', blank, '64M']);
    await using g = await GuestFS.open(blank, { tmpDir: dir, readonly: true });
    expect(await g.inspectOs()).toEqual([]);
    expect(() => g.inspectOsInfo('/dev/sda')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});
