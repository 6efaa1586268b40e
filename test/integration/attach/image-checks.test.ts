import path from 'node:path';
import { open, stat, writeFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS, isVmcraftError } from '../../../src/index.js';
import { Runner } from '../../../src/core/exec.js';
import { checkImageBounds } from '../../../src/attach/bounds.js';
import { loadFixtures } from '../../fixtures/lib/manifest.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;
const fixtures = await loadFixtures();

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('image-checks'));
});
afterEach(async () => expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT));
afterAll(async () => remove());

/** The first `bytes` of `file`, copied to `name` in the scratch directory. */
async function head(file: string, bytes: number, name: string): Promise<string> {
  const out = path.join(dir, name);
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    await handle.read(buf, 0, bytes, 0);
    await writeFile(out, buf);
  } finally {
    await handle.close();
  }
  return out;
}

/** Launches a session on `image`, returning its warnings, or the error. */
async function launch(image: string): Promise<{ logs: string[]; error?: { code: string; message: string } }> {
  const logs: string[] = [];
  const g = new GuestFS({ tmpDir: dir, readonly: true });
  // A launch also reports what it reaped of killed processes' sessions (other test files kill some): not this image's.
  g.on('log', (e: { level: string; message: string }) => {
    if (e.level === 'warn' && !/^(released what|could not release everything) process \d+ \(gone\)/.test(e.message)) logs.push(e.message);
  });
  g.addDrive(image);
  try {
    await g.launch();
  } catch (err) {
    if (!isVmcraftError(err)) throw err;
    expect(g.resources()).toEqual([]);
    return { logs, error: { code: err.code, message: err.message } };
  }
  await g.close();
  return { logs };
}

describe('image files are checked at attach', () => {
  it('a qcow2 truncated at 1 MiB is EFORMAT naming the file and what lies past its end (qemu-img check agrees)', async () => {
    const cut = await head(fixtures.debian12!.path, 1024 * 1024, 'truncated.qcow2');
    await expect(new Runner().run('qemu-img', ['check', '-q', cut])).rejects.toMatchObject({ code: 'ECOMMAND' });
    const { error } = await launch(cut);
    expect(error).toEqual({ code: 'EFORMAT', message: expect.stringMatching(new RegExp(`^${cut}: image is truncated or corrupt: its .* lies past the end of the file \\(1048576 bytes\\)$`)) });
  });

  it('the Debian fixture passes the checks, in a few milliseconds', async () => {
    const { size } = await stat(fixtures.debian12!.path);
    const start = performance.now();
    await checkImageBounds(fixtures.debian12!.path, 'qcow2', size);
    expect(performance.now() - start).toBeLessThan(200);
  });

  it('a text file named fake.qcow2 is attached as raw, with a warning that it has no partition table and no filesystem', async () => {
    const fake = path.join(dir, 'fake.qcow2');
    await writeFile(fake, 'this is not a disk image\n'.repeat(1000));
    expect(await launch(fake)).toEqual({ logs: [`raw image ${fake} has no partition table and no filesystem: is it really a raw disk image?`] });
  });

  it('raw images with a partition table or a filesystem give no warning', async () => {
    expect(await launch(fixtures.gpt!.path)).toEqual({ logs: [] });
    expect(await launch(fixtures.plain!.path)).toEqual({ logs: [] });
  });
});
