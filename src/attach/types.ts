/** Types of the attach layer: an image file becomes a host block device. */
import type { CleanupStack } from '../core/cleanup.js';
import type { Runner } from '../core/exec.js';
import type { ImageFormat } from './detect.js';
import type { ChainLink } from './chain.js';
import type { ChainPolicy } from './references.js';

/**
 * How an image is turned into a host block device: qemu-nbd, a
 * qemu-storage-daemon FUSE export under a loop device, a loop device, or
 * `device`: a raw block device used as it is (what the agent of a VM-mode
 * session does with its VM's disks, which QEMU already opened).
 */
export type BackendName = 'nbd' | 'fuse' | 'loop' | 'device';

/** Backend choice of a session: one backend, or `auto` to take the best that works here. */
export type BackendChoice = BackendName | 'auto';

/** A drive as added with `addDrive`, before launch. */
export interface DriveSpec {
  /** Host path of the image file (or block device). */
  path: string;
  /** Image format; detected from the file's content when not given. */
  format?: ImageFormat;
  /** Attach read-only: nothing in the image can change. */
  readonly: boolean;
  /** Which images it may read besides itself (see references.ts). @default 'none' */
  chain?: ChainPolicy;
  /**
   * A read-only drive that may be open for writing elsewhere (a running VM):
   * taken without the image's lock, so it is not refused beside a writer (see lock.ts).
   */
  live?: boolean;
}

/** A drive a backend opens: its format known, its chain verified against its policy. */
export interface VerifiedDrive extends DriveSpec {
  format: ImageFormat;
  /** The images it reads, top first, as resolveChain verified them: what qemu is given. */
  links: readonly ChainLink[];
}

/** A drive attached to the host. */
export interface AttachedDrive {
  /** Position among the session's drives (0 for the first). */
  index: number;
  /** The drive's name inside the session, libguestfs style: `/dev/sda`, `/dev/sdb`, … */
  name: string;
  /** The host block device that carries the drive (`/dev/loop3`). */
  hostDevice: string;
  /** Host path of the image. */
  path: string;
  /** Image format used to open it. */
  format: ImageFormat;
  /** Backend used. */
  backend: BackendName;
  /** Whether it is attached read-only. */
  readonly: boolean;
}

/** What a backend needs from its session. */
export interface AttachContext {
  runner: Runner;
  cleanup: CleanupStack;
  /** The session's private directory (FUSE export files live here). */
  workDir: string;
}
