/**
 * VHD differencing disks. qemu's vpc driver reads a differencing VHD as if it
 * had no parent (the parent's data silently reads as zeroes), so vmcraft reads
 * the footer and dynamic header itself, finds and verifies the parent here, and
 * merges the chain into a raw image (convert/vhd.ts).
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { VmcraftError } from '../core/errors.js';

/** The 512-byte VHD footer (also copied at offset 0 of dynamic and differencing disks). */
export interface VhdFooter {
  diskType: 'fixed' | 'dynamic' | 'differencing' | 'unknown';
  /** Offset of the dynamic header (dynamic and differencing disks). */
  dataOffset: number;
  /** Virtual size in bytes. */
  currentSize: number;
  /** The disk's unique id, as 32 hex digits; a child names its parent by it. */
  uniqueId: string;
}

/** One parent locator entry of a differencing disk's dynamic header. */
export interface VhdLocatorEntry {
  /** `W2ru` (relative Windows path), `W2ku` (absolute Windows path), `MacX` (file URL)… */
  platform: string;
  dataLength: number;
  dataOffset: number;
}

/** The 1 KiB dynamic disk header ("cxsparse"). */
export interface VhdDynamicHeader {
  tableOffset: number;
  maxTableEntries: number;
  blockSize: number;
  /** The parent's {@link VhdFooter.uniqueId} (differencing disks). */
  parentUniqueId: string;
  /** The parent's file name or path as the child recorded it (UTF-16BE in the file). */
  parentName: string;
  locators: VhdLocatorEntry[];
}

const DISK_TYPES: Record<number, VhdFooter['diskType']> = { 2: 'fixed', 3: 'dynamic', 4: 'differencing' };
/** A block allocation table entry of a block that is not allocated. */
export const VHD_NO_BLOCK = 0xffffffff;

/**
 * Parses a VHD footer (big-endian): `conectix` cookie, data offset at 16,
 * current size at 48, disk type at 60, unique id at 68.
 */
export function parseVhdFooter(buf: Buffer): VhdFooter {
  if (buf.length < 512 || buf.toString('latin1', 0, 8) !== 'conectix') throw new VmcraftError('EFORMAT', 'not a VHD footer (no "conectix" cookie)');
  return {
    diskType: DISK_TYPES[buf.readUInt32BE(60)] ?? 'unknown',
    dataOffset: Number(buf.readBigUInt64BE(16)),
    currentSize: Number(buf.readBigUInt64BE(48)),
    uniqueId: buf.toString('hex', 68, 84),
  };
}

/**
 * Parses a dynamic disk header (big-endian): `cxsparse` cookie, BAT offset at 16,
 * entries at 28, block size at 32, parent unique id at 40, parent name (UTF-16BE)
 * at 64, eight 24-byte parent locator entries at 576.
 */
export function parseVhdDynamicHeader(buf: Buffer): VhdDynamicHeader {
  if (buf.length < 1024 || buf.toString('latin1', 0, 8) !== 'cxsparse') throw new VmcraftError('EFORMAT', 'not a VHD dynamic header (no "cxsparse" cookie)');
  const locators: VhdLocatorEntry[] = [];
  for (let i = 0; i < 8; i++) {
    const at = 576 + i * 24;
    const platform = buf.toString('latin1', at, at + 4);
    if (buf.readUInt32BE(at) === 0) continue;
    locators.push({ platform, dataLength: buf.readUInt32BE(at + 8), dataOffset: Number(buf.readBigUInt64BE(at + 16)) });
  }
  return {
    tableOffset: Number(buf.readBigUInt64BE(16)),
    maxTableEntries: buf.readUInt32BE(28),
    blockSize: buf.readUInt32BE(32),
    parentUniqueId: buf.toString('hex', 40, 56),
    parentName: utf16be(buf.subarray(64, 576)),
    locators,
  };
}

function utf16be(buf: Buffer): string {
  const swapped = Buffer.from(buf);
  swapped.swap16();
  return swapped.toString('utf16le').replace(/\0.*$/s, '');
}

