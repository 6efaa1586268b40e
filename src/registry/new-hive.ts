/**
 * Writes a new, empty registry hive (regf) with just a root key: hivex can
 * open and edit hives but not create them, and a session that builds a guest
 * (or a test) needs somewhere to start. The layout follows the regf format
 * as hivex reads it: a 4 KiB base block, then one 4 KiB hbin holding the
 * root nk cell, its sk (security) cell and free space.
 */
import { writeFile } from 'node:fs/promises';

const BLOCK = 0x1000;
const NO_OFFSET = 0xffffffff;

/** FILETIME (100 ns since 1601) of a date. */
function filetime(date: Date): bigint {
  return BigInt(date.getTime()) * 10000n + 116444736000000000n;
}

/** The bytes of an empty hive whose root key is called `rootName`. */
export function emptyHive(rootName = 'ROOT', now = new Date()): Buffer {
  const hive = Buffer.alloc(BLOCK * 2);
  const time = filetime(now);
  // hbin header at 0x1000; cells start at bin offset 0x20.
  const bin = BLOCK;
  hive.write('hbin', bin, 'latin1');
  hive.writeUInt32LE(0, bin + 4);
  hive.writeUInt32LE(BLOCK, bin + 8);
  hive.writeBigUInt64LE(time, bin + 0x14);
  const nkOffset = 0x20;
  const name = Buffer.from(rootName, 'latin1');
  const nkSize = (4 + 0x4c + name.length + 7) & ~7;
  const skOffset = nkOffset + nkSize;
  // Security descriptor: self-relative, no owner, group, SACL or DACL.
  const sd = Buffer.from([1, 0, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const skSize = (4 + 0x14 + sd.length + 7) & ~7;
  const freeOffset = skOffset + skSize;
  // nk (allocated cells have a negative size).
  let c = bin + nkOffset;
  hive.writeInt32LE(-nkSize, c);
  c += 4;
  hive.write('nk', c, 'latin1');
  hive.writeUInt16LE(0x2c, c + 0x02); // KEY_HIVE_ENTRY | KEY_NO_DELETE | KEY_COMP_NAME
  hive.writeBigUInt64LE(time, c + 0x04);
  hive.writeUInt32LE(NO_OFFSET, c + 0x10);
  hive.writeUInt32LE(NO_OFFSET, c + 0x1c);
  hive.writeUInt32LE(NO_OFFSET, c + 0x20);
  hive.writeUInt32LE(NO_OFFSET, c + 0x28);
  hive.writeUInt32LE(skOffset, c + 0x2c);
  hive.writeUInt32LE(NO_OFFSET, c + 0x30);
  hive.writeUInt16LE(name.length, c + 0x48);
  name.copy(hive, c + 0x4c);
  // sk: a ring of one, referenced by the root key.
  c = bin + skOffset;
  hive.writeInt32LE(-skSize, c);
  c += 4;
  hive.write('sk', c, 'latin1');
  hive.writeUInt32LE(skOffset, c + 0x04);
  hive.writeUInt32LE(skOffset, c + 0x08);
  hive.writeUInt32LE(1, c + 0x0c);
  hive.writeUInt32LE(sd.length, c + 0x10);
  sd.copy(hive, c + 0x14);
  // The rest of the bin is one free cell.
  hive.writeInt32LE(BLOCK - freeOffset, bin + freeOffset);
  // Base block.
  hive.write('regf', 0, 'latin1');
  hive.writeUInt32LE(1, 4);
  hive.writeUInt32LE(1, 8);
  hive.writeBigUInt64LE(time, 0x0c);
  hive.writeUInt32LE(1, 0x14);
  hive.writeUInt32LE(3, 0x18);
  hive.writeUInt32LE(0, 0x1c);
  hive.writeUInt32LE(1, 0x20);
  hive.writeUInt32LE(nkOffset, 0x24);
  hive.writeUInt32LE(BLOCK, 0x28);
  hive.writeUInt32LE(1, 0x2c);
  let sum = 0;
  for (let i = 0; i < 0x1fc; i += 4) sum ^= hive.readUInt32LE(i);
  hive.writeUInt32LE(sum >>> 0, 0x1fc);
  return hive;
}

/** Writes an empty hive file. */
export async function writeEmptyHive(file: string, rootName?: string): Promise<void> {
  await writeFile(file, emptyHive(rootName));
}
