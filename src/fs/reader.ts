/** The production GuestReader: read access to a guest tree through confined path resolution. */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import type { GuestReader } from '../inspect/types.js';
import { resolveGuestPath } from './paths.js';

/** A GuestReader over the guest tree mounted at `rootDir`. */
export function dirGuestReader(rootDir: string): GuestReader {
  const resolve = (p: string) => resolveGuestPath(rootDir, p);
  const statOf = async (p: string) => stat(await resolve(p)).catch(() => undefined);
  return {
    async readText(p) {
      const info = await statOf(p);
      return info?.isFile() ? readFile(await resolve(p), 'utf8') : undefined;
    },
    async readHead(p, length) {
      const info = await statOf(p);
      if (!info?.isFile()) return undefined;
      const handle = await open(await resolve(p), 'r');
      try {
        const buf = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buf, 0, length, 0);
        return buf.subarray(0, bytesRead);
      } finally {
        await handle.close();
      }
    },
    exists: async (p) => (await statOf(p)) !== undefined,
    isDir: async (p) => (await statOf(p))?.isDirectory() ?? false,
    list: async (p) => ((await statOf(p))?.isDirectory() ? (await readdir(await resolve(p))).sort() : []),
  };
}
