/** Permission bits and numeric ownership. */
import { chmod, chown, lchown } from 'node:fs/promises';
import { VmcraftError } from '../../core/errors.js';
import type { GuestPath } from '../names.js';
import { guarded, withWritable, type FileContext } from './context.js';

/** Changes permission bits (follows a final symlink inside the guest, like chmod(2)). */
export async function chmodPath(ctx: FileContext, mode: number, p: GuestPath): Promise<void> {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) throw new VmcraftError('EINVAL', `Expected a mode from 0 to 0o7777, got \`${mode}\``);
  await guarded(p, 'chmod', () => withWritable(ctx, p, true, (file) => chmod(file, mode)));
}

/** -1 leaves the owner or group as it is (chown(2)). */
function checkId(what: string, id: number): void {
  if (!Number.isInteger(id) || id < -1 || id > 0xfffffffe) throw new VmcraftError('EINVAL', `Expected a numeric ${what} from -1 to 4294967294, got \`${id}\``);
}

/**
 * Changes numeric owner and group; `follow` false changes a symlink itself
 * (libguestfs `lchown`) instead of the file it leads to (`chown`).
 */
export async function chownPath(ctx: FileContext, uid: number, gid: number, p: GuestPath, follow = true): Promise<void> {
  checkId('uid', uid);
  checkId('gid', gid);
  const operation = follow ? 'chown' : 'lchown';
  await guarded(p, operation, () => withWritable(ctx, p, follow, (target) => (follow ? chown(target, uid, gid) : lchown(target, uid, gid))));
}
