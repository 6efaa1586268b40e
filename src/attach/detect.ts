/**
 * Image format detection from magic bytes and structure, never from the file
 * name, and never by letting qemu guess (qemu's raw probing is how a guest
 * that writes a qcow2 header into its own disk gets to read host files).
 */
import type { Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { VmcraftError, fromFsError } from '../core/errors.js';
import { defaultRunner } from '../core/exec.js';

/** Image formats vmcraft tells apart. */
export type ImageFormat = 'qcow2' | 'vmdk' | 'vdi' | 'vhd' | 'vhdx' | 'raw' | 'iso' | 'ova' | 'ovf' | 'qed' | 'parallels' | 'luks';

/** What {@link detectFormat} found, and why. */
export interface FormatDetection {
  format: ImageFormat;
  /** Variant: qcow2 `v2`/`v3`, vmdk create type, vhd `fixed`/`dynamic`/`differencing`, luks `luks1`/`luks2`, raw `mbr`/`gpt`. */
  subformat?: string;
  confidence: 'high' | 'medium' | 'low';
  /** Human-readable evidence, e.g. `magic "QFI\xfb" at offset 0`. */
  reasons: string[];
}

/** qemu block driver name for a format. */
export function qemuDriver(format: ImageFormat): string {
  switch (format) {
    case 'vhd':
      return 'vpc';
    case 'iso':
      return 'raw';
    case 'ova':
    case 'ovf':
      throw new VmcraftError('EFORMAT', `${format} is not a disk image format`);
    default:
      return format;
  }
}

/** The parts of a file detection looks at: its first 64 KiB, last 512 bytes and size. */
export interface FileSample {
  head: Buffer;
  tail: Buffer;
  size: number;
}

const VHD_TYPES: Record<number, string> = { 2: 'fixed', 3: 'dynamic', 4: 'differencing' };

function ascii(buf: Buffer, start: number, length: number): string {
  return buf.subarray(start, start + length).toString('latin1');
}

function truncated(format: string, need: number, size: number): VmcraftError {
  return new VmcraftError('EFORMAT', `${format} image is truncated: its header needs ${need} bytes, the file has ${size}`);
}

function detectQcow2(s: FileSample): FormatDetection | undefined {
  if (ascii(s.head, 0, 4) !== 'QFI\xfb') return undefined;
  if (s.size < 72) throw truncated('qcow2', 72, s.size);
  const version = s.head.readUInt32BE(4);
  if (version === 1) throw new VmcraftError('EUNSUPPORTED', 'legacy qcow (version 1) image: convert it with `qemu-img convert -f qcow` first');
  const clusterBits = s.head.readUInt32BE(20);
  if (version < 2 || version > 3 || clusterBits < 9 || clusterBits > 21) {
    throw new VmcraftError('EFORMAT', `corrupt qcow2 header (version ${version}, cluster bits ${clusterBits})`);
  }
  // Header, L1 table and refcount table must lie inside the file.
  const l1Offset = Number(s.head.readBigUInt64BE(40));
  const refcountOffset = Number(s.head.readBigUInt64BE(48));
  const end = Math.max(l1Offset, refcountOffset) + 1;
  if (end > s.size) throw new VmcraftError('EFORMAT', `qcow2 image is truncated: its tables start at byte ${end - 1}, the file has ${s.size} bytes`);
  return { format: 'qcow2', subformat: `v${version}`, confidence: 'high', reasons: ['magic "QFI\\xfb" at offset 0', `qcow2 version ${version}`] };
}

/** Extent file names of a text descriptor, for the reasons. */
function descriptorExtents(text: string): string[] {
  return [...text.matchAll(/^\s*(?:RW|RDONLY|NOACCESS)\s+\d+\s+\w+\s+"([^"]*)"/gm)].map((m) => m[1]!);
}

/** A hosted sparse extent ("KDMV"): its embedded descriptor names the create type; else the flags do. */
function detectSparseVmdk(s: FileSample): FormatDetection {
  if (s.size < 512) throw truncated('vmdk', 512, s.size);
  const flags = s.head.readUInt32LE(8);
  const descriptorOffset = Number(s.head.readBigUInt64LE(28)) * 512;
  const gdOffset = s.head.readBigUInt64LE(56);
  const compressed = s.head.readUInt16LE(77) === 1;
  const reasons = ['magic "KDMV" at offset 0 (hosted sparse extent)'];
  // streamOptimized images may keep the grain directory in a footer (GD_AT_END).
  if (gdOffset !== 0xffffffffffffffffn && Number(gdOffset) * 512 >= s.size) {
    throw new VmcraftError('EFORMAT', `vmdk image is truncated: its grain directory is at byte ${Number(gdOffset) * 512}, the file has ${s.size} bytes`);
  }
  const embedded = descriptorOffset > 0 ? /^createType\s*=\s*"([^"]+)"/m.exec(ascii(s.head, descriptorOffset, 4096))?.[1] : undefined;
  if (embedded) return { format: 'vmdk', subformat: embedded, confidence: 'high', reasons: [...reasons, `embedded descriptor with createType "${embedded}"`] };
  const subformat = compressed || flags & (1 << 16) ? 'streamOptimized' : 'monolithicSparse';
  reasons.push('no embedded descriptor: an extent of a split or descriptor-file disk');
  return { format: 'vmdk', subformat, confidence: 'medium', reasons };
}

