/**
 * A walk over a hive's key tree before hivex is let near it. hivexregedit
 * follows subkey lists down and parent pointers up without noticing a loop:
 * a crafted hive makes it recurse until the host runs out of memory, and a
 * key listed under several parents (or values sharing their data) makes its
 * export grow far beyond the file. The walk visits each key once, from the
 * root, and refuses a hive where a key is met twice, where a key's parent
 * pointer is not the key that lists it, or whose export would be larger
 * than {@link exportBudget}. It follows references the way hivex does
 * (a key claiming no subkeys has none; ri lists may nest) and where hivex
 * would refuse something (a reference out of the file, a cell of the wrong
 * kind) it only skips it: hivex reports that itself, for the key it concerns.
 */
import { readFile, stat } from 'node:fs/promises';
import { fromFsError, VmcraftError } from '../core/errors.js';
import { BASE_BLOCK, KEY_COMP_NAME, nkName, rootCellOffset } from './regf.js';

/** What the walk learnt about a hive it accepted. */
export interface HiveCheck {
  /** The file's size. */
  bytes: number;
  /** The root key's name as stored (`ROOT`, `CMI-CreateHive{…}`). */
  rootName: string;
}

const NO_OFFSET = 0xffffffff;
/** Cell offsets are 31 bits (the top bit marks volatile storage, never in a file): no hive is larger. */
const MAX_HIVE_BYTES = 0x7fffffff;
const MIB = 1024 * 1024;

/** A cell's two-letter signature as the 16-bit number it reads as. */
function sig(letters: string): number {
  return Buffer.from(letters, 'latin1').readUInt16LE(0);
}
const NK = sig('nk');
const VK = sig('vk');
/** Subkey list kinds and the size of their entries: offset and hash, or offset alone (ri: offsets of lists). */
const LIST_STEP = new Map([[sig('lf'), 8], [sig('lh'), 8], [sig('li'), 4], [sig('ri'), 4]]);
const RI = sig('ri');
/** vk: the data length's top bit says the data (4 bytes at most) is stored in place of its offset. */
const DATA_IN_OFFSET = 0x80000000;

/**
 * The largest export accepted for a hive of `bytes`: 64 MiB + 4 × its size.
 * Real hives export as about 1.2 × their size (a Windows 8.1 SOFTWARE of
 * 62 MiB as 74 MB); a key tree read once cannot grow more than its names
 * nested in their paths and its data in hex.
 */
function exportBudget(bytes: number): number {
  return 64 * MIB + 4 * bytes;
}

/** A size as messages show it: `12 KiB`, `62.3 MiB`. */
export function hiveSize(bytes: number): string {
  return bytes < MIB ? `${Math.ceil(bytes / 1024)} KiB` : `${(bytes / MIB).toFixed(1)} MiB`;
}

function corrupt(shown: string, why: string): VmcraftError {
  return new VmcraftError('EREGISTRY', `${shown} is corrupt or hostile: ${why}`);
}

/** Reads cells of a hive held in memory; offsets are relative to the first hbin, as in the file. */
class Cells {
  constructor(readonly hive: Buffer) {}

  /** The file position of a cell's content (after its size field), or undefined when `length` bytes of it are not in the file. */
  at(offset: number, length: number): number | undefined {
    if (offset === NO_OFFSET) return undefined;
    const start = BASE_BLOCK + offset + 4;
    return start + length <= this.hive.length ? start : undefined;
  }

  /** The position of a cell whose content starts with `signature` (two letters, as {@link sig} makes them), or undefined. */
  signed(offset: number, signature: number, length: number): number | undefined {
    const p = this.at(offset, length);
    return p !== undefined && this.u16(p) === signature ? p : undefined;
  }

  u16(p: number): number {
    return this.hive.readUInt16LE(p);
  }

  u32(p: number): number {
    return this.hive.readUInt32LE(p);
  }

  /** A key's name, as far as it lies in the file. */
  name(nk: number): string {
    const length = this.u16(nk + 0x48);
    const end = Math.min(nk + 0x4c + length, this.hive.length);
    return this.hive.toString(this.u16(nk + 0x02) & KEY_COMP_NAME ? 'latin1' : 'utf16le', nk + 0x4c, end);
  }
}

/** One bit per byte of the file: the cells already walked. */
class Seen {
  readonly #bits: Uint8Array;
  constructor(bytes: number) {
    this.#bits = new Uint8Array((bytes >>> 3) + 1);
  }

  /** Marks a cell (its offset is inside the file); false when it was marked already. */
  mark(offset: number): boolean {
    const bit = 1 << (offset & 7);
    if (this.#bits[offset >>> 3]! & bit) return false;
    this.#bits[offset >>> 3]! |= bit;
    return true;
  }
}

/**
 * The walk's state: the cells, those already walked, and how many list
 * entries it may still read. In a sound hive lists are cells of their own,
 * each read once, so all of them hold at most a quarter of the file's bytes
 * in entries; lists that overlap or repeat run out of that budget.
 */
class Walk {
  readonly seen: Seen;
  #entries: number;
  constructor(readonly cells: Cells, readonly shown: string) {
    this.seen = new Seen(cells.hive.length);
    this.#entries = cells.hive.length >>> 2;
  }

