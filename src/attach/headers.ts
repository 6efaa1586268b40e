/**
 * What qcow2 and qed headers name outside the image: the backing file (with
 * its recorded format) and qcow2's external data file. Read by vmcraft itself,
 * so that no qemu tool opens an image before its references are checked (even
 * `qemu-img info` opens a qcow2's data file, which may be `nbd://…`).
 */
import { open } from 'node:fs/promises';
import { VmcraftError } from '../core/errors.js';

/** The files a qcow2 or qed header names, as recorded (relative names are relative to the image's directory). */
export interface HeaderReferences {
  /** The backing file name, when the image has one. */
  backing?: string;
  /** The backing file's qemu format as recorded; absent when qemu would probe it. */
  backingFormat?: string;
  /** The external data file (qcow2 incompatible feature bit 2): its name, `''` when the header has none. */
  dataFile?: string;
}

/** qemu refuses longer backing file names. */
const MAX_NAME = 1023;
const EXT_BACKING_FORMAT = 0xe2792aca;
const EXT_DATA_FILE = 0x44415441;
const INCOMPAT_DATA_FILE = 1n << 2n;

/** EFORMAT unless `buf` starts with `magic` and holds a whole header of `length` bytes. */
function checkHeader(buf: Buffer, format: string, magic: string, length: number): void {
  if (buf.length < 4 || buf.toString('latin1', 0, 4) !== magic) throw new VmcraftError('EFORMAT', `not a ${format} image (no ${format} magic)`);
  if (buf.length < length) throw new VmcraftError('EFORMAT', `${format} image is truncated: its header needs ${length} bytes, the file has ${buf.length}`);
}

function name(buf: Buffer, offset: number, size: number, what: string): string {
  if (size > MAX_NAME || offset + size > buf.length) throw new VmcraftError('EFORMAT', `corrupt header: the ${what} name (${size} bytes at ${offset}) is longer than qemu allows or past the header`);
  return buf.toString('utf8', offset, offset + size);
}

/**
 * Parses the references of a qcow2 header (big-endian) from the image's first
 * cluster, where qemu wants them: backing file offset (u64 at 8) and size (u32
 * at 16); for v3 the incompatible features (u64 at 72) and header length (u32
 * at 100); then the header extensions (type u32, length u32, data padded to 8
 * bytes; type 0 ends them): 0xe2792aca the backing format, 0x44415441 the data
 * file name.
 */
export function parseQcow2References(cluster: Buffer): HeaderReferences {
  checkHeader(cluster, 'qcow2', 'QFI\xfb', 8);
  const version = cluster.readUInt32BE(4);
  checkHeader(cluster, 'qcow2', 'QFI\xfb', version >= 3 ? 104 : 72);
  const backingOffset = Number(cluster.readBigUInt64BE(8));
  const backingSize = cluster.readUInt32BE(16);
  const extensions = new Map<number, string>();
  const end = backingOffset > 0 ? Math.min(backingOffset, cluster.length) : cluster.length;
  for (let at = version >= 3 ? cluster.readUInt32BE(100) : 72; at + 8 <= end; at += 8 + Math.ceil(cluster.readUInt32BE(at + 4) / 8) * 8) {
    const type = cluster.readUInt32BE(at);
    const length = cluster.readUInt32BE(at + 4);
    if (type === 0) break;
    if (at + 8 + length > end) throw new VmcraftError('EFORMAT', `corrupt qcow2 header: extension 0x${type.toString(16)} runs past the header`);
    extensions.set(type, cluster.toString('utf8', at + 8, at + 8 + length));
  }
  const backingFormat = extensions.get(EXT_BACKING_FORMAT);
  const dataFileBit = version >= 3 && (cluster.readBigUInt64BE(72) & INCOMPAT_DATA_FILE) !== 0n;
  return {
    ...(backingOffset > 0 && backingSize > 0 ? { backing: name(cluster, backingOffset, backingSize, 'backing file'), ...(backingFormat ? { backingFormat } : {}) } : {}),
    ...(dataFileBit ? { dataFile: extensions.get(EXT_DATA_FILE) ?? '' } : {}),
  };
}

/**
 * Parses the references of a qed header (little-endian) from its header
 * clusters: features (u64 at 16), backing file name offset (u32 at 56) and
 * size (u32 at 60). Feature 1 means a backing file; feature 4 that it is raw
 * (else qemu probes its format).
 */
export function parseQedReferences(cluster: Buffer): HeaderReferences {
  checkHeader(cluster, 'qed', 'QED\0', 64);
  const features = cluster.readBigUInt64LE(16);
  if ((features & 1n) === 0n) return {};
  const backing = name(cluster, cluster.readUInt32LE(56), cluster.readUInt32LE(60), 'backing file');
  return { backing, ...((features & 4n) !== 0n ? { backingFormat: 'raw' } : {}) };
}

/** Reads the header clusters of a qcow2 (its first cluster) or qed image (at most 2 MiB) and parses its references. */
export async function readHeaderReferences(file: string, format: 'qcow2' | 'qed'): Promise<HeaderReferences> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(64);
    await handle.read(head, 0, 64, 0);
    const headerSize = format === 'qcow2' ? 2 ** head.readUInt32BE(20) : head.readUInt32LE(4) * head.readUInt32LE(12);
    const cluster = Buffer.alloc(Math.min(Math.max(headerSize, 512), 2 * 2 ** 20));
    const { bytesRead } = await handle.read(cluster, 0, cluster.length, 0);
    return (format === 'qcow2' ? parseQcow2References : parseQedReferences)(cluster.subarray(0, bytesRead));
  } catch (err) {
    if (err instanceof VmcraftError) throw new VmcraftError(err.code, `${file}: ${err.message}`, { path: file, cause: err });
    throw err;
  } finally {
    await handle.close();
  }
}
