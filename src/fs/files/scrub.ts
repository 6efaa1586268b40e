/**
 * Scrubbing a guest file (libguestfs `scrub_file`): its content overwritten in place, then the
 * file removed, so what it held cannot be read back from the disk.
 */
import { randomFillSync } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import type { GuestPath } from '../names.js';
import { guarded, withWritable, type FileContext } from './context.js';
import { openRegularForWrite } from './regular.js';

const CHUNK = 1 << 20;

/**
 * Overwrites every byte of a regular file in place, twice with random bytes then once with
 * zeros (scrub(1)'s default passes, without its read-back), each pass synced to the disk, then
 * removes the file. A final symlink is followed (inside the guest) and its target scrubbed, as
 * libguestfs resolves the path; the link stays. Only regular files: a directory or device is
 * refused. On a copy-on-write filesystem (btrfs) the old blocks may survive, as with scrub(1).
 */
export async function scrubFile(ctx: FileContext, p: GuestPath): Promise<void> {
  await guarded(p, 'scrubFile', () => withWritable(ctx, p, true, async (file) => {
    const handle = await openRegularForWrite(file, 'scrubFile', p, 'keep', true);
    try {
      const { size } = await handle.stat();
      const buffer = Buffer.alloc(Math.min(CHUNK, Math.max(size, 1)));
      for (const random of [true, true, false]) {
        if (!random) buffer.fill(0);
        for (let offset = 0; offset < size; offset += buffer.length) {
          const length = Math.min(buffer.length, size - offset);
          if (random) randomFillSync(buffer, 0, length);
          await handle.write(buffer, 0, length, offset);
        }
        await handle.sync();
      }
    } finally {
      await handle.close();
    }
    await unlink(file);
  }));
}
