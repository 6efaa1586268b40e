/** `qemu-img info` as a typed result. */
import { VmcraftError } from '../core/errors.js';
import { defaultRunner, type Runner } from '../core/exec.js';
import { chainFilename } from '../attach/blockdev.js';
import type { ChainPolicy } from '../attach/references.js';
import { resolveChain, type ChainLink } from '../attach/chain.js';
import { qemuDriver, type ImageFormat } from '../attach/detect.js';

/** One image of a backing chain, as qemu-img reports it. */
export interface ImageLayerInfo {
  filename: string;
  /** qemu driver name (`qcow2`, `vmdk`, `vpc`, `raw`…). */
  format: string;
  virtualSize: number;
  /** Bytes the file takes on the host. */
  actualSize: number;
  clusterSize?: number;
  /** The image was not closed cleanly (qcow2 lazy refcounts). */
  dirty: boolean;
  encrypted: boolean;
  backingFilename?: string;
  /** Backing file path resolved against the image's directory. */
  fullBackingFilename?: string;
  backingFormat?: string;
  /** Driver-specific data as qemu-img gives it (qcow2 compat, vmdk cid/parent-cid/create-type/extents…). */
  formatSpecific?: { type: string; data: Record<string, unknown> };
  /** The qcow2 part of {@link formatSpecific}, typed. */
  qcow2?: Qcow2Details;
  /** The vmdk part of {@link formatSpecific}, typed. */
  vmdk?: VmdkDetails;
}

/** qcow2 header details. */
export interface Qcow2Details {
  /** `0.10` (qcow2 v2) or `1.1` (v3). */
  compat: string;
  lazyRefcounts: boolean;
  /** qemu marked the image corrupt; it must be repaired (`qemu-img check -r`) before use. */
  corrupt: boolean;
  refcountBits?: number;
  compressionType?: string;
  /** Encryption format (`luks`, or `aes` for the legacy scheme). */
  encryption?: string;
  /** External data file, when the image has one. */
  dataFile?: string;
}

/** vmdk descriptor details. */
export interface VmdkDetails {
  /** Content id, 8 lowercase hex digits like in the descriptor. */
  cid: string;
  /** Parent's content id (`ffffffff` without a parent). */
  parentCid: string;
  createType: string;
  extents: { filename: string; format: string; virtualSize: number; compressed?: boolean }[];
}

/** An image with its whole backing chain, top first. */
export interface ImageInfo extends ImageLayerInfo {
  chain: ImageLayerInfo[];
}

interface QemuInfoJson {
  filename: string;
  format: string;
  'virtual-size': number;
  'actual-size'?: number;
  'cluster-size'?: number;
  'dirty-flag'?: boolean;
  encrypted?: boolean;
  'backing-filename'?: string;
  'full-backing-filename'?: string;
  'backing-filename-format'?: string;
  'format-specific'?: { type: string; data: Record<string, unknown> };
}

const hex8 = (n: unknown): string => Number(n).toString(16).padStart(8, '0');

function qcow2Details(d: Record<string, unknown>): Qcow2Details {
  const encrypt = d.encrypt as { format?: string } | undefined;
  return {
    compat: String(d.compat),
    lazyRefcounts: d['lazy-refcounts'] === true,
    corrupt: d.corrupt === true,
    ...(typeof d['refcount-bits'] === 'number' ? { refcountBits: d['refcount-bits'] } : {}),
    ...(typeof d['compression-type'] === 'string' ? { compressionType: d['compression-type'] } : {}),
    ...(encrypt?.format ? { encryption: encrypt.format } : {}),
    ...(typeof d['data-file'] === 'string' ? { dataFile: d['data-file'] } : {}),
  };
}

function vmdkDetails(d: Record<string, unknown>): VmdkDetails {
  const extents = (d.extents ?? []) as { filename: string; format: string; 'virtual-size': number; compressed?: boolean }[];
  return {
    cid: hex8(d.cid),
    parentCid: hex8(d['parent-cid']),
    createType: String(d['create-type']),
    extents: extents.map((e) => ({ filename: e.filename, format: e.format, virtualSize: e['virtual-size'], ...(e.compressed !== undefined ? { compressed: e.compressed } : {}) })),
  };
}

