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
import type { CleanupEntry } from '../../core/cleanup.js';
import { VmcraftError } from '../../core/errors.js';
import { resolveGuestPath } from '../../fs/paths.js';
import { childPath, HiveHandles, parentPath } from '../../registry/handles.js';
import type { RegKey } from '../../registry/hive.js';
import { decodeValue, findValue, type RegEdit, type RegValue } from '../../registry/reg-format.js';
import { a } from '../args.js';
import { defineCall, type Guest } from '../entry.js';
import type { HivexCommit, HivexOpenOptions } from '../types.js';
import { perSession } from '../session-state.js';
import { hives } from './registry.js';
import { lazy } from '../../core/lazy.js';

/** The hive bounds check, loaded with the first hive opened. */
const hiveCheck = lazy(() => import('../../registry/hive-check.js'));

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

/** A session's hivex state: the open hive, and how many it has opened (for the copies' names). */
interface HivexState {
  hive?: OpenHive;
  opened: number;
}

const v = '0.1.0';
const STRING_TYPES = new Set([1, 2, 6]);

/** The hivex state of each session. */
const state = perSession<HivexState>(() => ({ opened: 0 }));

function openHive(g: Guest): OpenHive {
  g.assertLaunched();
  const hive = state(g).hive;
  if (!hive) throw new VmcraftError('EINVAL', 'no hive is open: call hivexOpen (hivex_open) first');
  return hive;
}

function writable(g: Guest): OpenHive {
  const hive = openHive(g);
  if (!hive.write) throw new VmcraftError('EREADONLY', `${hive.guest} was opened read-only: open it with { write: true } to change it`, { path: hive.guest });
  return hive;
}

function queue(hive: OpenHive, edit: RegEdit): void {
  hive.pending.push(edit);
  hive.keys.clear();
}

/** Merges the queued edits into the session's copy, in one hivexregedit run. */
async function merge(g: Guest, hive: OpenHive): Promise<void> {
  if (hive.pending.length === 0) return;
  const edits = hive.pending;
  hive.pending = [];
  await (await hives()).mergeEdits(hive.work, edits, g.runner, hive.guest);
}

/** A key of the open hive by node handle, as it is with the queued edits. */
async function keyOf(g: Guest, node: number): Promise<RegKey> {
  const hive = openHive(g);
  const path = hive.handles.path(node);
  await merge(g, hive);
  const cached = hive.keys.get(path.toLowerCase());
  if (cached) return cached;
  const key = await (await hives()).readKey(hive.work, path, g.runner, hive.guest);
  hive.keys.set(path.toLowerCase(), key);
  return key;
}

async function valueOf(g: Guest, value: number): Promise<RegValue> {
  const ref = openHive(g).handles.valueRef(value);
  const key = await keyOf(g, ref.node);
  const found = findValue(key.values, ref.name);
  if (!found) throw new VmcraftError('ENOENT', `${key.path} no longer has the value ${ref.name === '' ? '(default)' : ref.name}`, { path: `${key.path}\\${ref.name}` });
  return found;
}

async function hivexOpen(g: Guest, filename: string, options: HivexOpenOptions = {}): Promise<void> {
  if (state(g).hive) await hivexClose(g);
  const guest = await g.caseSensitivePath(filename);
  if (!(await g.isFile(guest, { followSymlinks: true }))) throw new VmcraftError('ENOENT', `no hive file ${filename}`, { path: filename });
  const write = options.write ?? false;
  if (write) g.fileContext().assertWritable(guest);
  const s = state(g);
  const work = path.join(g.workDir, `hivex-${++s.opened}.hive`);
  const entry = g.cleanup.push(`hivex copy of ${guest}`, () => rm(work, { force: true }));
  try {
    await copyFile(await resolveGuestPath(g.mountTable.rootDir(), guest), work);
    const { rootName } = await (await hiveCheck()).checkHive(work, guest);
    const hive: OpenHive = { guest, work, write, rootName, handles: new HiveHandles(), pending: [], keys: new Map(), entry };
    await (await hives()).readKey(work, '\\', g.runner, guest);
    s.hive = hive;
  } catch (err) {
    await g.cleanup.releaseOne(entry);
    throw err;
  }
}

async function hivexClose(g: Guest): Promise<void> {
  const hive = openHive(g);
  state(g).hive = undefined;
  await g.cleanup.releaseOne(hive.entry);
}

