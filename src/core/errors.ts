/**
 * The one error hierarchy of vmcraft. Every failure a caller can see is a
 * {@link VmcraftError} with a stable string {@link VmcraftError.code}, so
 * callers can `switch (err.code)` instead of matching messages.
 */

/** Every error code vmcraft throws, with what it means. */
export const ERROR_CODES = {
  EINVAL: 'an argument or option is invalid',
  ENOTLAUNCHED: 'the session has not been launched yet',
  ECLOSED: 'the session has been closed',
  ELAUNCHED: 'the session is already launched (drives can only be added before launch)',
  ETOOLMISSING: 'a host tool that this operation needs is not installed',
  EUNSUPPORTED: 'the host or the image lacks a feature this operation needs',
  EFORMAT: 'the image format is unknown, corrupt or truncated',
  ECHAIN: 'a snapshot chain is broken: a parent is missing, a CID does not match, or it loops',
  EUNSAFE: 'an image names a file, device or network location it may not read (a backing file, extent or data file outside what the caller allowed)',
  ECHECKSUM: 'a checksum does not match its manifest',
  EATTACH: 'the image could not be attached as a block device',
  EBUSY: 'the image is in use: another program (a running VM, qemu-img, another session) holds its lock',
  EMOUNT: 'a filesystem could not be mounted or unmounted',
  ENOTMOUNTED: 'no filesystem is mounted at that guest path',
  EPATHESCAPE: 'a guest path tried to leave the guest root',
  ENOENT: 'no such file, directory or device',
  EEXIST: 'the file already exists',
  EISDIR: 'the path is a directory',
  ENOTDIR: 'a path component is not a directory',
  ENOTEMPTY: 'the directory is not empty',
  ELOOP: 'too many levels of symbolic links',
  EACCES: 'permission denied',
  EREADONLY: 'the session or mount is read-only',
  EBADKEY: 'the key or passphrase is wrong',
  EINSPECT: 'the guest operating system could not be inspected',
  EREGISTRY: 'a Windows registry hive could not be read or written',
  EAUGEAS: 'an Augeas call failed: a bad path expression, a value its lens cannot write, a failed save (the message is Augeas\'s)',
  EVALIDATE: 'a pipeline output failed validation: qemu-img check, re-inspection or the boot test',
  EARCH: 'the guest is for another CPU architecture and this host cannot run its binaries',
  ETIMEOUT: 'an external command took longer than its time limit',
  EABORTED: 'the operation was aborted by its AbortSignal',
  ECOMMAND: 'an external command failed',
  EIO: 'an I/O error on the host',
  ECLEANUP: 'one or more resources could not be released',
  EVM: 'the VM of a VM-mode session did not come up, stopped, or broke its protocol (the error carries the tail of its console)',
} as const;

/** A stable error code: see {@link ERROR_CODES} for their meaning. */
export type VmcraftErrorCode = keyof typeof ERROR_CODES;

/** Details of an external command that failed, after execa's "an error is a result". */
export interface CommandDetails {
  /** The command line as one string (secrets redacted). */
  command: string;
  /** The argument vector, program first (secrets redacted). */
  argv: string[];
  /** The exit code, when the process exited. */
  exitCode?: number;
  /** The signal that killed the process, when one did. */
  signal?: string;
  /** What the process wrote on standard error (trimmed, at most 8 KiB). */
  stderr: string;
  /** How long the command ran. */
  durationMs: number;
}

/** Options of the {@link VmcraftError} constructor. */
export interface VmcraftErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** The failed external command, where one did. */
  command?: CommandDetails;
  /** The guest or host path the error is about. */
  path?: string;
  /** Errors collected while tearing down several resources. */
  errors?: unknown[];
  /** The kernel feature this host lacks (`EUNSUPPORTED`): `device-mapper`, `md`, `loop`. */
  feature?: string;
  /** The tail of a VM's console (`EVM`). */
  console?: string;
}

const BRAND = Symbol.for('vmcraft.error');

/**
 * The base class of every error vmcraft throws.
 *
 * @example
 * ```ts
 * try { await g.read('/etc/shadow'); }
 * catch (err) { if (isVmcraftError(err) && err.code === 'ENOENT') ... }
 * ```
 */
export class VmcraftError extends Error {
  /** The stable error code. */
  readonly code: VmcraftErrorCode;
  /** The failed external command (argv, exit code, stderr, duration), where one did. */
  readonly command?: CommandDetails;
  /** The guest or host path the error is about. */
  readonly path?: string;
  /** Errors collected while releasing several resources ({@link VmcraftErrorCode} `ECLEANUP`). */
  readonly errors?: unknown[];
  /** The kernel feature this host lacks, for `EUNSUPPORTED` from a storage layer: `device-mapper`, `md`. VM mode has it. */
  readonly feature?: string;
  /** The tail of the VM's console, for `EVM` (and for a VM-mode call that times out). */
  readonly console?: string;

  constructor(code: VmcraftErrorCode, message: string, options: VmcraftErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.command) this.command = options.command;
    if (options.path !== undefined) this.path = options.path;
    if (options.errors) this.errors = options.errors;
    if (options.feature) this.feature = options.feature;
    if (options.console !== undefined) this.console = options.console;
    Object.setPrototypeOf(this, new.target.prototype);
  }

  /** Works across copies of the package, unlike a bare `instanceof` on one copy. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
Object.defineProperty(VmcraftError.prototype, 'name', { value: 'VmcraftError', enumerable: false });
Object.defineProperty(VmcraftError.prototype, BRAND, { value: true, enumerable: false });

/** True when `value` is a {@link VmcraftError}, optionally with the given code. */
export function isVmcraftError(value: unknown, code?: VmcraftErrorCode): value is VmcraftError {
  return value instanceof VmcraftError && (code === undefined || value.code === code);
}

/** Node's errno codes that map one-to-one onto ours. */
const ERRNO_MAP: Record<string, VmcraftErrorCode> = {
  ENOENT: 'ENOENT',
  EEXIST: 'EEXIST',
  EISDIR: 'EISDIR',
  ENOTDIR: 'ENOTDIR',
  ENOTEMPTY: 'ENOTEMPTY',
  ELOOP: 'ELOOP',
  EACCES: 'EACCES',
  EPERM: 'EACCES',
  EROFS: 'EREADONLY',
  EINVAL: 'EINVAL',
};

/**
 * Turns a Node fs error into a VmcraftError that names the guest path
 * (never the host path under the session's private mount directory).
 */
export function fromFsError(err: unknown, guestPath: string, operation: string): VmcraftError {
  if (err instanceof VmcraftError) return err;
  const errno = (err as NodeJS.ErrnoException)?.code ?? '';
  const code = ERRNO_MAP[errno] ?? 'EIO';
  // The code is printed beside the message (`ENOENT: read /x: no such file…`): name the errno only when it differs.
  const reason = !errno ? String((err as Error)?.message ?? err) : errno === code ? ERROR_CODES[code] : `${ERROR_CODES[code]} (${errno})`;
  return new VmcraftError(code, `${operation} ${guestPath}: ${reason}`, { cause: err, path: guestPath });
}

/**
 * An error as one line, `CODE: message`, the way the CLI and warnings print
 * it: the code of a {@link VmcraftError} or of a Node error, written once even
 * when the message already starts with it (Node's do: `ENOENT: no such file
 * or directory, open 'x'`); the bare message for an error without a code.
 */
export function formatError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null | undefined)?.code;
  if (typeof code !== 'string' || code === '' || message.startsWith(`${code}: `)) return message;
  return `${code}: ${message}`;
}
