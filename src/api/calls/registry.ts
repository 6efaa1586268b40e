/**
 * The Windows registry calls: hives are named by guest path (matched
 * case-insensitively, as Windows does), keys by backslash paths; a key path
 * starting with `\CurrentControlSet` means the control set that SYSTEM's
 * Select\Current names.
 */
import { VmcraftError } from '../../core/errors.js';
import { resolveGuestPath } from '../../fs/paths.js';
import { lazy } from '../../core/lazy.js';
import { findValue, type RegEdit } from '../../registry/reg-format.js';
import { a } from '../args.js';
import { defineCall, type Guest } from '../entry.js';
import type { RegistryCommit } from '../types.js';

const v = '0.1.0';

/** The hive reader and writer, loaded when a hive is first read (most guests are not Windows). */
export const hives = lazy(() => import('../../registry/hive.js'));

/** The host path of a hive file of the guest; ENOENT when there is no such file (a symlink to one counts). */
async function hiveHost(g: Guest, hive: string): Promise<string> {
  const guest = await g.caseSensitivePath(hive);
  if (!(await g.isFile(guest, { followSymlinks: true }))) throw new VmcraftError('ENOENT', `no hive file ${hive}`, { path: hive });
  return resolveGuestPath(g.mountTable.rootDir(), guest);
}

/** A key path, with a leading `\CurrentControlSet` replaced by the control set SYSTEM's Select\Current names. */
async function resolveKey(g: Guest, hostHive: string, hive: string, key: string): Promise<string> {
  const path = (await hives()).keyPath(key);
  const match = /^\\CurrentControlSet(\\|$)/i.exec(path);
  if (!match) return path;
  const select = await (await hives()).readKey(hostHive, '\\Select', g.runner, hive);
  const current = select.values.find((v) => v.name === 'Current')?.data;
  if (typeof current !== 'number') throw new VmcraftError('EREGISTRY', `${hive} has no Select\\Current: is it a SYSTEM hive?`);
  return path.replace(/^\\CurrentControlSet/i, `\\ControlSet${String(current).padStart(3, '0')}`);
}

async function registryWrite(g: Guest, hive: string, edits: RegEdit[]): Promise<RegistryCommit> {
  const guestHive = await g.caseSensitivePath(hive);
  g.fileContext().assertWritable(guestHive);
  const host = await hiveHost(g, hive);
  const resolved: RegEdit[] = [];
  for (const e of edits) resolved.push({ ...e, key: await resolveKey(g, host, hive, e.key) });
  // hivexregedit ignores deletions of what is not there: check them first, so a wrong path is an error and nothing is written.
  for (const e of resolved) {
    if (e.op === 'deleteKey') await (await hives()).readKey(host, e.key, g.runner, hive);
    if (e.op === 'deleteValue') await g.registryRead(hive, e.key, e.name);
  }
  const backup = await (await hives()).commitEdits(host, resolved, g.runner, hive);
  return { backup: `${guestHive}${backup.slice(host.length)}` };
}

async function registryMerge(g: Guest, hive: string, regText: string): Promise<RegistryCommit> {
  const guestHive = await g.caseSensitivePath(hive);
  g.fileContext().assertWritable(guestHive);
  const host = await hiveHost(g, hive);
  const backup = await (await hives()).commitEdits(host, regText, g.runner, hive);
  return { backup: `${guestHive}${backup.slice(host.length)}` };
}

const hive = a.guestPath('hive', { ts: 'string', doc: 'guest path of the hive file, matched case-insensitively' });
const key = a.string('key', { doc: 'backslash path (`\\Microsoft\\Windows NT`); `\\CurrentControlSet\\…` means the current control set' });

/** The calls of this module, in table order. */
export const REGISTRY_CALLS = [
  defineCall({
    name: 'registryKeys', group: 'hivex', since: v,
    summary: 'read a registry key with its values and subkey names',
    doc: 'A key\'s values and the names of its subkeys. `ENOENT` when the key (or the hive file) does not exist, `EREGISTRY` when the file is not a hive.',
    args: [hive, key], returns: 'struct', ts: 'Promise<RegKey>',
    impl: async (g, h, k) => {
      const host = await hiveHost(g, h);
      return (await hives()).readKey(host, await resolveKey(g, host, h, k), g.runner, h);
    },
  }),
  defineCall({
    name: 'registryRead', group: 'hivex', since: v,
    summary: 'read a typed registry value',
    doc: 'One value, typed (REG_SZ → string, REG_MULTI_SZ → string[], REG_DWORD → number, REG_QWORD → bigint, others → bytes). The name is matched case-insensitively; `ENOENT` when the key has no such value.',
    args: [hive, key, a.string('name', { doc: "the value's name; '' for the key's default value" })],
    returns: 'struct', ts: 'Promise<RegValue>',
    impl: async (g, h, k, name) => {
      const read = await g.registryKeys(h, k);
      const found = findValue(read.values, name);
      if (!found) throw new VmcraftError('ENOENT', `${read.path} has no value ${name === '' ? '(default)' : name}`, { path: `${read.path}\\${name}` });
      return found;
    },
  }),
  defineCall({
    name: 'registryWrite', group: 'hivex', since: v, writes: true,
    summary: 'apply a batch of registry edits with a backup of the hive',
    doc: [
      'Applies a batch of edits in one commit: the hive is backed up beside itself, the edits are merged into a',
      'copy, the copy replaces the hive. A read-only session or mount refuses (`EREADONLY`); a failed batch leaves',
      'the hive as it was (a deletion of a key or value that does not exist is `ENOENT`, and nothing is written).',
    ].join('\n'),
    args: [hive, a.struct('edits', { ts: 'RegEdit[]', doc: 'createKey, deleteKey, setValue and deleteValue edits' })],
    returns: 'struct', ts: 'Promise<RegistryCommit>',
    impl: (g, h, edits) => registryWrite(g, h, edits),
  }),
  defineCall({
    name: 'registryExport', group: 'hivex', since: v,
    summary: 'export a registry key and its subtree as reg text',
    doc: "A key and everything below it as .reg text (hivexregedit's export format: every value as typed hex).",
    args: [hive, key], returns: 'string', ts: 'Promise<string>',
    impl: async (g, h, k) => {
      const host = await hiveHost(g, h);
      return (await hives()).exportKey(host, await resolveKey(g, host, h, k), g.runner, 0, h);
    },
  }),
  defineCall({
    name: 'registryMerge', group: 'hivex', since: v, writes: true,
    summary: 'merge reg text into a hive with a backup',
    doc: 'Merges .reg text (as exported, or written by hand) into a hive in one commit, with a backup.',
    args: [hive, a.string('regText', { doc: '.reg text (`Windows Registry Editor Version 5.00` …)' })],
    returns: 'struct', ts: 'Promise<RegistryCommit>',
    impl: (g, h, text) => registryMerge(g, h, text),
  }),
];
