/**
 * Loop device release: once our attachment is gone another process may attach
 * the same device at once; detaching must not wait for (or fail on) that one.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diskSeq, waitUntilReleased } from '../../../src/attach/loop.js';
import { scratchDir } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => ({ dir, remove } = await scratchDir('loop')));
afterAll(async () => remove());

async function file(name: string): Promise<string> {
  await writeFile(path.join(dir, name), Buffer.alloc(1024 * 1024));
  return path.join(dir, name);
}

describe('waitUntilReleased', () => {
  it('tells our attachment from a later one of the same device', async () => {
    const device = (await execa('losetup', ['--find', '--show', await file('ours.img')])).stdout.trim();
    const ours = await diskSeq(device);
    expect(ours).toMatch(/^\d+$/);
    let theirs = false;
    try {
      // Still ours: not released within the time limit.
      expect(await waitUntilReleased(device, ours, 100)).toBe(false);
      await execa('losetup', ['-d', device]);
      // Another process takes the device straight away: that is not ours to wait for. (In a
      // parallel test run another test's `losetup --find` may be that process, and win the race.)
      theirs = (await execa('losetup', [device, await file('theirs.img')], { reject: false })).exitCode === 0;
      expect(await diskSeq(device)).not.toBe(ours);
      expect(await waitUntilReleased(device, ours, 5000)).toBe(true);
      // Without a sequence number any attachment counts (the old behaviour).
      if (theirs) expect(await waitUntilReleased(device, undefined, 100)).toBe(false);
    } finally {
      // Only what this test attached: a device another test took is that test's to release.
      if (theirs || (await diskSeq(device)) === ours) await execa('losetup', ['-d', device], { reject: false });
    }
  });
});