function detectVmdk(s: FileSample): FormatDetection | undefined {
  const magic = ascii(s.head, 0, 4);
  if (magic === 'KDMV') return detectSparseVmdk(s);
  if (magic === 'COWD') return { format: 'vmdk', subformat: 'vmfsSparse', confidence: 'medium', reasons: ['magic "COWD" at offset 0 (ESX snapshot extent; open its descriptor instead)'] };
  if (s.head.length >= 8 && s.head.readBigUInt64LE(0) === 0xcafebaben) {
    return { format: 'vmdk', subformat: 'seSparse', confidence: 'medium', reasons: ['magic 0xcafebabe at offset 0 (ESXi seSparse extent; open its descriptor instead)'] };
  }
  const text = ascii(s.head, 0, Math.min(s.head.length, 4096));
  if (/^#\s*Disk DescriptorFile/m.test(text)) {
    const createType = /^createType\s*=\s*"([^"]+)"/m.exec(text)?.[1];
    const extents = descriptorExtents(text);
    return {
      format: 'vmdk', ...(createType ? { subformat: createType } : {}), confidence: 'high',
      reasons: ['text descriptor "# Disk DescriptorFile"', ...(extents.length ? [`extents: ${extents.join(', ')}`] : [])],
    };
  }
  return undefined;
}

function detectVhd(s: FileSample): FormatDetection | undefined {
  const footer = s.tail.length >= 512 && ascii(s.tail, s.tail.length - 512, 8) === 'conectix' ? s.tail.subarray(s.tail.length - 512) : undefined;
  const header = ascii(s.head, 0, 8) === 'conectix' ? s.head : undefined;
  const block = footer ?? header;
  if (!block) return undefined;
  if (!footer) throw new VmcraftError('EFORMAT', 'vhd image is truncated: the footer copy is at the start but the footer at the end is missing');
  const type = VHD_TYPES[block.readUInt32BE(60)] ?? 'unknown';
  if (type !== 'fixed') {
    // The dynamic header (1 KiB) must fit before the footer.
    const dataOffset = Number(block.readBigUInt64BE(16));
    if (dataOffset + 1024 > s.size - 512) throw new VmcraftError('EFORMAT', `vhd image is truncated: its dynamic header at byte ${dataOffset} is past the end (${s.size} bytes)`);
  }
  return { format: 'vhd', subformat: type, confidence: 'high', reasons: ['footer cookie "conectix" in the last 512 bytes', `disk type ${type}`] };
}

/** LUKS1 or LUKS2 header; the payload must fit in the file. */
function detectLuks(s: FileSample): FormatDetection | undefined {
  if (ascii(s.head, 0, 6) !== 'LUKS\xba\xbe') return undefined;
  if (s.size < 592) throw truncated('luks', 592, s.size);
  const version = s.head.readUInt16BE(6);
  if (version === 1) {
    const payload = s.head.readUInt32BE(104) * 512;
    if (payload > s.size) throw new VmcraftError('EFORMAT', `luks image is truncated: its payload starts at byte ${payload}, the file has ${s.size} bytes`);
  }
  return { format: 'luks', subformat: `luks${version}`, confidence: 'high', reasons: ['LUKS magic at offset 0', `LUKS version ${version}`] };
}

