/**
 * Windows registry calls of the GuestFS façade: hives are named by guest path
 * (matched case-insensitively, as Windows does), keys by backslash paths; a
 * key path starting with `\CurrentControlSet` means the control set that
 * SYSTEM's Select\Current names.
 */
import { VmcraftError } from '../core/errors.js';
import { resolveGuestPath } from '../fs/paths.js';
import { commitEdits, exportKey, keyPath, readKey, type RegKey } from '../registry/hive.js';
import type { RegEdit, RegValue } from '../registry/reg-format.js';
import { GuestFSFix } from './fix.js';

/** What a committed batch of registry edits left behind. */
export interface RegistryCommit {
  /** Guest path of the hive's backup (the hive as it was before the edits). */
  backup: string;
}

/** Reading and writing Windows registry hives in the mounted guest. */
export class GuestFSRegistry extends GuestFSFix {
  /** A key's values and the names of its subkeys. ENOENT when the key does not exist. */
  async registryKeys(hive: string, key: string): Promise<RegKey> {
    const host = await this.#hive(hive);
    return readKey(host, await this.#resolveKey(host, hive, key), this.runner, hive);
  }

  /** One value, typed (REG_SZ → string, REG_MULTI_SZ → string[], REG_DWORD → number, REG_QWORD → bigint, others → bytes). */
  async registryRead(hive: string, key: string, name: string): Promise<RegValue> {
    const k = await this.registryKeys(hive, key);
    const found = k.values.find((v) => v.name.toLowerCase() === name.toLowerCase());
    if (!found) throw new VmcraftError('ENOENT', `${k.path} has no value ${name === '' ? '(default)' : name}`, { path: `${k.path}\\${name}` });
    return found;
  }

  /**
   * Applies a batch of edits in one commit: the hive is backed up beside
   * itself, the edits are merged into a copy, the copy replaces the hive.
   * A read-only session refuses (EREADONLY); a failed batch leaves the hive as it was.
   */
  async registryWrite(hive: string, edits: RegEdit[]): Promise<RegistryCommit> {
    const guestHive = await this.caseSensitivePath(hive);
    this.files.assertWritable(guestHive);
    const host = await this.#hive(hive);
    const resolved: RegEdit[] = [];
    for (const e of edits) resolved.push({ ...e, key: await this.#resolveKey(host, hive, e.key) });
    // hivexregedit ignores deletions of what is not there: check them first, so a wrong path is an error and nothing is written.
    for (const e of resolved) {
      if (e.op === 'deleteKey') await readKey(host, e.key, this.runner, hive);
      if (e.op === 'deleteValue') await this.registryRead(hive, e.key, e.name);
    }
    const backup = await commitEdits(host, resolved, this.runner, hive);
    return { backup: `${guestHive}${backup.slice(host.length)}` };
  }

  /** A key and everything below it as .reg text (hivexregedit's export format: every value as typed hex). */
  async registryExport(hive: string, key: string): Promise<string> {
    const host = await this.#hive(hive);
    return exportKey(host, await this.#resolveKey(host, hive, key), this.runner, 0, hive);
  }

  /** Merges .reg text (as exported, or written by hand) into a hive in one commit, with a backup. */
  async registryMerge(hive: string, regText: string): Promise<RegistryCommit> {
    const guestHive = await this.caseSensitivePath(hive);
    this.files.assertWritable(guestHive);
    const host = await this.#hive(hive);
    const backup = await commitEdits(host, regText, this.runner, hive);
    return { backup: `${guestHive}${backup.slice(host.length)}` };
  }

  async #hive(hive: string): Promise<string> {
    const guest = await this.caseSensitivePath(hive);
    if (!(await this.isFile(guest))) throw new VmcraftError('ENOENT', `no hive file ${hive}`, { path: hive });
    return resolveGuestPath(this.rootDir(), guest);
  }

  async #resolveKey(hostHive: string, hive: string, key: string): Promise<string> {
    const path = keyPath(key);
    const match = /^\\CurrentControlSet(\\|$)/i.exec(path);
    if (!match) return path;
    const select = await readKey(hostHive, '\\Select', this.runner, hive);
    const current = select.values.find((v) => v.name === 'Current')?.data;
    if (typeof current !== 'number') throw new VmcraftError('EREGISTRY', `${hive} has no Select\\Current: is it a SYSTEM hive?`);
    return path.replace(/^\\CurrentControlSet/i, `\\ControlSet${String(current).padStart(3, '0')}`);
  }
}
