/**
 * Short host paths for deep guest paths. The kernel refuses paths over
 * PATH_MAX and walks every component of each path it is given, so a lookup
 * at depth N through the full host path costs N, and a walk down N levels N².
 * A DirCursor follows a path one directory at a time and, every
 * {@link ANCHOR_EVERY} levels, opens the directory it reached: later host
 * paths start at `/proc/<pid>/fd/<n>` (the openat of Node), so they stay short
 * and each lookup costs a bounded number of components. The `<pid>` form
 * works for child processes too (cp, du), which share the session's rights.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** Levels between two opened directories. */
export const ANCHOR_EVERY = 32;

const DIR_FLAGS = constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW;
const SLASH = Buffer.from('/');

/** `parts` joined with `/` as one Buffer. */
export function joinBytes(parts: readonly Uint8Array[]): Buffer {
  const out: Uint8Array[] = [];
  for (const [i, part] of parts.entries()) {
    if (i > 0) out.push(SLASH);
    out.push(part);
  }
  return Buffer.concat(out);
}

/** An opened directory, `depth` components below the root. */
interface Anchor {
  handle: FileHandle;
  base: Buffer;
  depth: number;
}

/** The host path of `/proc/<pid>/fd/<fd>`: an opened directory, as a path any process of ours can start from. */
export function fdPath(fd: number): Buffer {
  return Buffer.from(`/proc/${process.pid}/fd/${fd}`);
}

/**
 * A position in a directory tree below `root`, moved one component at a time.
 * Only names that were checked not to be symlinks (or are last) may be pushed:
 * the kernel resolves the pushed names itself. Call {@link release} when done.
 */
export class DirCursor {
  readonly #root: Buffer;
  readonly #anchors: Anchor[] = [];
  /** The components below the root, as pushed. */
  readonly components: Buffer[] = [];

  constructor(root: string | Buffer) {
    this.#root = Buffer.from(root);
  }

  /** Goes down into `name`. */
  push(name: Buffer): void {
    this.components.push(name);
  }

  /** Goes up one level (no-op at the root: `..` of the root is the root). */
  async pop(): Promise<void> {
    this.components.pop();
    while (this.#anchors.length > 0 && this.#anchors.at(-1)!.depth > this.components.length) await this.#anchors.pop()!.handle.close();
  }

  /** Goes back to the root. */
  async reset(): Promise<void> {
    this.components.length = 0;
    await this.release();
  }

  /** A host path of the current directory, or of `name` in it, valid until the cursor moves above an anchor or is released. */
  async path(name?: Buffer): Promise<Buffer> {
    let top = this.#anchors.at(-1);
    if (this.components.length - (top?.depth ?? 0) >= ANCHOR_EVERY) {
      const handle = await open(this.#join(top), DIR_FLAGS).catch(() => undefined);
      if (handle) this.#anchors.push((top = { handle, base: fdPath(handle.fd), depth: this.components.length }));
    }
    return this.#join(top, name);
  }

  #join(top: Anchor | undefined, name?: Buffer): Buffer {
    const rel = this.components.slice(top?.depth ?? 0);
    if (name) rel.push(name);
    return joinBytes([top?.base ?? this.#root, ...rel]);
  }

  /** Closes the directories it opened. */
  async release(): Promise<void> {
    while (this.#anchors.length > 0) await this.#anchors.pop()!.handle.close();
  }
}
