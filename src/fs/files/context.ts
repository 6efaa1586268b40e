/** What file operations need from their session: where the guest root is and whether it may be written. */
import { fromFsError } from '../../core/errors.js';
import { resolveGuestPath } from '../paths.js';

/** The session side of file operations. */
export interface FileContext {
  /** Host directory of the guest's `/`; throws ENOTMOUNTED when nothing is mounted there. */
  rootDir(): string;
  /** Throws EREADONLY when `guestPath` lies on a read-only mount or session. */
  assertWritable(guestPath: string): void;
}

/** Resolves a guest path inside the root (following a final symlink unless told not to). */
export function hostPath(ctx: FileContext, guestPath: string, followFinal = true): Promise<string> {
  return resolveGuestPath(ctx.rootDir(), guestPath, { followFinal });
}

/** Runs an fs operation, turning its errors into VmcraftErrors that name the guest path. */
export async function guarded<T>(guestPath: string, operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw fromFsError(err, guestPath, operation);
  }
}
