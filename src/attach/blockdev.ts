/**
 * qemu's view of a verified chain: block node options (the JSON of
 * `--blockdev`, and of `json:` file names for qemu-img and qemu-nbd) that
 * name every image's file and format and give every backing explicitly, or
 * `null`, so that qemu never opens a file name it read from a header and
 * never probes a format. vmdk extents are the one thing qemu still finds by
 * the names in a descriptor; resolveChain checks them first.
 */
import { VmcraftError } from '../core/errors.js';
import { qemuDriver, type ImageFormat } from './detect.js';
import type { ChainLink } from './chain.js';

/** The protocol node of one image: qemu's `file` driver, `host_device` for a block device. */
export type FileNode = { driver: 'file' | 'host_device'; filename: string; 'read-only': boolean };

/** The format node of one image of a chain, its backing given (`null`: none) where the format has one. */
export type ChainNode = { driver: string; 'read-only': boolean; file: FileNode; backing?: ChainNode | null };

/** Formats with a `backing` in qemu (a child image whose unallocated data comes from its parent). */
const WITH_BACKING: ReadonlySet<ImageFormat> = new Set(['qcow2', 'qed', 'vmdk']);

/**
 * The node that opens `chain` (top first, as resolveChain verified it): the
 * top writable unless `readonly`, its parents always read-only, the last
 * image's backing `null`.
 */
export function chainBlockdev(chain: readonly ChainLink[], readonly: boolean): ChainNode {
  const [link, ...parents] = chain;
  if (!link) throw new VmcraftError('EINVAL', 'an empty chain');
  const node: ChainNode = {
    driver: qemuDriver(link.format),
    'read-only': readonly,
    file: { driver: link.blockDevice ? 'host_device' : 'file', filename: link.path, 'read-only': readonly },
  };
  if (WITH_BACKING.has(link.format)) node.backing = parents.length ? chainBlockdev(parents, true) : null;
  else if (parents.length) throw new VmcraftError('EUNSUPPORTED', `${link.path} is ${link.format}, which qemu opens without a parent: flatten its chain first (convert.flatten)`, { path: link.path });
  return node;
}

/** {@link chainBlockdev} as a `json:` file name, for qemu-img and qemu-nbd (given with `-f`, which they accept beside it). */
export function chainFilename(chain: readonly ChainLink[], readonly: boolean): string {
  return `json:${JSON.stringify(chainBlockdev(chain, readonly))}`;
}
