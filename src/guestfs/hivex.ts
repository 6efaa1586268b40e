/**
 * libguestfs' stateful hivex calls (`hivex_open`, `hivex_root`,
 * `hivex_node_children`, … `hivex_commit`) over vmcraft's registry code.
 *
 * As in libguestfs, one hive is open per session, and keys and values are
 * integer handles. `hivexOpen` copies the hive into the session's work
 * directory: that copy plays the part of hivex's in-memory hive. Edits are
 * queued and merged into the copy in one hivexregedit run when something
 * next reads it; `hivexCommit` replaces the guest's hive with the copy
 * through the same backup + atomic rename as {@link GuestFS.registryWrite}.
 * Nothing reaches the guest before `hivexCommit`, and `hivexClose` (or
 * opening another hive, or closing the session) drops uncommitted edits.
 */
import { copyFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { CleanupEntry } from '../core/cleanup.js';
import { VmcraftError } from '../core/errors.js';
import { resolveGuestPath } from '../fs/paths.js';
import { childPath, HiveHandles, parentPath } from '../registry/handles.js';
import { checkHive } from '../registry/hive-check.js';
import { mergeEdits, readKey, replaceHive, type RegKey } from '../registry/hive.js';
import { decodeValue, type RegEdit, type RegValue } from '../registry/reg-format.js';
import { GuestFSRegistry } from './registry.js';

/** Options of {@link GuestFS.hivexOpen}, as libguestfs' `hivex_open` optargs. */
export interface HivexOpenOptions {
  /** Allow changes and {@link GuestFS.hivexCommit} (refused in a read-only session). @default false */
  write?: boolean;
}

/** What {@link GuestFS.hivexCommit} wrote. */
export interface HivexCommit {
  /** Guest path of the hive file written. */
  path: string;
  /** Guest path of the backup of that file as it was before, when it existed. */
  backup?: string;
}

interface OpenHive {
  /** Guest path as spelled on disk. */
  guest: string;
  /** The session's copy, which takes the edits. */
  work: string;
  write: boolean;
  rootName: string;
  handles: HiveHandles;
  /** Edits not yet merged into the copy. */
  pending: RegEdit[];
  /** Keys read from the copy since the last merge, by lower-case path. */
  keys: Map<string, RegKey>;
  entry: CleanupEntry;
}

const STRING_TYPES = new Set([1, 2, 6]);

/** libguestfs' hivex_* calls: one open hive, integer node and value handles. */
export class GuestFSHivex extends GuestFSRegistry {
  #hive: OpenHive | undefined;
  #opened = 0;

  /**
   * Opens a hive file of the mounted guest (the path is matched
   * case-insensitively), closing the one open before. `write: true` allows
   * edits and {@link GuestFS.hivexCommit}; a read-only session refuses it
   * (EREADONLY). A file that is not a hive is EREGISTRY.
   */
  async hivexOpen(filename: string, options: HivexOpenOptions = {}): Promise<void> {
    if (this.#hive) await this.hivexClose();
    const guest = await this.caseSensitivePath(filename);
    if (!(await this.isFile(guest))) throw new VmcraftError('ENOENT', `no hive file ${filename}`, { path: filename });
    const write = options.write ?? false;
    if (write) this.files.assertWritable(guest);
    const work = path.join(this.workDir, `hivex-${++this.#opened}.hive`);
    const entry = this.cleanup.push(`hivex copy of ${guest}`, () => rm(work, { force: true }));
    try {
      await copyFile(await resolveGuestPath(this.rootDir(), guest), work);
      const { rootName } = await checkHive(work, guest);
      const hive: OpenHive = { guest, work, write, rootName, handles: new HiveHandles(), pending: [], keys: new Map(), entry };
      await readKey(work, '\\', this.runner, guest);
      this.#hive = hive;
    } catch (err) {
      await this.cleanup.releaseOne(entry);
      throw err;
    }
  }

  /** Closes the open hive; edits not committed are dropped. */
  async hivexClose(): Promise<void> {
    const hive = this.#open();
    this.#hive = undefined;
    await this.cleanup.releaseOne(hive.entry);
  }

  /** The root key's node handle. */
  async hivexRoot(): Promise<number> {
    return this.#open().handles.node('\\');
  }

  /** A key's name (the root key's name as stored in the hive, e.g. `ROOT` or `CMI-CreateHive{…}`). */
  async hivexNodeName(node: number): Promise<string> {
    const hive = this.#open();
    const path = hive.handles.path(node);
    return path === '\\' ? hive.rootName : path.slice(path.lastIndexOf('\\') + 1);
  }

  /** The parent key's node handle; EINVAL for the root key. */
  async hivexNodeParent(node: number): Promise<number> {
    const hive = this.#open();
    const path = hive.handles.path(node);
    if (path === '\\') throw new VmcraftError('EINVAL', 'the root key has no parent');
    return hive.handles.node(parentPath(path));
  }

  /** Node handles of a key's subkeys, in the hive's order (libguestfs wraps each in a `hivex_node_h` struct). */
  async hivexNodeChildren(node: number): Promise<number[]> {
    const hive = this.#open();
    const key = await this.#key(node);
    return key.subkeys.map((name) => hive.handles.node(childPath(key.path, name)));
  }

  /** The node handle of a subkey by name (case-insensitive), 0 when there is none. */
  async hivexNodeGetChild(node: number, name: string): Promise<number> {
    const hive = this.#open();
    const key = await this.#key(node);
    const found = key.subkeys.find((s) => s.toLowerCase() === name.toLowerCase());
    return found === undefined ? 0 : hive.handles.node(childPath(key.path, found));
  }

  /** Value handles of a key's values (libguestfs wraps each in a `hivex_value_h` struct). */
  async hivexNodeValues(node: number): Promise<number[]> {
    const hive = this.#open();
    return (await this.#key(node)).values.map((v) => hive.handles.value(node, v.name));
  }

  /** The value handle of a value by name (case-insensitive; '' is the default value), 0 when there is none. */
  async hivexNodeGetValue(node: number, key: string): Promise<number> {
    const hive = this.#open();
    const found = (await this.#key(node)).values.find((v) => v.name.toLowerCase() === key.toLowerCase());
    return found ? hive.handles.value(node, found.name) : 0;
  }

  /** A value's name ('' for the default value). */
  async hivexValueKey(value: number): Promise<string> {
    return (await this.#value(value)).name;
  }

  /** A value's type number (1 REG_SZ, 3 REG_BINARY, 4 REG_DWORD, 7 REG_MULTI_SZ, 11 REG_QWORD…). */
  async hivexValueType(value: number): Promise<number> {
    return (await this.#value(value)).typeId;
  }

  /** A value's data as stored, whatever its type. */
  async hivexValueValue(value: number): Promise<Buffer> {
    return Buffer.from((await this.#value(value)).raw);
  }

  /** A REG_SZ, REG_EXPAND_SZ or REG_LINK value as a string; EINVAL for other types. */
  async hivexValueString(value: number): Promise<string> {
    const v = await this.#value(value);
    if (!STRING_TYPES.has(v.typeId)) throw new VmcraftError('EINVAL', `value ${v.name === '' ? '(default)' : v.name} is ${v.type}, not a string type`);
    return decodeValue(v.typeId, v.raw) as string;
  }

  /** Same as {@link GuestFS.hivexValueString} (libguestfs' deprecated name for it). */
  async hivexValueUtf8(value: number): Promise<string> {
    return this.hivexValueString(value);
  }

  /** Adds a subkey and returns its node handle; EEXIST when the key has one of that name. */
  async hivexNodeAddChild(parent: number, name: string): Promise<number> {
    const hive = this.#writable();
    if (name === '' || name.includes('\\') || name.length > 255) throw new VmcraftError('EINVAL', `invalid key name ${JSON.stringify(name)}: 1 to 255 characters, no backslash`);
    const key = await this.#key(parent);
    if (key.subkeys.some((s) => s.toLowerCase() === name.toLowerCase())) throw new VmcraftError('EEXIST', `${key.path} already has a subkey ${name}`, { path: childPath(key.path, name) });
    const path = childPath(key.path, name);
    this.#queue(hive, { op: 'createKey', key: path });
    return hive.handles.node(path);
  }

  /** Deletes a key and everything below it; its handles (and those below it) stop working. */
  async hivexNodeDeleteChild(node: number): Promise<void> {
    const hive = this.#writable();
    const path = hive.handles.path(node);
    if (path === '\\') throw new VmcraftError('EINVAL', 'the root key cannot be deleted');
    await this.#key(node);
    this.#queue(hive, { op: 'deleteKey', key: path });
    hive.handles.forget(path);
  }

  /** Sets (adds or replaces) a value of a key: its name ('' for the default value), type number and bytes. */
  async hivexNodeSetValue(node: number, key: string, type: number, value: Uint8Array): Promise<void> {
    const hive = this.#writable();
    if (!Number.isInteger(type) || type < 0 || type > 0xffffffff) throw new VmcraftError('EINVAL', `invalid value type ${type}: an integer from 0 to 0xffffffff`);
    if (!(value instanceof Uint8Array)) throw new VmcraftError('EINVAL', 'the value must be bytes (a Buffer or Uint8Array)');
    const k = await this.#key(node);
    this.#queue(hive, { op: 'setValue', key: k.path, name: k.values.find((v) => v.name.toLowerCase() === key.toLowerCase())?.name ?? key, typeId: type, data: Buffer.from(value) });
  }

  /**
   * Writes the open hive with its edits to the guest: to the file it was
   * opened from, or to `filename` (libguestfs' optional argument). The file
   * is backed up beside itself first and replaced in one rename. EREADONLY
   * unless the hive was opened with `write: true` in a writable session.
   */
  async hivexCommit(filename: string | null = null): Promise<HivexCommit> {
    const hive = this.#writable();
    const target = filename === null ? hive.guest : await this.caseSensitivePath(filename);
    this.files.assertWritable(target);
    if (!(await this.isDir(path.posix.dirname(target)))) throw new VmcraftError('ENOENT', `no directory ${path.posix.dirname(target)} for ${target}`, { path: target });
    if (await this.isDir(target)) throw new VmcraftError('EISDIR', `${target} is a directory`, { path: target });
    await this.#merge(hive);
    const host = await resolveGuestPath(this.rootDir(), target);
    const backup = await replaceHive(host, (work) => copyFile(hive.work, work));
    return { path: target, ...(backup ? { backup: `${target}${backup.slice(host.length)}` } : {}) };
  }

  #open(): OpenHive {
    this.assertLaunched();
    if (!this.#hive) throw new VmcraftError('EINVAL', 'no hive is open: call hivexOpen (hivex_open) first');
    return this.#hive;
  }

  #writable(): OpenHive {
    const hive = this.#open();
    if (!hive.write) throw new VmcraftError('EREADONLY', `${hive.guest} was opened read-only: open it with { write: true } to change it`, { path: hive.guest });
    return hive;
  }

  #queue(hive: OpenHive, edit: RegEdit): void {
    hive.pending.push(edit);
    hive.keys.clear();
  }

  /** Merges the queued edits into the session's copy, in one hivexregedit run. */
  async #merge(hive: OpenHive): Promise<void> {
    if (hive.pending.length === 0) return;
    const edits = hive.pending;
    hive.pending = [];
    await mergeEdits(hive.work, edits, this.runner, hive.guest);
  }

  /** A key of the open hive by node handle, as it is with the queued edits. */
  async #key(node: number): Promise<RegKey> {
    const hive = this.#open();
    const path = hive.handles.path(node);
    await this.#merge(hive);
    const cached = hive.keys.get(path.toLowerCase());
    if (cached) return cached;
    const key = await readKey(hive.work, path, this.runner, hive.guest);
    hive.keys.set(path.toLowerCase(), key);
    return key;
  }

  async #value(value: number): Promise<RegValue> {
    const ref = this.#open().handles.valueRef(value);
    const key = await this.#key(ref.node);
    const found = key.values.find((v) => v.name.toLowerCase() === ref.name.toLowerCase());
    if (!found) throw new VmcraftError('ENOENT', `${key.path} no longer has the value ${ref.name === '' ? '(default)' : ref.name}`, { path: `${key.path}\\${ref.name}` });
    return found;
  }
}
