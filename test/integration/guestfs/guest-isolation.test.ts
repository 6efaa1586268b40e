/**
 * A guest command's mount namespace starts as a copy of the host's mounts:
 * another session's guest filesystems must not be pinned by it, or that
 * session could not close (partitions busy, loop device never released)
 * while the command runs.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { sampleImage, scratchDir } from '../../helpers/images.js';
import { writableGuest, type WritableGuest } from '../../helpers/writable-guest.js';

let guest: WritableGuest;
let dir: string;
let remove: () => Promise<void>;

beforeAll(async () => {
  guest = await writableGuest('guest-isolation', 'debian12');
  ({ dir, remove } = await scratchDir('guest-isolation-other'));
}, 120_000);
afterAll(async () => {
  await guest.close();
  await remove();
});

describe('guest commands and other sessions', () => {
  it('a running guest command does not keep another session’s filesystems busy', async () => {
    const other = await GuestFS.open((await sampleImage(dir)).path, { tmpDir: dir });
    await other.mountRoot((await other.inspectOs())[0]!);
    expect(other.mountpoints().length).toBe(2);
    // Longer than the partition removal's retries: a pinned filesystem would fail the close.
    const stop = new AbortController();
    const running = guest.g.command(['sleep', '30'], { signal: stop.signal });
    await new Promise((r) => setTimeout(r, 500)); // the command's namespace exists now
    try {
      await other.close(); // partitions removed, loop device released: nothing busy
      expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
    } finally {
      stop.abort();
      await expect(running).rejects.toMatchObject({ code: 'EABORTED' });
    }
  }, 60_000);

  it('still sees its own filesystems, /boot included', async () => {
    expect((await guest.g.sh('ls /boot >/dev/null && cat /etc/hostname')).trim()).toBe('vmcraft-debian');
    expect(path.isAbsolute(guest.dir)).toBe(true);
  });
});
