/**
 * Cheap consistency checks of an image file before it is attached: the tables
 * its header points at, and the data those tables point at, lie within the
 * file. qemu reads what lies past the end of a truncated image as zeros
 * without a word; these checks make that an `EFORMAT` naming the file. They
 * cost reads proportional to the top-level tables (qcow2 L1 and refcount
 * tables and the last refcount block, vmdk grain directory, vhd/vhdx/vdi
 * block tables), never a walk of all the data (`qemu-img check` does that).
 */
import { open } from 'node:fs/promises';
import { VmcraftError } from '../core/errors.js';
import type { ImageFormat } from './detect.js';

/** Reads up to `length` bytes at `offset` of an image (fewer at its end). */
export type ImageReader = (offset: number, length: number) => Promise<Buffer>;

/** Refuses reading more than this at once (a corrupt header naming a huge table). */
const MAX_TABLE = 256 * 2 ** 20;

class Bounds {
  constructor(readonly read: ImageReader, readonly size: number) {}

  /** EFORMAT unless `length` bytes of `what` at `offset` lie within the file. */
  within(what: string, offset: number, length: number): void {
    if (offset + length > this.size) {
      throw new VmcraftError('EFORMAT', `image is truncated or corrupt: its ${what} (${length} bytes at byte ${offset}) lies past the end of the file (${this.size} bytes)`);
    }
  }

  /** The first `length` bytes of the file; EFORMAT when it is shorter. */
  async header(length: number): Promise<Buffer> {
    if (this.size < length) throw new VmcraftError('EFORMAT', `image is truncated: its header needs ${length} bytes, the file has ${this.size}`);
    return this.read(0, length);
  }

  /** Reads a table of `what` after checking it lies within the file. */
  async table(what: string, offset: number, length: number): Promise<Buffer> {
    this.within(what, offset, length);
    if (length > MAX_TABLE) throw new VmcraftError('EFORMAT', `corrupt image: its ${what} would be ${length} bytes`);
    return this.read(offset, length);
  }
}

/** Index of the last non-zero entry of a table of `bits`-bit entries, or -1. */
export function lastNonZeroEntry(table: Buffer, bits: number): number {
  for (let byte = table.length - 1; byte >= 0; byte--) {
    const value = table[byte]!;
    if (value === 0) continue;
    if (bits >= 8) return Math.floor(byte / (bits / 8));
    const perByte = 8 / bits;
    for (let k = perByte - 1; k >= 0; k--) if ((value >> (k * bits)) & ((1 << bits) - 1)) return byte * perByte + k;
  }
  return -1;
}

const QCOW2_OFFSET_MASK = 0x00fffffffffffe00n;
const QCOW2_INCOMPAT_DATA_FILE = 1n << 2n;

/**
 * qcow2: the L1 and refcount tables, every L2 table and refcount block they
 * name, and the highest cluster the refcounts say is in use (unless the data
 * lives in an external data file) lie within the file. A compressed image may
 * end inside its last cluster, so a cluster only has to start before the end.
 */
async function checkQcow2(b: Bounds): Promise<void> {
  const version = (await b.header(72)).readUInt32BE(4);
  const h = await b.header(version >= 3 ? 104 : 72);
  const clusterSize = 2 ** h.readUInt32BE(20);
  const refcountBits = 2 ** (version >= 3 ? h.readUInt32BE(96) : 4);
  const dataFile = version >= 3 && (h.readBigUInt64BE(72) & QCOW2_INCOMPAT_DATA_FILE) !== 0n;
  const l1 = await b.table('L1 table', Number(h.readBigUInt64BE(40)), h.readUInt32BE(36) * 8);
  for (let i = 0; i < l1.length; i += 8) {
    const l2 = Number(l1.readBigUInt64BE(i) & QCOW2_OFFSET_MASK);
    if (l2) b.within(`L2 table ${i / 8}`, l2, clusterSize);
  }
  const refcountTable = await b.table('refcount table', Number(h.readBigUInt64BE(48)), h.readUInt32BE(56) * clusterSize);
  const blocks: number[] = [];
  for (let i = 0; i < refcountTable.length; i += 8) {
    const block = Number(refcountTable.readBigUInt64BE(i) & ~0x1ffn);
    blocks.push(block);
    if (block) b.within(`refcount block ${i / 8}`, block, clusterSize);
  }
  if (dataFile) return;
  const perBlock = (clusterSize * 8) / refcountBits;
  for (let i = blocks.length - 1; i >= 0; i--) {
    if (!blocks[i]) continue;
    const last = lastNonZeroEntry(await b.read(blocks[i]!, clusterSize), refcountBits);
    if (last < 0) continue;
    const cluster = i * perBlock + last;
    b.within(`cluster ${cluster} (the last one in use)`, cluster * clusterSize, 1);
    return;
  }
}

/** qed: the L1 table and every L2 table it names lie within the file. */
async function checkQed(b: Bounds): Promise<void> {
  const h = await b.header(64);
  const tableSize = h.readUInt32LE(4) * h.readUInt32LE(12);
  const l1 = await b.table('L1 table', Number(h.readBigUInt64LE(40)), tableSize);
  for (let i = 0; i < l1.length; i += 8) {
    const l2 = Number(l1.readBigUInt64LE(i));
    if (l2) b.within(`L2 table ${i / 8}`, l2, tableSize);
  }
}