  /** Counts `n` list entries about to be read. */
  spend(n: number): void {
    this.#entries -= n;
    if (this.#entries < 0) throw corrupt(this.shown, 'its key and value lists hold more entries than the file has room for: they overlap or repeat');
  }
}

interface Pending {
  /** Offset of the key's nk cell. */
  offset: number;
  /** File position of its content. */
  nk: number;
  /** Offset of the key that lists it. */
  parent: number;
  path: string;
  /** UTF-8 length of the path as hivexregedit prints it. */
  pathBytes: number;
}

/**
 * The subkeys a subkey list cell names (lf, lh, li, or ri of lists), as hivex
 * reads them; lists are marked seen, so a list reached twice is a loop.
 */
function listed(walk: Walk, list: number, key: string): number[] {
  const { cells } = walk;
  const out: number[] = [];
  const lists = [list];
  while (lists.length > 0) {
    const offset = lists.pop()!;
    const p = cells.at(offset, 4);
    if (p === undefined) continue;
    const kind = cells.u16(p);
    const step = LIST_STEP.get(kind);
    if (step === undefined) continue;
    if (!walk.seen.mark(offset)) throw corrupt(walk.shown, `the subkey lists of ${key} loop`);
    const count = Math.min(cells.u16(p + 2), Math.floor((cells.hive.length - p - 4) / step));
    walk.spend(count);
    for (let i = 0, e = p + 4; i < count; i++, e += step) (kind === RI ? lists : out).push(cells.u32(e));
  }
  return out;
}

/** An upper bound of what a key's values add to its export: names, quotes and types, data in hex. */
function valuesBytes(walk: Walk, nk: number): number {
  const { cells } = walk;
  const list = cells.u32(nk + 0x24) === 0 ? undefined : cells.at(cells.u32(nk + 0x28), 0);
  if (list === undefined) return 0;
  // hivex reads no list whose count runs past its cell: only entries within the cell (and the file) are counted.
  const count = Math.max(0, Math.min(cells.u32(nk + 0x24), Math.floor((Math.abs(cells.hive.readInt32LE(list - 4)) - 4) / 4), Math.floor((cells.hive.length - list) / 4)));
  walk.spend(count);
  let total = 0;
  for (let i = 0, e = list; i < count; i++, e += 4) {
    const vk = cells.signed(cells.u32(e), VK, 0x14);
    if (vk === undefined) continue;
    const length = cells.u32(vk + 0x04);
    const data = length & DATA_IN_OFFSET ? 4 : length;
    // hivex refuses data longer than the file could hold: it adds nothing to the export.
    total += 4 * cells.u16(vk + 0x02) + 32 + (data <= cells.hive.length ? 3 * data : 0);
  }
  return total;
}

/**
 * Walks the key tree of a hive held in memory (the whole file).
 *
 * @throws VmcraftError `EREGISTRY` naming `shown` when it is no hive, when its
 * key tree loops or repeats a key, or when its export would exceed {@link exportBudget}.
 */
function checkHiveBytes(hive: Buffer, shown: string): HiveCheck {
  const root = rootCellOffset(hive, shown);
  const rootName = nkName(hive.subarray(root), shown);
  const cells = new Cells(hive);
  const walk = new Walk(cells, shown);
  const budget = exportBudget(hive.length);
  let exportBytes = 0;
  const pending: Pending[] = [{ offset: root - BASE_BLOCK, nk: root + 4, parent: NO_OFFSET, path: '\\', pathBytes: 1 }];
  while (pending.length > 0) {
    const key = pending.pop()!;
    const { nk } = key;
    if (!walk.seen.mark(key.offset)) throw corrupt(shown, `the key ${key.path} is reached twice: its subkey lists loop, repeat a key or are damaged`);
    if (key.parent !== NO_OFFSET && cells.u32(nk + 0x10) !== key.parent) throw corrupt(shown, `the parent pointer of ${key.path} is not the key that lists it: following parents would loop or go astray`);
    exportBytes += key.pathBytes + 4 + valuesBytes(walk, nk);
    if (exportBytes > budget) throw corrupt(shown, `its export would be more than the ${Math.round(budget / MIB)} MiB allowed for a hive of ${hiveSize(hive.length)} (its key paths or value data repeat)`);
    if (cells.u32(nk + 0x14) === 0) continue;
    for (const child of listed(walk, cells.u32(nk + 0x1c), key.path)) {
      const c = cells.signed(child, NK, 0x4c);
      if (c === undefined) continue;
      const name = cells.name(c);
      const path = key.path === '\\' ? `\\${name}` : `${key.path}\\${name}`;
      pending.push({ offset: child, nk: c, parent: key.offset, path, pathBytes: key.pathBytes + 1 + Buffer.byteLength(name) });
    }
  }
  return { bytes: hive.length, rootName };
}

/** Hives accepted lately, by host path, with the file's identity and times then. */
const accepted = new Map<string, { stamp: string; check: HiveCheck }>();
const REMEMBERED = 16;

/**
 * Reads a hive file and walks its key tree ({@link checkHiveBytes}); memory
 * and time are proportional to the file's size. A file accepted before and
 * unchanged since (same inode, size, mtime and ctime) is not read again.
 * `shown` names the hive in errors.
 */
export async function checkHive(file: string, shown: string): Promise<HiveCheck> {
  const fsError = (err: unknown) => { throw fromFsError(err, shown, 'cannot read the hive'); };
  const st = await stat(file, { bigint: true }).catch(fsError);
  // A FIFO or a device named like a hive would block the read, or never end.
  if (!st.isFile()) throw corrupt(shown, 'it is not a regular file');
  if (st.size > MAX_HIVE_BYTES) throw corrupt(shown, `it is ${hiveSize(Number(st.size))}, larger than a hive can be (2 GiB)`);
  const stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  const known = accepted.get(file);
  if (known?.stamp === stamp) return known.check;
  const check = checkHiveBytes(await readFile(file).catch(fsError), shown);
  accepted.delete(file);
  accepted.set(file, { stamp, check });
  if (accepted.size > REMEMBERED) accepted.delete(accepted.keys().next().value!);
  return check;
}