async function readAt(handle: FileHandle, length: number, position: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buf, 0, length, position);
  return buf.subarray(0, bytesRead);
}

/** A VHD's footer and, for dynamic and differencing disks, its dynamic header. */
export interface VhdLayout { footer: VhdFooter; header?: VhdDynamicHeader }

/** Reads the footer (and dynamic header) of the VHD open as `handle`. */
export async function readVhdLayout(handle: FileHandle): Promise<VhdLayout> {
  const { size } = await handle.stat();
  const footer = parseVhdFooter(await readAt(handle, 512, size - 512));
  if (footer.diskType === 'fixed') return { footer };
  return { footer, header: parseVhdDynamicHeader(await readAt(handle, 1024, footer.dataOffset)) };
}

/** Reads a VHD's footer and dynamic header. */
export async function readVhd(file: string): Promise<VhdLayout> {
  const handle = await open(file, 'r');
  try {
    return await readVhdLayout(handle);
  } finally {
    await handle.close();
  }
}

/** Where a locator's data says the parent is, relative to `dir`. */
function locatorPath(platform: string, data: Buffer, dir: string): string | undefined {
  if (platform === 'W2ru') return path.resolve(dir, data.toString('utf16le').replace(/\0.*$/s, '').replace(/\\/g, '/'));
  // Absolute Windows paths and Mac URLs point into another machine: look for the same name beside the child.
  if (platform === 'W2ku') return path.join(dir, path.win32.basename(data.toString('utf16le').replace(/\0.*$/s, '')));
  if (platform === 'MacX') return path.join(dir, path.posix.basename(decodeURI(data.toString('utf8').replace(/\0.*$/s, ''))));
  return undefined;
}

/**
 * Finds and verifies the parent of a differencing VHD: the relative locator first,
 * then the absolute locators' and the recorded parent name's base name beside
 * the child. ECHAIN when none exists or the parent's unique id is not the one the
 * child recorded. `allow` sees the parent found before it is read, and returns
 * the path to read it at (or throws: the caller's policy refuses it).
 */
export async function vhdParentOf(file: string, allow: (candidate: string) => Promise<string> = async (c) => c): Promise<{ path: string; uniqueId: string; parentUniqueId: string } | undefined> {
  const handle = await open(file, 'r');
  let layout: VhdLayout;
  const candidates: string[] = [];
  try {
    layout = await readVhdLayout(handle);
    if (layout.footer.diskType !== 'differencing' || !layout.header) return undefined;
    const dir = path.dirname(file);
    for (const loc of layout.header.locators) {
      if (loc.dataLength === 0 || loc.dataLength > 64 * 1024) continue;
      const found = locatorPath(loc.platform, await readAt(handle, loc.dataLength, loc.dataOffset), dir);
      if (found) candidates.push(found);
    }
    if (layout.header.parentName) candidates.push(path.join(dir, path.win32.basename(layout.header.parentName)));
  } finally {
    await handle.close();
  }
  const header = layout.header!;
  let parent: string | undefined;
  for (const candidate of candidates) {
    if (await stat(candidate).then((s) => s.isFile(), () => false)) {
      parent = candidate;
      break;
    }
  }
  if (!parent) throw new VmcraftError('ECHAIN', `the parent ${header.parentName || '(unnamed)'} of ${file} is missing (looked for ${candidates.join(', ') || 'nothing: no locator'})`, { path: file });
  parent = await allow(parent);
  const parentId = (await readVhd(parent)).footer.uniqueId;
  if (parentId !== header.parentUniqueId) {
    throw new VmcraftError('ECHAIN', `${file} expects its parent ${parent} to have unique id ${header.parentUniqueId}, it has ${parentId} (not the disk the snapshot was taken from)`, { path: file });
  }
  return { path: parent, uniqueId: layout.footer.uniqueId, parentUniqueId: header.parentUniqueId };
}
