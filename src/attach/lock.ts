/**
 * Image locks. A session takes the lock QEMU takes on an image, QEMU's own
 * byte-range OFD locks on the image file (one byte from offset 100 per
 * permission it holds, one from offset 200 per permission it refuses to
 * share), so QEMU (a VM, qemu-img, qemu-io, qemu-nbd) and other sessions see a
 * session the way they see a running VM, and the other way round:
 * - a writer holds consistent-read and write, and shares neither write nor
 *   resize, like a VM: a second writer, a VM or `qemu-img resize` is refused;
 * - a reader holds consistent-read and shares neither write nor resize, like
 *   `qemu-img convert`: it is refused beside a writer, and keeps writers out
 *   while it reads;
 * - a live reader (`live: true`, read-only drives only) uses qemu's
 *   `force-share`: it holds nothing another program could be refused for and
 *   is not refused beside a writer; what it reads may be inconsistent.
 *
 * qemu's format drivers (qcow2, vmdk, vhdx…) already refuse to share writes
 * on their file; raw passes its user's permissions straight through, and
 * exports and qemu-nbd share everything. So a raw image gets a filter node
 * between the format node and the file: qemu's blkdebug driver with no rules
 * (a pass-through), whose `take-child-perms` and `unshare-child-perms` add the
 * permissions above. The loop backend opens nothing through QEMU: a
 * qemu-storage-daemon holding only that filter on the image holds the lock for
 * the session. Block devices are locked the same way (qemu's `host_device`
 * driver), on the inode of the device node: a program that opens the same
 * device through another node (another /dev, a container's) does not see it.
 */
import path from 'node:path';
import { VmcraftError } from '../core/errors.js';
import { chainBlockdev } from './blockdev.js';
import { startStorageDaemon, stopStorageDaemon } from './daemon.js';
import type { AttachContext, DriveSpec, VerifiedDrive } from './types.js';

/** A qemu block node in the JSON syntax of `--blockdev`. */
export type BlockdevNode = { driver: string } & Record<string, unknown>;

/** `node` behind a filter that takes the session's permissions on it and shares neither write nor resize. */
function lockFilter(node: BlockdevNode, readonly: boolean): BlockdevNode {
  return {
    driver: 'blkdebug',
    'read-only': readonly,
    image: node,
    'take-child-perms': readonly ? ['consistent-read'] : ['consistent-read', 'write'],
    'unshare-child-perms': ['write', 'resize'],
  };
}

/**
 * The format node of `drive` with the session's lock: `force-share` for a
 * live reader (its children inherit it), the lock filter under a raw node
 * (other format drivers take the lock themselves).
 */
export function withImageLock(node: BlockdevNode & { file: BlockdevNode }, drive: DriveSpec): BlockdevNode {
  if (drive.live) return { ...node, 'force-share': true };
  return node.driver === 'raw' ? { ...node, file: lockFilter(node.file, drive.readonly) } : node;
}

/**
 * Holds the lock of a drive that the loop backend attaches, for the session:
 * a qemu-storage-daemon with the lock filter on the image, on the cleanup
 * stack (stopped after the loop device is detached). A live reader takes no lock.
 * @throws VmcraftError `EBUSY` when another program holds the image.
 */
export async function holdImageLock(drive: VerifiedDrive, index: number, ctx: AttachContext): Promise<void> {
  if (drive.live) return;
  // The image's protocol node (`file`, or `host_device` for a block device) as the backends open it.
  const { file } = chainBlockdev(drive.links, drive.readonly);
  const blockdev = { ...lockFilter(file, drive.readonly), 'node-name': 'lock' };
  const pidFile = path.join(ctx.workDir, `disk${index}.lock.pid`);
  const pid = await startStorageDaemon(['--blockdev', JSON.stringify(blockdev)], pidFile, ctx.runner).catch((err: unknown) => {
    throw openError(err, drive);
  });
  ctx.cleanup.push(`qemu-storage-daemon ${pid} locking ${drive.path}`, () => stopStorageDaemon(pid, pidFile));
}

/**
 * The error for a qemu tool that could not open `drive`: `EBUSY` when another
 * program holds the image's lock (naming the `live` option to a reader), else
 * `EFORMAT` with qemu's reason. Other errors are returned as they are.
 */
export function openError(err: unknown, drive: DriveSpec): unknown {
  if (!(err instanceof VmcraftError) || err.code !== 'ECOMMAND') return err;
  const stderr = err.command?.stderr ?? '';
  const details = { cause: err, ...(err.command ? { command: err.command } : {}), path: drive.path };
  const lock = /Failed to (?:get (?:shared )?"[^"]*" lock|lock byte \d+)/.exec(stderr);
  if (lock) {
    const held = `${drive.path} is in use: another program holds it (a running VM, qemu-img, another vmcraft session…; qemu: ${lock[0]})`;
    const hint = drive.readonly
      ? 'to read it anyway, open it with { readonly: true, live: true }: what you read may be inconsistent while the other program writes'
      : 'close that program first (two writers on one image corrupt it)';
    return new VmcraftError('EBUSY', `${held}; ${hint}`, details);
  }
  const reason = stderr.split('\n').filter(Boolean).pop() ?? err.message;
  return new VmcraftError('EFORMAT', `cannot open ${drive.path}: ${reason.replace(/^qemu-(?:storage-daemon|nbd): /, '')}`, details);
}
