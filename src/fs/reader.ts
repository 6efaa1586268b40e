/**
 * The reader interface inspection uses (read access to a guest's tree), and
 * its production implementation through confined path resolution.
 */
import { readdir, stat } from 'node:fs/promises';
import { openRegularForRead } from './files/regular.js';
import { resolveGuestPath } from './paths.js';

/** Read access to a guest's tree, confined to the guest root. Paths are absolute guest paths. */
export interface GuestReader {
  /** The file's text, or undefined when it does not exist or is not a regular file. */
  readText(guestPath: string): Promise<string | undefined>;
  /** The first `length` bytes of the file (following symlinks inside the guest), or undefined. */
  readHead(guestPath: string, length: number): Promise<Buffer | undefined>;
  /** Whether the path exists (following symlinks inside the guest). */
  exists(guestPath: string): Promise<boolean>;
  /** Whether the path is a directory (following symlinks inside the guest). */
  isDir(guestPath: string): Promise<boolean>;
  /** Entry names of a directory, or [] when it is not one. */
  list(guestPath: string): Promise<string[]>;
}

/**
 * A {@link GuestReader} over the guest tree mounted at `rootDir`, used by OS
 * inspection. Symlinks are followed inside the guest only; only regular files
 * are read (never a device node or FIFO); a missing or unreadable path reads
 * as absent rather than failing.
 */
export function dirGuestReader(rootDir: string): GuestReader {
  const resolve = (p: string) => resolveGuestPath(rootDir, p);
  const statOf = async (p: string) => stat(await resolve(p)).catch(() => undefined);

  /** The file's bytes (the first `length` of them when given), or undefined. */
  async function readRegular(p: string, length?: number): Promise<Buffer | undefined> {
    const handle = await openRegularForRead(await resolve(p), 'read', p).catch(() => undefined);
    if (!handle) return undefined;
    try {
      if (length === undefined) return await handle.readFile();
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }

  return {
    readText: async (p) => (await readRegular(p))?.toString('utf8'),
    readHead: (p, length) => readRegular(p, length),
    exists: async (p) => (await statOf(p)) !== undefined,
    isDir: async (p) => (await statOf(p))?.isDirectory() ?? false,
    list: async (p) => readdir(await resolve(p)).then((names) => names.sort(), () => []),
  };
}
