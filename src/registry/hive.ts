/**
 * Reading and editing hive files through hivex (hivexregedit). Every run is
 * preceded by a walk of the hive's key tree ({@link checkHive}) and bounded
 * in memory and time ({@link runHivexregedit}). Edits are batched and
 * committed once: the hive is backed up, the edits are merged into a copy,
 * and the copy replaces the hive in one rename.
 */
import { access, copyFile, rename, rm, writeFile } from 'node:fs/promises';
import { VmcraftError } from '../core/errors.js';
import type { Runner } from '../core/exec.js';
import { checkHive } from './hive-check.js';
import { runHivexregedit } from './hivexregedit.js';
import { decodeHivexOutput, parseRegExport, renderEdits, type RegEdit, type RegValue } from './reg-format.js';

/** A key: its direct subkeys and its values. */
export interface RegKey {
  path: string;
  /** Names of the direct subkeys, in the hive's order (sorted by upper-cased name). */
  subkeys: string[];
  /** The values, sorted by name (hivexregedit's order). */
  values: RegValue[];
}

/** Normalises a key path: backslashes, one leading, none trailing (`Microsoft/Windows` → `\Microsoft\Windows`). */
export function keyPath(path: string): string {
  return `\\${path.replace(/\//g, '\\').split('\\').filter(Boolean).join('\\')}`;
}

/** What hivexregedit's failure to read `key` means (its stderr names the hive as shown, never by host path). */
function registryError(err: unknown, hive: string, key: string): unknown {
  if (!(err instanceof VmcraftError) || err.code !== 'ECOMMAND') return err;
  const stderr = err.command?.stderr ?? '';
  const first = stderr.split('\n')[0];
  if (/path not found/.test(stderr)) return new VmcraftError('ENOENT', `no key ${key} in the hive ${hive}`, { cause: err, path: key });
  // hivex_open fails with EINVAL or ENOTSUP on what is no regf file (a Windows 9x SYSTEM.DAT, a text file);
  // a hive cut short or with a damaged cell opens, and then a node call fails with EFAULT (Bad address),
  // or ERANGE for a count or length beyond hivex's limits.
  if (/hivex_open:|failed to open hive|Invalid argument|Operation not supported|not a hive/i.test(stderr)) return new VmcraftError('EREGISTRY', `${hive} is not a registry hive (or it is corrupt)`, { cause: err });
  if (/Bad address/.test(stderr)) return new VmcraftError('EREGISTRY', `${hive} is corrupt or truncated: ${first}`, { cause: err });
  if (/Numerical result out of range/.test(stderr)) return new VmcraftError('EREGISTRY', `${hive} is corrupt: a count or length in it is out of range: ${first}`, { cause: err });
  return new VmcraftError('EREGISTRY', `${hive} could not be read: ${first}`, { cause: err });
}

/** Exports a key and its subtree (`depth` levels; 0 for all) as .reg text. */
export async function exportKey(hostHive: string, key: string, runner: Runner, depth = 0, shownHive = hostHive): Promise<string> {
  const path = keyPath(key);
  if (path.includes('\0')) throw new VmcraftError('EUNSUPPORTED', `the key path ${JSON.stringify(path)} holds a NUL character, which hivexregedit cannot be given`, { path });
  const { bytes } = await checkHive(hostHive, shownHive);
  try {
    return decodeHivexOutput(await runHivexregedit(runner, ['--export', ...(depth ? ['--max-depth', String(depth)] : []), hostHive, path], { host: hostHive, shown: shownHive, bytes }));
  } catch (err) {
    throw registryError(err, shownHive, path);
  }
}

/** Compares key names as a hive orders them: by their upper-cased UTF-16 code units. */
function byUpperCase(a: string, b: string): number {
  const x = a.toUpperCase();
  const y = b.toUpperCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Reads a key of a hive file (host path) with its values and the names of its subkeys. */
export async function readKey(hostHive: string, key: string, runner: Runner, shownHive = hostHive): Promise<RegKey> {
  const sections = parseRegExport(await exportKey(hostHive, key, runner, 2, shownHive));
  const self = sections[0];
  if (!self) throw new VmcraftError('EREGISTRY', `hivexregedit printed no key for ${keyPath(key)}`);
  const prefix = self.path === '\\' ? '\\' : `${self.path}\\`;
  // hivexregedit sorts names as Perl strings; a hive keeps subkeys sorted by their upper-cased names (as Windows looks them up): that order is restored.
  const subkeys = sections.slice(1).map((s) => s.path.slice(prefix.length)).filter((n) => n && !n.includes('\\')).sort(byUpperCase);
  return { path: self.path, subkeys, values: self.values };
}

/** Merges edits (or .reg text) into a hive file in place, with hivexregedit; `shownHive` names the hive in errors. */
export async function mergeEdits(hostHive: string, edits: readonly RegEdit[] | string, runner: Runner, shownHive = hostHive): Promise<void> {
  const reg = `${hostHive}.vmcraft-${process.pid}-${Date.now()}.reg`;
  const text = typeof edits === 'string' ? edits : renderEdits(edits);
  try {
    const { bytes } = await checkHive(hostHive, shownHive);
    await writeFile(reg, text);
    await runHivexregedit(runner, ['--merge', hostHive, reg], { host: hostHive, shown: shownHive, bytes: bytes + Buffer.byteLength(text) });
  } catch (err) {
    throw err instanceof VmcraftError && err.code === 'ECOMMAND' ? new VmcraftError('EREGISTRY', `the edits could not be applied to ${shownHive}: ${(err.command?.stderr ?? '').split('\n')[0]}`, { cause: err }) : err;
  } finally {
    await rm(reg, { force: true });
  }
}

/**
 * Replaces a hive file atomically: the file as it is is copied to a backup
 * beside it, `fill` writes the new content into a work file beside it (which
 * starts as a copy of the hive), and the work file is renamed over the hive.
 * A target that does not exist yet gets no backup. On failure the target is
 * left as it was and the backup and work files are removed.
 * Returns the backup's host path, if one was made.
 */
export async function replaceHive(hostHive: string, fill: (work: string) => Promise<void>, stamp = new Date().toISOString().replace(/[:.]/g, '-')): Promise<string | undefined> {
  const exists = await access(hostHive).then(() => true, () => false);
  const backup = exists ? `${hostHive}.vmcraft-${stamp}.bak` : undefined;
  const work = `${hostHive}.vmcraft-${stamp}.tmp`;
  try {
    if (backup) {
      await copyFile(hostHive, backup);
      await copyFile(hostHive, work);
    }
    await fill(work);
    await rename(work, hostHive);
    return backup;
  } catch (err) {
    await rm(work, { force: true });
    if (backup) await rm(backup, { force: true });
    throw err;
  }
}

/** Applies edits (or .reg text) to a hive file: backup, merge into a copy, rename over. Returns the backup's host path. */
export async function commitEdits(hostHive: string, edits: readonly RegEdit[] | string, runner: Runner, shownHive = hostHive): Promise<string> {
  await access(hostHive).catch((err: unknown) => {
    throw new VmcraftError('ENOENT', `no hive file ${shownHive}`, { path: shownHive, cause: err });
  });
  return (await replaceHive(hostHive, (work) => mergeEdits(work, edits, runner, shownHive)))!;
}