async function hivexCommit(g: Guest, filename: string | null | undefined): Promise<HivexCommit> {
  const hive = writable(g);
  const target = filename == null ? hive.guest : await g.caseSensitivePath(filename);
  g.fileContext().assertWritable(target);
  const dir = path.posix.dirname(target);
  if (!(await g.isDir(dir, { followSymlinks: true }))) throw new VmcraftError('ENOENT', `no directory ${dir} for ${target}`, { path: target });
  if (await g.isDir(target, { followSymlinks: true })) throw new VmcraftError('EISDIR', `${target} is a directory`, { path: target });
  await merge(g, hive);
  const host = await resolveGuestPath(g.mountTable.rootDir(), target);
  const backup = await (await hives()).replaceHive(host, (work) => copyFile(hive.work, work));
  return { path: target, ...(backup ? { backup: `${target}${backup.slice(host.length)}` } : {}) };
}

const node = a.int64('node', { doc: 'a node handle' });
const value = a.int64('value', { doc: 'a value handle' });

/** The calls of this module, in table order. */
export const HIVEX_CALLS = [
  defineCall({
    name: 'hivexOpen', libguestfs: 'hivex_open', group: 'hivex', since: v,
    summary: 'open a registry hive file of the guest, for reading or with write for changes',
    doc: [
      'Opens a hive file of the mounted guest (the path is matched case-insensitively), closing the one open',
      'before. `write: true` allows edits and {@link GuestFS.hivexCommit}; a read-only session refuses it',
      '(`EREADONLY`). A file that is not a hive is `EREGISTRY`.',
      '',
      "As libguestfs, one hive is open per session, and keys and values are integer handles. The hive is copied into the session's",
      'work directory: edits go to that copy, and reach the guest only with {@link GuestFS.hivexCommit};',
      '{@link GuestFS.hivexClose} (or opening another hive, or closing the session) drops uncommitted edits.',
    ].join('\n'),
    args: [
      a.guestPath('filename', { ts: 'string', doc: 'guest path of the hive file, matched case-insensitively' }),
      a.options('options', [a.bool('write', { doc: 'allow changes and hivexCommit', defaultText: 'false' })], { ts: 'HivexOpenOptions' }),
    ],
    returns: 'void', ts: 'Promise<void>',
    impl: (g, filename, options) => hivexOpen(g, filename, options),
  }),
  defineCall({
    name: 'hivexClose', libguestfs: 'hivex_close', group: 'hivex', since: v,
    summary: 'close the open hive, dropping uncommitted changes',
    args: [], returns: 'void', ts: 'Promise<void>',
    impl: (g) => hivexClose(g),
  }),
  defineCall({
    name: 'hivexRoot', libguestfs: 'hivex_root', group: 'hivex', since: v,
    summary: 'get the root node of the open hive',
    doc: "The root key's node handle.",
    args: [], returns: 'int64', ts: 'Promise<number>',
    impl: async (g) => openHive(g).handles.node('\\'),
  }),
  defineCall({
    name: 'hivexNodeName', libguestfs: 'hivex_node_name', group: 'hivex', since: v,
    summary: 'get the name of a node',
    doc: "A key's name (the root key's name as stored in the hive, e.g. `ROOT` or `CMI-CreateHive{…}`).",
    args: [node], returns: 'string', ts: 'Promise<string>',
    impl: async (g, n) => {
      const hive = openHive(g);
      const p = hive.handles.path(n);
      return p === '\\' ? hive.rootName : p.slice(p.lastIndexOf('\\') + 1);
    },
  }),
  defineCall({
    name: 'hivexNodeParent', libguestfs: 'hivex_node_parent', group: 'hivex', since: v,
    summary: 'get the parent of a node',
    doc: "The parent key's node handle; `EINVAL` for the root key.",
    args: [node], returns: 'int64', ts: 'Promise<number>',
    impl: async (g, n) => {
      const hive = openHive(g);
      const p = hive.handles.path(n);
      if (p === '\\') throw new VmcraftError('EINVAL', 'the root key has no parent');
      return hive.handles.node(parentPath(p));
    },
  }),
  defineCall({
    name: 'hivexNodeChildren', libguestfs: 'hivex_node_children', group: 'hivex', since: v,
    summary: 'list the child nodes of a node',
    doc: "Node handles of a key's subkeys, in the hive's order (libguestfs wraps each in a `hivex_node_h` struct).",
    args: [node], returns: 'structList', ts: 'Promise<number[]>',
    impl: async (g, n) => {
      const hive = openHive(g);
      const key = await keyOf(g, n);
      return key.subkeys.map((name) => hive.handles.node(childPath(key.path, name)));
    },
  }),
  defineCall({
    name: 'hivexNodeGetChild', libguestfs: 'hivex_node_get_child', group: 'hivex', since: v,
    summary: 'get a child node by name',
    doc: 'The node handle of a subkey by name (case-insensitive), 0 when there is none.',
    args: [node, a.string('name')], returns: 'int64', ts: 'Promise<number>',
    impl: async (g, n, name) => {
      const hive = openHive(g);
      const key = await keyOf(g, n);
      const found = key.subkeys.find((s) => s.toLowerCase() === name.toLowerCase());
      return found === undefined ? 0 : hive.handles.node(childPath(key.path, found));
    },
  }),
  defineCall({
    name: 'hivexNodeValues', libguestfs: 'hivex_node_values', group: 'hivex', since: v,
    summary: 'list the values of a node',
    doc: "Value handles of a key's values (libguestfs wraps each in a `hivex_value_h` struct).",
    args: [node], returns: 'structList', ts: 'Promise<number[]>',
    impl: async (g, n) => {
      const hive = openHive(g);
      return (await keyOf(g, n)).values.map((val) => hive.handles.value(n, val.name));
    },
  }),
  defineCall({
    name: 'hivexNodeGetValue', libguestfs: 'hivex_node_get_value', group: 'hivex', since: v,
    summary: 'get a value of a node by name',
    doc: "The value handle of a value by name (case-insensitive; '' is the default value), 0 when there is none.",
    args: [node, a.string('key', { doc: "the value's name" })], returns: 'int64', ts: 'Promise<number>',
    impl: async (g, n, key) => {
      const hive = openHive(g);
      const found = findValue((await keyOf(g, n)).values, key);
      return found ? hive.handles.value(n, found.name) : 0;
    },
  }),
  defineCall({
    name: 'hivexValueKey', libguestfs: 'hivex_value_key', group: 'hivex', since: v,
    summary: 'get the name of a value',
    doc: "A value's name ('' for the default value).",
    args: [value], returns: 'string', ts: 'Promise<string>',
    impl: async (g, val) => (await valueOf(g, val)).name,
  }),
  defineCall({
    name: 'hivexValueType', libguestfs: 'hivex_value_type', group: 'hivex', since: v,
    summary: 'get the type number of a value',
    doc: "A value's type number (1 REG_SZ, 3 REG_BINARY, 4 REG_DWORD, 7 REG_MULTI_SZ, 11 REG_QWORD…).",
    args: [value], returns: 'int64', ts: 'Promise<number>',
    impl: async (g, val) => (await valueOf(g, val)).typeId,
  }),
  defineCall({
    name: 'hivexValueValue', libguestfs: 'hivex_value_value', group: 'hivex', since: v,
    summary: 'get the bytes of a value',
    doc: "A value's data as stored, whatever its type.",
    args: [value], returns: 'buffer', ts: 'Promise<Buffer>',
    impl: async (g, val) => Buffer.from((await valueOf(g, val)).raw),
  }),
  defineCall({
    name: 'hivexValueString', libguestfs: 'hivex_value_string', group: 'hivex', since: v,
    summary: 'get a string value as text',
    doc: 'A REG_SZ, REG_EXPAND_SZ or REG_LINK value as a string; `EINVAL` for other types.',
    args: [value], returns: 'string', ts: 'Promise<string>',
    impl: async (g, val) => {
      const found = await valueOf(g, val);
      if (!STRING_TYPES.has(found.typeId)) throw new VmcraftError('EINVAL', `value ${found.name === '' ? '(default)' : found.name} is ${found.type}, not a string type`);
      return decodeValue(found.typeId, found.raw) as string;
    },
  }),
  defineCall({
    name: 'hivexValueUtf8', libguestfs: 'hivex_value_utf8', group: 'hivex', since: v,
    summary: 'get a string value as text (deprecated name of hivex_value_string)',
    doc: "Same as {@link GuestFS.hivexValueString} (libguestfs' deprecated name for it).",
    args: [value], returns: 'string', ts: 'Promise<string>',
    impl: (g, val) => g.hivexValueString(val),
  }),
  defineCall({
    name: 'hivexNodeAddChild', libguestfs: 'hivex_node_add_child', group: 'hivex', since: v,
    summary: 'add a child node',
    doc: 'Adds a subkey and returns its node handle; `EEXIST` when the key has one of that name. The hive must be open with `write: true` (else `EREADONLY`); the change reaches the guest with {@link GuestFS.hivexCommit}.',
    args: [a.int64('parent', { doc: 'a node handle' }), a.string('name', { doc: 'the new key\'s name: 1 to 255 characters, no backslash' })],
    returns: 'int64', ts: 'Promise<number>',
    impl: async (g, parent, name) => {
      const hive = writable(g);
      if (name === '' || name.includes('\\') || name.length > 255) throw new VmcraftError('EINVAL', `invalid key name ${JSON.stringify(name)}: 1 to 255 characters, no backslash`);
      const key = await keyOf(g, parent);
      if (key.subkeys.some((s) => s.toLowerCase() === name.toLowerCase())) throw new VmcraftError('EEXIST', `${key.path} already has a subkey ${name}`, { path: childPath(key.path, name) });
      const p = childPath(key.path, name);
      queue(hive, { op: 'createKey', key: p });
      return hive.handles.node(p);
    },
  }),
  defineCall({
    name: 'hivexNodeDeleteChild', libguestfs: 'hivex_node_delete_child', group: 'hivex', since: v,
    summary: 'delete a node and everything below it',
    doc: 'Deletes a key and everything below it; its handles (and those below it) stop working. The hive must be open with `write: true` (else `EREADONLY`).',
    args: [node], returns: 'void', ts: 'Promise<void>',
    impl: async (g, n) => {
      const hive = writable(g);
      const p = hive.handles.path(n);
      if (p === '\\') throw new VmcraftError('EINVAL', 'the root key cannot be deleted');
      await keyOf(g, n);
      queue(hive, { op: 'deleteKey', key: p });
      hive.handles.forget(p);
    },
  }),
  defineCall({
    name: 'hivexNodeSetValue', libguestfs: 'hivex_node_set_value', group: 'hivex', since: v,
    summary: 'set or add a value of a node',
    doc: "Sets (adds or replaces) a value of a key: its name ('' for the default value), type number and bytes. The hive must be open with `write: true` (else `EREADONLY`).",
    args: [
      node,
      a.string('key', { doc: "the value's name; '' for the default value" }),
      a.int64('t', { doc: 'the type number, 0 to 0xffffffff (1 REG_SZ, 3 REG_BINARY, 4 REG_DWORD…)' }),
      a.buffer('val', { doc: 'the data as stored: bytes (text is taken as its UTF-8 bytes)' }),
    ],
    returns: 'void', ts: 'Promise<void>',
    impl: async (g, n, key, t, val) => {
      const hive = writable(g);
      if (t < 0 || t > 0xffffffff) throw new VmcraftError('EINVAL', `invalid value type ${t}: an integer from 0 to 0xffffffff`);
      const k = await keyOf(g, n);
      queue(hive, { op: 'setValue', key: k.path, name: findValue(k.values, key)?.name ?? key, typeId: t, data: typeof val === 'string' ? Buffer.from(val) : Buffer.from(val) });
    },
  }),
  defineCall({
    name: 'hivexCommit', libguestfs: 'hivex_commit', group: 'hivex', since: v, writes: true,
    summary: 'write the open hive with its changes to the guest, with a backup',
    doc: [
      'Writes the open hive with its edits to the guest: to the file it was opened from, or to `filename`',
      "(libguestfs' optional argument, `null` or left out for the file opened). The file is backed up beside",
      'itself first and replaced in one rename. `EREADONLY` unless the hive was opened with `write: true` in a',
      'writable session. The hive stays open.',
      '@returns the file written and its backup (libguestfs returns nothing)',
    ].join('\n'),
    args: [a.guestPath('filename', { optional: true, nullable: true, ts: 'string | null', defaultText: 'the file the hive was opened from', doc: 'another hive file to write, matched case-insensitively' })],
    returns: 'struct', ts: 'Promise<HivexCommit>',
    impl: (g, filename) => hivexCommit(g, filename),
  }),
];