function detectSimple(s: FileSample): FormatDetection | undefined {
  if (ascii(s.head, 0, 8) === 'vhdxfile') {
    if (s.size < 1024 * 1024) throw truncated('vhdx', 1024 * 1024, s.size);
    return { format: 'vhdx', confidence: 'high', reasons: ['signature "vhdxfile" at offset 0'] };
  }
  if (s.head.length >= 0x44 && s.head.readUInt32LE(0x40) === 0xbeda107f) {
    // VDI 1.1 header: block map offset at 0x154, data offset at 0x158.
    if (s.size < 0x200) throw truncated('vdi', 0x200, s.size);
    const dataOffset = s.head.readUInt32LE(0x158);
    if (dataOffset > s.size) throw new VmcraftError('EFORMAT', `vdi image is truncated: its data starts at byte ${dataOffset}, the file has ${s.size} bytes`);
    return { format: 'vdi', confidence: 'high', reasons: ['signature 0xbeda107f at offset 0x40'] };
  }
  if (ascii(s.head, 0, 4) === 'QED\0') {
    if (s.size < 64) throw truncated('qed', 64, s.size);
    const l1Offset = Number(s.head.readBigUInt64LE(40));
    if (l1Offset >= s.size) throw new VmcraftError('EFORMAT', `qed image is truncated: its L1 table is at byte ${l1Offset}, the file has ${s.size} bytes`);
    return { format: 'qed', confidence: 'high', reasons: ['magic "QED\\0" at offset 0'] };
  }
  if (/^WithoutFreeSpace|^WithouFreSpacExt/.test(ascii(s.head, 0, 16))) {
    // Header (64 bytes) then the block allocation table of bat_entries (at 32) 32-bit entries.
    const batEnd = 64 + (s.size >= 64 ? s.head.readUInt32LE(32) * 4 : 0);
    if (s.size < batEnd) throw truncated('parallels', batEnd, s.size);
    return { format: 'parallels', confidence: 'high', reasons: ['parallels signature at offset 0'] };
  }
  if (ascii(s.head, 257, 5) === 'ustar') {
    const first = ascii(s.head, 0, 100).replace(/\0.*$/s, '');
    return { format: 'ova', confidence: first.toLowerCase().endsWith('.ovf') ? 'high' : 'medium', reasons: ['tar archive ("ustar" at offset 257)', `first member ${first}`] };
  }
  if (/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<([\w-]+:)?Envelope\b/.test(ascii(s.head, 0, 4096))) {
    return { format: 'ovf', confidence: 'high', reasons: ['XML document with an Envelope root'] };
  }
  if (ascii(s.head, 0x8001, 5) === 'CD001') return { format: 'iso', confidence: 'high', reasons: ['ISO 9660 "CD001" at offset 0x8001'] };
  return undefined;
}

function detectRaw(s: FileSample): FormatDetection {
  if (s.head.length >= 520 && ascii(s.head, 512, 8) === 'EFI PART') {
    return { format: 'raw', subformat: 'gpt', confidence: 'medium', reasons: ['no image format magic', 'GPT header "EFI PART" at LBA 1'] };
  }
  if (s.head.length >= 512 && s.head[510] === 0x55 && s.head[511] === 0xaa) {
    return { format: 'raw', subformat: 'mbr', confidence: 'medium', reasons: ['no image format magic', 'boot signature 0x55AA at offset 510'] };
  }
  return { format: 'raw', confidence: 'low', reasons: ['no image format magic and no partition table: assuming raw'] };
}

/** Detects the format of an in-memory sample (pure; used by {@link detectFormat}). */
export function detectFromSample(sample: FileSample): FormatDetection {
  if (sample.size === 0) throw new VmcraftError('EFORMAT', 'empty image (0 bytes)');
  return detectQcow2(sample) ?? detectVmdk(sample) ?? detectVhd(sample) ?? detectLuks(sample) ?? detectSimple(sample) ?? detectRaw(sample);
}

/** Size of an image in bytes: a file's length, or what the kernel says of a block device (stat() says 0). */
export async function imageSize(path: string, info: Stats): Promise<number> {
  return info.isBlockDevice() ? Number((await defaultRunner.run('blockdev', ['--getsize64', path])).stdout.trim()) : info.size;
}

/**
 * Reads the head (64 KiB) and tail (512 bytes) of a file or block device and
 * detects its format: ENOENT when missing, EINVAL for a directory, EFORMAT
 * when empty or cut short of what its header says.
 */
export async function detectFormat(path: string): Promise<FormatDetection> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw fromFsError(err, path, 'cannot open image');
  }
  if (info.isDirectory()) throw new VmcraftError('EINVAL', `${path} is a directory, not a disk image`, { path });
  const size = await imageSize(path, info);
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(64 * 1024, size));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(512, size));
    if (tail.length) await handle.read(tail, 0, tail.length, size - tail.length);
    try {
      return detectFromSample({ head: head.subarray(0, bytesRead), tail, size });
    } catch (err) {
      if (err instanceof VmcraftError) throw new VmcraftError(err.code, `${path}: ${err.message}`, { path, cause: err });
      throw err;
    }
  } finally {
    await handle.close();
  }
}
