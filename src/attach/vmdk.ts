/** VMDK descriptors: the text file of descriptor-based disks, or the copy embedded in a sparse extent. */
import { open } from 'node:fs/promises';
import { VmcraftError } from '../core/errors.js';

/** One extent line of a VMDK descriptor. */
export interface VmdkExtent {
  access: string;
  sectors: number;
  type: string;
  file?: string;
  offset?: number;
}

/** A parsed VMDK descriptor. */
export interface VmdkDescriptor {
  cid: string;
  parentCid: string;
  createType: string;
  parentFileNameHint?: string;
  extents: VmdkExtent[];
  /** `ddb.*` entries (geometry, adapter type, virtual hardware version…). */
  ddb: Record<string, string>;
}

/** parentCID of a VMDK that has no parent. */
export const NO_PARENT_CID = 'ffffffff';

/**
 * Parses a VMDK text descriptor:
 * ```
 * # Disk DescriptorFile
 * CID=f4bff0bb
 * parentCID=68dae3d4
 * createType="monolithicSparse"
 * parentFileNameHint="b.vmdk"
 * RW 131072 SPARSE "s1.vmdk"
 * ddb.adapterType = "ide"
 * ```
 */
export function parseVmdkDescriptor(text: string): VmdkDescriptor {
  const desc: VmdkDescriptor = { cid: '', parentCid: NO_PARENT_CID, createType: '', extents: [], ddb: {} };
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\0.*$/s, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const extent = /^(RW|RDONLY|NOACCESS)\s+(\d+)\s+(\w+)(?:\s+"([^"]*)"(?:\s+(\d+))?)?/.exec(line);
    if (extent) {
      desc.extents.push({ access: extent[1]!, sectors: Number(extent[2]), type: extent[3]!, ...(extent[4] !== undefined ? { file: extent[4] } : {}), ...(extent[5] ? { offset: Number(extent[5]) } : {}) });
      continue;
    }
    const kv = /^([\w.]+)\s*=\s*"?([^"]*)"?$/.exec(line);
    if (!kv) continue;
    const [, key, value] = kv as unknown as [string, string, string];
    if (key === 'CID') desc.cid = value.toLowerCase();
    else if (key === 'parentCID') desc.parentCid = value.toLowerCase();
    else if (key === 'createType') desc.createType = value;
    else if (key === 'parentFileNameHint') desc.parentFileNameHint = value;
    else if (key.startsWith('ddb.')) desc.ddb[key.slice(4)] = value;
  }
  if (!desc.cid || !desc.createType) throw new VmcraftError('EFORMAT', 'not a VMDK descriptor (no CID or createType)');
  return desc;
}

/** The largest descriptor read, text file or embedded (VMware writes 10-20 sectors). */
const MAX_DESCRIPTOR = 64 * 1024;

/**
 * Reads the descriptor of a VMDK: a text descriptor file, or the one embedded
 * in a sparse extent (`embedded: true`). A sparse file with an embedded
 * descriptor is its own one extent, whatever file name the descriptor gives it
 * (FreeBSD's mkimg and VMware write other names there; qemu ignores them).
 */
export async function readVmdkDescriptor(file: string): Promise<VmdkDescriptor & { embedded: boolean }> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(512);
    await handle.read(head, 0, 512, 0);
    if (head.toString('latin1', 0, 4) !== 'KDMV') {
      const text = Buffer.alloc(Math.min((await handle.stat()).size, MAX_DESCRIPTOR));
      await handle.read(text, 0, text.length, 0);
      return { ...parseVmdkDescriptor(text.toString('utf8')), embedded: false };
    }
    // Sparse extent header: descriptorOffset and descriptorSize, in sectors, at bytes 28 and 36.
    const offset = Number(head.readBigUInt64LE(28)) * 512;
    const size = Number(head.readBigUInt64LE(36)) * 512;
    if (offset === 0 || size === 0) throw new VmcraftError('EFORMAT', `${file} is a VMDK extent without an embedded descriptor`);
    // The header is the image's word: a descriptor is a few sectors of text, never megabytes.
    if (size > MAX_DESCRIPTOR) throw new VmcraftError('EFORMAT', `${file} claims an embedded VMDK descriptor of ${size} bytes (more than ${MAX_DESCRIPTOR}): not a VMDK vmcraft will read`);
    const text = Buffer.alloc(size);
    await handle.read(text, 0, size, offset);
    return { ...parseVmdkDescriptor(text.toString('utf8')), embedded: true };
  } finally {
    await handle.close();
  }
}
