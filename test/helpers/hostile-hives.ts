/**
 * Hives crafted against their reader: a small sound hive written by hivex,
 * then one defect patched into its cells — a subkey list that loops back to
 * an ancestor, parent pointers that loop, a key listed twice, absurd counts,
 * a value whose data runs past its cell, a file cut short, value data shared
 * to inflate the export. The cells are found by reading the hbins in order.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { writeHive } from './windows-image.js';

/** The sound hive: \A\B\C\D, \Z, a value on A and on B. */
export const BASE_REG = `Windows Registry Editor Version 5.00

[\\A]
"v"="x"

[\\A\\B]
"w"=dword:00000001

[\\A\\B\\C]

[\\A\\B\\C\\D]

[\\Z]
`;

const BIN = 0x1000;

function setFirst(map: Map<string, number>, name: string, position: number): void {
  if (!map.has(name)) map.set(name, position);
}

/** File positions of the content (after the size field) of the nk and vk cells, by key or value name (the first of a name in the file). */
export function cells(hive: Buffer): { keys: Map<string, number>; values: Map<string, number> } {
  const keys = new Map<string, number>();
  const values = new Map<string, number>();
  for (let bin = BIN; bin + 0x20 <= hive.length && hive.toString('latin1', bin, bin + 4) === 'hbin'; bin += hive.readUInt32LE(bin + 8)) {
    const end = bin + hive.readUInt32LE(bin + 8);
    for (let cell = bin + 0x20; cell < end; cell += Math.abs(hive.readInt32LE(cell))) {
      const p = cell + 4;
      const kind = hive.toString('latin1', p, p + 2);
      if (kind === 'nk') setFirst(keys, hive.toString('latin1', p + 0x4c, p + 0x4c + hive.readUInt16LE(p + 0x48)), p);
      if (kind === 'vk') setFirst(values, hive.toString('latin1', p + 0x14, p + 0x14 + hive.readUInt16LE(p + 0x02)), p);
    }
  }
  return { keys, values };
}

/** The root key's name in {@link cells}' map, read from the base block. */
function rootName(hive: Buffer): string {
  const p = BIN + hive.readUInt32LE(0x24) + 4;
  return hive.toString('latin1', p + 0x4c, p + 0x4c + hive.readUInt16LE(p + 0x48));
}

/** A cell's offset as the hive stores it, from the file position of its content. */
const offsetOf = (p: number) => p - BIN - 4;
/** The file position of a key's subkey list's first entry. */
const firstSubkeyEntry = (hive: Buffer, nk: number) => BIN + hive.readUInt32LE(nk + 0x1c) + 4 + 4;

/** Makes the first entry of `key`'s subkey list name `ancestor`: a reader recursing down never ends. */
export function loopSubkeys(hive: Buffer, key: string, ancestor: string): Buffer {
  const { keys } = cells(hive);
  hive.writeUInt32LE(offsetOf(keys.get(ancestor)!), firstSubkeyEntry(hive, keys.get(key)!));
  return hive;
}

/** Makes `key`'s parent pointer name `descendant`: a reader building a key's path from its parents never ends. */
export function loopParents(hive: Buffer, key: string, descendant: string): Buffer {
  const { keys } = cells(hive);
  hive.writeUInt32LE(offsetOf(keys.get(descendant)!), keys.get(key)! + 0x10);
  return hive;
}

/** The defects, each a change of a copy of the sound hive's bytes. */
export const DEFECTS = {
  /** C's subkey list names A, C's grandparent. */
  'subkey-loop': (hive: Buffer) => loopSubkeys(hive, 'C', 'A'),
  /** A's parent pointer names B, whose parent is A. */
  'parent-loop': (hive: Buffer) => loopParents(hive, 'A', 'B'),
  /** The root lists A twice (in place of Z): each key below A is exported twice. */
  'repeated-key': (hive: Buffer) => {
    const { keys } = cells(hive);
    const list = firstSubkeyEntry(hive, keys.get(rootName(hive))!);
    hive.writeUInt32LE(hive.readUInt32LE(list), list + 8);
    return hive;
  },
  /** The root claims 0x7fffffff subkeys. */
  'subkey-count': (hive: Buffer) => {
    hive.writeUInt32LE(0x7fffffff, cells(hive).keys.get(rootName(hive))! + 0x14);
    return hive;
  },
  /** A claims 0x7fffffff values. */
  'value-count': (hive: Buffer) => {
    hive.writeUInt32LE(0x7fffffff, cells(hive).keys.get('A')! + 0x24);
    return hive;
  },
  /** A's value claims 0x7ffffff0 bytes of data: far past its data cell. */
  'data-length': (hive: Buffer) => {
    hive.writeUInt32LE(0x7ffffff0, cells(hive).values.get('v')! + 0x04);
    return hive;
  },
  /** The file ends inside C's key cell. */
  truncated: (hive: Buffer) => hive.subarray(0, cells(hive).keys.get('C')! + 0x20),
} satisfies Record<string, (hive: Buffer) => Buffer>;

/** A defect's name. */
export type Defect = keyof typeof DEFECTS;

/** Writes the sound hive at `file` and returns its bytes. */
export async function writeBaseHive(file: string): Promise<Buffer> {
  await writeHive(file, BASE_REG);
  return readFile(file);
}

/** Writes a copy of `base` with `defect` at `file`. */
export async function writeHostileHive(file: string, base: Buffer, defect: Defect): Promise<void> {
  await writeFile(file, DEFECTS[defect](Buffer.from(base)));
}

/**
 * A hive whose `count` values all name the data of one value of `dataBytes`
 * bytes: a file of about `dataBytes` whose export as hex is `count` times larger.
 */
export async function writeInflatedHive(file: string, count: number, dataBytes: number): Promise<void> {
  const names = Array.from({ length: count }, (_, i) => `"v${i}"=dword:00000000`);
  await writeHive(file, `Windows Registry Editor Version 5.00\n\n[\\A]\n"big"=hex:${Array(dataBytes).fill('ab').join(',')}\n${names.join('\n')}\n`);
  const hive = await readFile(file);
  const { values } = cells(hive);
  const big = values.get('big')!;
  for (let i = 0; i < count; i++) {
    const v = values.get(`v${i}`)!;
    hive.writeUInt32LE(dataBytes, v + 0x04);
    hive.writeUInt32LE(hive.readUInt32LE(big + 0x08), v + 0x08);
    hive.writeUInt32LE(3, v + 0x0c);
  }
  await writeFile(file, hive);
}
