/**
 * What libguestfs' `disk_format`, `disk_virtual_size` and
 * `disk_has_backing_file` answer, for an image that may be hostile: its
 * format detected from its own bytes, then `qemu-img info` on the image
 * alone (`backing: null`), so no backing file or parent it names is ever
 * opened; a vmdk's extents must be files beside it, and a qcow2 with an
 * external data file is refused, as when a session opens it.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { isVmcraftError } from '../core/errors.js';
import type { Runner } from '../core/exec.js';
import { detectFormat, qemuDriver } from '../attach/detect.js';
import { readHeaderReferences } from '../attach/headers.js';
import { allowExtent, refuseDataFile } from '../attach/references.js';
import { vhdParentOf } from '../attach/vhd.js';
import { NO_PARENT_CID, readVmdkDescriptor } from '../attach/vmdk.js';
import { layerInfo } from './info.js';

/** What the disk_* calls read from an image. */
export interface DiskProbe {
  /** qemu's name for the format (`raw`, `qcow2`, `vmdk`, `vpc`, `vhdx`…), as libguestfs' `disk_format`. */
  format: string;
  virtualSize: number;
  /** The image names a backing file or parent (which was not opened). */
  hasBackingFile: boolean;
}

/** Stops vhdParentOf at the parent it found, before it reads it. */
const PARENT_FOUND = Symbol('parent found');

/** Whether a VHD is differencing: its parent is looked for but never read. */
async function vhdHasParent(file: string): Promise<boolean> {
  try {
    return (await vhdParentOf(file, () => Promise.reject(PARENT_FOUND))) !== undefined;
  } catch (err) {
    if (err === PARENT_FOUND || isVmcraftError(err, 'ECHAIN')) return true;
    throw err;
  }
}

/**
 * Probes an image without following its chain.
 * @throws VmcraftError `ENOENT`, `EFORMAT` (unreadable), `EUNSAFE` (a vmdk extent elsewhere, a qcow2 data file)
 */
export async function probeDiskImage(file: string, runner: Runner): Promise<DiskProbe> {
  const real = await realpath(file).catch(() => path.resolve(file));
  const { format } = await detectFormat(real);
  let named = false;
  if (format === 'qcow2' || format === 'qed') {
    const refs = await readHeaderReferences(real, format);
    if (refs.dataFile !== undefined) throw refuseDataFile(real, refs.dataFile);
    named = refs.backing !== undefined;
  } else if (format === 'vmdk') {
    const desc = await readVmdkDescriptor(real);
    if (!desc.embedded) for (const e of desc.extents) if (e.file && e.type !== 'ZERO') await allowExtent(real, e.file, { kind: 'none' });
    named = desc.parentCid !== NO_PARENT_CID;
  } else if (format === 'vhd') {
    named = await vhdHasParent(real);
  }
  const info = await layerInfo({ path: real, format }, runner);
  return { format: qemuDriver(format), virtualSize: info.virtualSize, hasBackingFile: named || info.backingFilename !== undefined };
}