/**
 * Hosted sparse vmdk extent: its grain directory and every grain table lie
 * within the file. A streamOptimized extent whose grain directory is at the
 * end (GD_AT_END) names it in the footer, 1 KiB before the end.
 */
async function checkSparseVmdk(b: Bounds): Promise<void> {
  if ((await b.header(4)).toString('latin1') !== 'KDMV') return;
  const h = await b.header(512);
  let gdSector = h.readBigUInt64LE(56);
  if (gdSector === 0xffffffffffffffffn) {
    const footer = await b.read(b.size - 1024, 512);
    if (footer.toString('latin1', 0, 4) !== 'KDMV') throw new VmcraftError('EFORMAT', 'vmdk image is truncated: its grain directory is named in a footer, and the file has none at its end');
    gdSector = footer.readBigUInt64LE(56);
  }
  const capacity = Number(h.readBigUInt64LE(12));
  const grainSectors = Number(h.readBigUInt64LE(20));
  const perTable = h.readUInt32LE(44);
  if (!grainSectors || !perTable) throw new VmcraftError('EFORMAT', 'corrupt vmdk header: grain size or grain table size is 0');
  const gd = await b.table('grain directory', Number(gdSector) * 512, Math.ceil(capacity / (grainSectors * perTable)) * 4);
  for (let i = 0; i < gd.length; i += 4) {
    const gt = gd.readUInt32LE(i);
    if (gt) b.within(`grain table ${i / 4}`, gt * 512, perTable * 4);
  }
}

/** Dynamic vhd: its block allocation table, and the start of every block it names, lie before the footer. */
async function checkVhd(b: Bounds): Promise<void> {
  const footer = await b.read(b.size - 512, 512);
  if (footer.readUInt32BE(60) === 2) return;
  const dynamic = await b.read(Number(footer.readBigUInt64BE(16)), 1024);
  const bat = await b.table('block allocation table', Number(dynamic.readBigUInt64BE(16)), dynamic.readUInt32BE(28) * 4);
  for (let i = 0; i < bat.length; i += 4) {
    const sector = bat.readUInt32BE(i);
    if (sector !== 0xffffffff) b.within(`block ${i / 4}`, sector * 512, 512 + 512);
  }
}

/** BAT region of the vhdx region table (at 192 KiB). */
const VHDX_BAT_GUID = '6677c22d23f600429d64115e9bfd4a08';

/** vhdx: its block allocation table, and the start of every payload block it names, lie within the file. */
async function checkVhdx(b: Bounds): Promise<void> {
  const regions = await b.read(192 * 1024, 64 * 1024);
  if (regions.toString('latin1', 0, 4) !== 'regi') throw new VmcraftError('EFORMAT', 'corrupt vhdx: no region table at 192 KiB');
  const count = Math.min(regions.readUInt32LE(8), 2047);
  for (let i = 0; i < count; i++) {
    const entry = regions.subarray(16 + i * 32, 48 + i * 32);
    if (entry.subarray(0, 16).toString('hex') !== VHDX_BAT_GUID) continue;
    const bat = await b.table('block allocation table', Number(entry.readBigUInt64LE(16)), entry.readUInt32LE(24));
    for (let j = 0; j + 8 <= bat.length; j += 8) {
      const value = bat.readBigUInt64LE(j);
      const state = Number(value & 7n);
      // 6: payload block fully present, 7: partially present (then the offset is the block's).
      if (state === 6 || state === 7) b.within(`payload block ${j / 8}`, Number(value >> 20n) * 2 ** 20, 1);
    }
  }
}

/** vdi: its block map, and the data of its allocated blocks (stored one after another), lie within the file. */
async function checkVdi(b: Bounds): Promise<void> {
  const h = await b.header(0x190);
  const blockBytes = h.readUInt32LE(0x178) + h.readUInt32LE(0x17c);
  b.within('block map', h.readUInt32LE(0x154), h.readUInt32LE(0x180) * 4);
  b.within(`data of its ${h.readUInt32LE(0x184)} allocated blocks`, h.readUInt32LE(0x158), h.readUInt32LE(0x184) * blockBytes);
}

const CHECKS: Partial<Record<ImageFormat, (b: Bounds) => Promise<void>>> = {
  qcow2: checkQcow2, qed: checkQed, vmdk: checkSparseVmdk, vhd: checkVhd, vhdx: checkVhdx, vdi: checkVdi,
};

/** Runs the checks of `format` through `read` on an image of `size` bytes (formats without checks pass). */
export async function checkBoundsWith(format: ImageFormat, read: ImageReader, size: number): Promise<void> {
  await CHECKS[format]?.(new Bounds(read, size));
}

/**
 * Checks that what the header of the image at `path` points at lies within
 * its `size` bytes; `EFORMAT` naming the file and what lies past its end.
 */
export async function checkImageBounds(path: string, format: ImageFormat, size: number): Promise<void> {
  if (!CHECKS[format]) return;
  const handle = await open(path, 'r');
  try {
    const read: ImageReader = async (offset, length) => {
      const buf = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      const { bytesRead } = await handle.read(buf, 0, buf.length, offset);
      return buf.subarray(0, bytesRead);
    };
    await checkBoundsWith(format, read, size);
  } catch (err) {
    if (err instanceof VmcraftError) throw new VmcraftError(err.code, `${path}: ${err.message}`, { path, cause: err });
    if (err instanceof RangeError) throw new VmcraftError('EFORMAT', `${path}: corrupt ${format} header (${err.message})`, { path, cause: err });
    throw err;
  } finally {
    await handle.close();
  }
}
