/**
 * The resume state of one VM: a JSON file beside its output that records
 * each finished stage with the stamps of what it read and wrote. A stage is
 * reused on a re-run only when its options and inputs are the same and its
 * outputs are still there, unchanged.
 */
import { createHash } from 'node:crypto';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { VmcraftError } from '../core/errors.js';
import { sha256File } from '../core/hash.js';
import type { DiskRef, FileStamp } from './types.js';

/** One finished stage. */
export interface StageRecord {
  /** Hash of the stage's options in the plan. */
  optionsHash: string;
  inputs: DiskRef[];
  outputs: DiskRef[];
  result: unknown;
  durationMs: number;
  finishedAt: string;
}

/** The state file's content. */
export interface VmState {
  version: 1;
  vm: string;
  stages: Record<string, StageRecord>;
}

/** A stable hash of JSON data (keys sorted). */
export function hashOf(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]))
      : Array.isArray(v) ? v.map(canonical) : v;
  return createHash('sha256').update(JSON.stringify(canonical(value) ?? null)).digest('hex').slice(0, 32);
}

/** Reads the state of `vm`; a missing file is an empty state, a foreign or corrupt one an error. */
export async function loadState(file: string, vm: string): Promise<VmState> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new VmcraftError('EIO', `cannot read the state file ${file}: ${err.message}`, { path: file });
  });
  if (text === undefined) return { version: 1, vm, stages: {} };
  let state: VmState;
  try {
    state = JSON.parse(text) as VmState;
  } catch {
    throw new VmcraftError('EFORMAT', `the state file ${file} is not JSON (remove it to start ${vm} from the beginning)`, { path: file });
  }
  if (state.version !== 1 || state.vm !== vm || typeof state.stages !== 'object') {
    throw new VmcraftError('EINVAL', `the state file ${file} belongs to ${JSON.stringify(state.vm)}, not ${JSON.stringify(vm)} (two VMs share an output path?)`, { path: file });
  }
  return state;
}

/** Writes the state through a temp file and a rename, so a crash leaves the old or the new state. */
export async function saveState(file: string, state: VmState): Promise<void> {
  const partial = `${file}.partial`;
  await writeFile(partial, `${JSON.stringify(state, null, 2)}\n`);
  await rename(partial, file);
}

/**
 * Stamps a file: size, mtime and sha256. A stamp in `known` for the same
 * path, size and mtime lends its sha256 (the file is not read again); with
 * `hash: false` the sha256 is left empty (dry runs read no contents).
 */
export async function stampFile(file: string, known: FileStamp[] = [], hash = true): Promise<FileStamp> {
  const info = await stat(file);
  const same = known.find((k) => k.path === file && k.size === info.size && k.mtimeMs === info.mtimeMs);
  return { path: file, size: info.size, mtimeMs: info.mtimeMs, sha256: same?.sha256 ?? (hash ? await sha256File(file) : '') };
}

/** Stamps a file whose sha256 is already known (it was computed while writing it). */
export async function stampKnown(file: string, sha256: string): Promise<FileStamp> {
  const info = await stat(file);
  return { path: file, size: info.size, mtimeMs: info.mtimeMs, sha256 };
}

/**
 * Whether a file still matches its stamp: the same size and mtime are taken
 * as unchanged (the sha256 is not read again); otherwise the content decides.
 */
export async function stampHolds(stamp: FileStamp): Promise<boolean> {
  const info = await stat(stamp.path).catch(() => undefined);
  if (!info?.isFile() || info.size !== stamp.size) return false;
  if (info.mtimeMs === stamp.mtimeMs) return true;
  return (await sha256File(stamp.path)) === stamp.sha256;
}

/** Whether every file of every disk still matches its stamp. */
export async function disksHold(disks: DiskRef[]): Promise<boolean> {
  for (const stamp of disks.flatMap((d) => d.files)) if (!(await stampHolds(stamp))) return false;
  return true;
}

/** Whether two disk lists name the same files with the same content. */
export function sameDisks(a: DiskRef[], b: DiskRef[]): boolean {
  const key = (disks: DiskRef[]) => JSON.stringify(disks.map((d) => [d.path, d.format, d.files.map((f) => [f.path, f.sha256])]));
  return key(a) === key(b);
}