function layer(j: QemuInfoJson): ImageLayerInfo {
  const specific = j['format-specific'];
  return {
    filename: j.filename,
    format: j.format,
    virtualSize: j['virtual-size'],
    actualSize: j['actual-size'] ?? 0,
    dirty: j['dirty-flag'] ?? false,
    encrypted: j.encrypted ?? false,
    ...(j['cluster-size'] !== undefined ? { clusterSize: j['cluster-size'] } : {}),
    ...(j['backing-filename'] ? { backingFilename: j['backing-filename'] } : {}),
    ...(j['full-backing-filename'] ? { fullBackingFilename: j['full-backing-filename'] } : {}),
    ...(j['backing-filename-format'] ? { backingFormat: j['backing-filename-format'] } : {}),
    ...(specific ? { formatSpecific: specific } : {}),
    ...(specific?.type === 'qcow2' ? { qcow2: qcow2Details(specific.data) } : {}),
    ...(specific?.type === 'vmdk' ? { vmdk: vmdkDetails(specific.data) } : {}),
  };
}

/**
 * Parses `qemu-img info --output=json [--backing-chain]`: one object, or an
 * array top first, e.g. `[{"filename":"top.qcow2","format":"qcow2",
 * "virtual-size":67108864,"backing-filename":"mid.qcow2",…},{…}]`.
 */
export function parseImageInfo(json: string): ImageInfo {
  let parsed: QemuInfoJson | QemuInfoJson[];
  try {
    parsed = JSON.parse(json) as QemuInfoJson | QemuInfoJson[];
  } catch (err) {
    throw new VmcraftError('EFORMAT', `qemu-img info did not print JSON: ${(err as Error).message}`, { cause: err });
  }
  const chain = (Array.isArray(parsed) ? parsed : [parsed]).map(layer);
  if (chain.length === 0) throw new VmcraftError('EFORMAT', 'qemu-img info returned no image');
  return { ...chain[0]!, chain };
}

/** Options of {@link imageInfo}. */
export interface ImageInfoOptions {
  /** The image's format; detected from its content when not given. */
  format?: ImageFormat;
  /** Which images the image may read besides itself (its chain, reported in `chain`). @default 'none' */
  chain?: ChainPolicy;
  runner?: Runner;
}

/** Typed `qemu-img info` of one verified image, opened alone (its format and `backing: null` given to qemu). */
export async function layerInfo(link: ChainLink, runner: Runner = defaultRunner): Promise<ImageLayerInfo> {
  try {
    const { stdout } = await runner.run('qemu-img', ['info', '--output=json', '-f', qemuDriver(link.format), chainFilename([link], true)]);
    return parseImageInfo(stdout).chain[0]!;
  } catch (err) {
    if (!(err instanceof VmcraftError) || err.code !== 'ECOMMAND') throw err;
    const stderr = err.command?.stderr ?? '';
    throw new VmcraftError('EFORMAT', `cannot read ${link.path}: ${stderr.split('\n').filter(Boolean).pop() ?? err.message}`, { cause: err, command: err.command, path: link.path });
  }
}

/**
 * Typed `qemu-img info` of an image and of each image of its chain, top
 * first. The chain is verified against the `chain` option first (by default
 * the image alone: one with a backing file is refused with `EUNSAFE`), then
 * each image is read alone: qemu-img's `--backing-chain` would open the
 * parents by the names in the headers.
 */
export async function imageInfo(path: string, options: ImageInfoOptions = {}): Promise<ImageInfo> {
  const links = await resolveChain(path, { ...(options.format ? { format: options.format } : {}), ...(options.chain ? { chain: options.chain } : {}) });
  const chain: ImageLayerInfo[] = [];
  for (const link of links) chain.push(await layerInfo(link, options.runner));
  return { ...chain[0]!, chain };
}
