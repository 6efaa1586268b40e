/**
 * Walking guest directories without following symlinks (so a walk can never
 * leave the guest), for find, checksums and findModifiedSince. One readdir
 * per directory with its entry types (an lstat only where the filesystem
 * gives no type), several directories read at once, names never resolved
 * again from the root. Deep directories are opened and walked from
 * `/proc/<pid>/fd/<n>` (see cursor.ts), so any depth works. What cannot be
 * read is reported to `onError` and the walk goes on.
 */
import { isUtf8 } from 'node:buffer';
import { constants, type Dirent } from 'node:fs';
import { lstat, open, readdir, type FileHandle } from 'node:fs/promises';
import { fdPath } from '../cursor.js';
import { decodeName, type NameEncoding } from '../names.js';
import { fileType } from './stat.js';
import type { GuestFileType } from './types.js';

/** One entry met by {@link walkTree}. */
export interface WalkEntry {
  /** Path relative to the walk's start, `/`-separated: text (surrogate escapes) or bytes. */
  relative: string | Buffer;
  /** A host path of the entry, valid while the visit runs. */
  host: string | Buffer;
  /** Its kind, as the directory listed it (never a symlink's target). */
  type: GuestFileType;
}

/** Options of {@link walkTree}. */
export interface WalkOptions {
  /** Relative paths as text (default) or Buffers. */
  encoding?: NameEncoding;
  /** A directory that could not be read: its path relative to the start and the error. */
  onError(relative: string | Buffer, err: unknown): void;
}

/** Host path length past which a directory is opened and its entries reached through its fd. */
const ANCHOR_AT = 1024;
/** Directories read at once. */
const CONCURRENCY = 8;
const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;

type Name = string | Buffer;

function join(parent: Name, name: Name): Name {
  if (typeof parent === 'string' && typeof name === 'string') return `${parent}/${name}`;
  return Buffer.concat([Buffer.from(parent), Buffer.from('/'), Buffer.from(name)]);
}

function direntType(d: Dirent | Dirent<Buffer>): GuestFileType | undefined {
  if (d.isFile()) return 'file';
  if (d.isDirectory()) return 'directory';
  if (d.isSymbolicLink()) return 'symlink';
  if (d.isBlockDevice()) return 'block';
  if (d.isCharacterDevice()) return 'char';
  if (d.isFIFO()) return 'fifo';
  if (d.isSocket()) return 'socket';
  return undefined;
}

/** An opened deep directory, closed when the last directory reached through it is done. */
class Anchor {
  #refs = 1;
  constructor(readonly handle: FileHandle) {}
  hold(): this {
    this.#refs++;
    return this;
  }
  async drop(): Promise<void> {
    if (--this.#refs === 0) await this.handle.close();
  }
}

interface Pending {
  host: Name;
  relative: Name;
  anchor: Anchor | undefined;
}

/** A directory's entries, names in the walk's encoding (bytes where text would lose them). */
async function entries(host: Name, encoding: NameEncoding | undefined): Promise<{ name: Name; type: GuestFileType | undefined }[]> {
  if (encoding !== 'buffer') {
    const list = await readdir(host, { withFileTypes: true });
    if (!list.some((d) => d.name.includes('\uFFFD'))) return list.map((d) => ({ name: d.name, type: direntType(d) }));
  }
  const list = await readdir(host, { withFileTypes: true, encoding: 'buffer' });
  return list.map((d) => ({ name: encoding === 'buffer' || !isUtf8(d.name) ? d.name : d.name.toString('utf8'), type: direntType(d) }));
}

/**
 * Visits every entry below the host directory `start` (not `start` itself),
 * never following symlinks; `visit` may be async (awaited before the
 * directory's host paths go away).
 */
export async function walkTree(start: Buffer, options: WalkOptions, visit: (entry: WalkEntry) => void | Promise<void>): Promise<void> {
  const encoding = options.encoding;
  const stack: Pending[] = [{ host: isUtf8(start) ? start.toString('utf8') : start, relative: '', anchor: undefined }];
  let first = true;
  const readOne = async (dir: Pending): Promise<void> => {
    let { host, anchor } = dir;
    try {
      if (host.length > ANCHOR_AT) {
        anchor = new Anchor(await open(host, DIR_FLAGS));
        await dir.anchor?.drop();
        host = fdPath(anchor.handle.fd).toString();
      }
      const list = await entries(host, encoding);
      const visits: Promise<void>[] = [];
      for (const { name, type: listed } of list) {
        const entryHost = join(host, name);
        const relative = dir.relative === '' ? (encoding === 'buffer' ? Buffer.from(name) : typeof name === 'string' ? name : decodeName(name)) : join(dir.relative, encoding === 'buffer' || typeof name === 'string' ? name : decodeName(name));
        const type = listed ?? (await lstat(entryHost).then(fileType, () => undefined));
        if (!type) continue;
        const result = visit({ relative, host: entryHost, type });
        if (result) visits.push(result);
        if (type === 'directory') stack.push({ host: entryHost, relative, anchor: anchor?.hold() });
      }
      await Promise.all(visits);
    } catch (err) {
      if (first) throw err;
      options.onError(dir.relative, err);
    } finally {
      first = false;
      await anchor?.drop();
    }
  };
  await readOne(stack.pop()!);
  // A pool of CONCURRENCY reads: each finished read starts as many as the stack now allows.
  await new Promise<void>((resolve, reject) => {
    let active = 0;
    const pump = (): void => {
      while (active < CONCURRENCY && stack.length > 0) {
        active++;
        readOne(stack.pop()!).then(() => {
          active--;
          pump();
        }, reject);
      }
      if (active === 0 && stack.length === 0) resolve();
    };
    pump();
  });
}
