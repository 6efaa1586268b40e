/**
 * Integer handles for the keys and values of one open hive, as libguestfs'
 * stateful `hivex_*` calls hand them out. A node handle stands for a key
 * path, a value handle for a value name of a node; the same key always gets
 * the same handle (key names match case-insensitively, as in Windows), and
 * handles of a deleted key (and of everything below it) stop working.
 * 0 is never a handle: libguestfs returns it for "not found".
 */
import { VmcraftError } from '../core/errors.js';

/** A value handle's referent. */
export interface ValueRef {
  /** Node handle of the key holding the value. */
  node: number;
  /** The value's name as spelled in the hive ('' for the default value). */
  name: string;
}

/** The handle table of one open hive. */
export class HiveHandles {
  #next = 1;
  readonly #nodes = new Map<number, string>();
  readonly #byPath = new Map<string, number>();
  readonly #values = new Map<number, ValueRef>();
  readonly #byValue = new Map<string, number>();

  /** The handle of a key path (`\` for the root, `\A\B` below it), made on first use. */
  node(path: string): number {
    const known = this.#byPath.get(path.toLowerCase());
    if (known !== undefined) return known;
    const handle = this.#next++;
    this.#nodes.set(handle, path);
    this.#byPath.set(path.toLowerCase(), handle);
    return handle;
  }

  /**
   * The key path of a node handle.
   *
   * @throws VmcraftError `EINVAL` for a number that is not a live node handle.
   */
  path(handle: number): string {
    const path = this.#nodes.get(handle);
    if (path === undefined) throw new VmcraftError('EINVAL', `${handle} is not a node handle of the open hive${this.#values.has(handle) ? ' (it is a value handle)' : ''}`);
    return path;
  }

  /** The handle of a value of a node, made on first use. */
  value(node: number, name: string): number {
    const key = `${node}\\${name.toLowerCase()}`;
    const known = this.#byValue.get(key);
    if (known !== undefined) return known;
    const handle = this.#next++;
    this.#values.set(handle, { node, name });
    this.#byValue.set(key, handle);
    return handle;
  }

  /**
   * What a value handle refers to.
   *
   * @throws VmcraftError `EINVAL` for a number that is not a live value handle.
   */
  valueRef(handle: number): ValueRef {
    const ref = this.#values.get(handle);
    if (!ref) throw new VmcraftError('EINVAL', `${handle} is not a value handle of the open hive${this.#nodes.has(handle) ? ' (it is a node handle)' : ''}`);
    return ref;
  }

  /** Forgets a key and everything below it: their node and value handles stop working. */
  forget(path: string): void {
    const lower = path.toLowerCase();
    for (const [handle, p] of this.#nodes) {
      const l = p.toLowerCase();
      if (l !== lower && !l.startsWith(`${lower}\\`)) continue;
      this.#nodes.delete(handle);
      this.#byPath.delete(l);
      for (const [v, ref] of this.#values) {
        if (ref.node !== handle) continue;
        this.#values.delete(v);
        this.#byValue.delete(`${handle}\\${ref.name.toLowerCase()}`);
      }
    }
  }
}

/** The key path of a child: `\` + `A` → `\A`, `\A` + `B` → `\A\B`. */
export function childPath(parent: string, name: string): string {
  return parent === '\\' ? `\\${name}` : `${parent}\\${name}`;
}

/** The key path of a key's parent (`\A\B` → `\A`, `\A` → `\`). */
export function parentPath(path: string): string {
  const cut = path.lastIndexOf('\\');
  return cut <= 0 ? '\\' : path.slice(0, cut);
}
