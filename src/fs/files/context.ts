/** What file operations need from their session: where the guest root is and whether it may be written. */
import { isUtf8 } from 'node:buffer';
import { fromFsError, VmcraftError, type VmcraftErrorCode } from '../../core/errors.js';
import { defaultRunner, type Runner, type RunOptions } from '../../core/exec.js';
import { decodeName, showPath, type GuestPath } from '../names.js';
import { withGuestPath, type HostPath } from '../paths.js';

/** The session side of file operations. */
export interface FileContext {
  /** Host directory of the guest's `/`; throws `ENOTMOUNTED` when nothing is mounted there. */
  rootDir(): string;
  /** Throws `EREADONLY` when `guestPath` lies on a read-only mount or in a read-only session. */
  assertWritable(guestPath: string): void;
  /** Runs the few external tools (cp, mv, du); the session's own runner, for tracing. @default defaultRunner */
  runner?: Runner;
  /** Told what a walk could not read (an unreadable directory or file), which it then leaves out. @default ignored */
  warn?(message: string): void;
}

/** The runner of a context. */
export function runnerOf(ctx: FileContext): Runner {
  return ctx.runner ?? defaultRunner;
}

/** Resolves a guest path inside the root (following a final symlink unless told not to), runs `fn` with its host path, releases it. */
export function withHost<T>(ctx: FileContext, guestPath: GuestPath, followFinal: boolean, fn: (host: Buffer, resolved: HostPath) => Promise<T>): Promise<T> {
  return withGuestPath(ctx.rootDir(), guestPath, { followFinal }, (resolved) => fn(resolved.path, resolved));
}

/**
 * Like {@link withHost} for the target of a write. Both the path as given and
 * the guest path it resolves to must be writable: a symlink may lead onto a read-only mount.
 */
export function withWritable<T>(ctx: FileContext, guestPath: GuestPath, followFinal: boolean, fn: (host: Buffer, resolved: HostPath) => Promise<T>): Promise<T> {
  const given = typeof guestPath === 'string' ? guestPath : decodeName(guestPath);
  ctx.assertWritable(given);
  return withHost(ctx, guestPath, followFinal, (host, resolved) => {
    if (resolved.guestPath !== given) ctx.assertWritable(resolved.guestPath);
    return fn(host, resolved);
  });
}

/** Runs an fs operation, turning its errors into VmcraftErrors that name the guest path. */
export async function guarded<T>(guestPath: GuestPath, operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw fromFsError(err, showPath(guestPath), operation);
  }
}

/** An errno-style error for `guarded` to map (`EISDIR`, `ENOTDIR`, `EINVAL`…). */
export function errnoError(code: string, message: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}

/** The `EINVAL` of an operation that only works on regular files. */
export function notRegularFile(operation: string, guestPath: GuestPath, kind: string): VmcraftError {
  return new VmcraftError('EINVAL', `${operation} ${showPath(guestPath)}: not a regular file (${kind})`, { path: showPath(guestPath) });
}

/** Replaces the guest root's host path by guest paths in a tool's text. */
function asGuestText(text: string, root: string): string {
  return text.split(`${root}/`).join('/').split(root).join('/');
}

/**
 * A host path as an argument of an external tool. Arguments are text: a name
 * that is not UTF-8 cannot be given to cp, mv or du (`EINVAL`).
 */
export function toolPath(host: Buffer, guestPath: GuestPath, operation: string): string {
  if (!isUtf8(host)) throw new VmcraftError('EINVAL', `${operation} ${showPath(guestPath)}: a name that is not UTF-8 cannot be passed to an external tool`, { path: showPath(guestPath) });
  return host.toString('utf8');
}

/** errno texts of coreutils messages, most specific first. */
const TOOL_REASONS: [RegExp, VmcraftErrorCode][] = [
  [/Read-only file system/, 'EREADONLY'],
  [/No such file or directory|No such attribute/, 'ENOENT'],
  [/Not a directory/, 'ENOTDIR'],
  [/Is a directory/, 'EISDIR'],
  [/Directory not empty/, 'ENOTEMPTY'],
  [/File exists|cannot overwrite/, 'EEXIST'],
  [/Permission denied|Operation not permitted/, 'EACCES'],
  [/No space left on device/, 'EIO'],
];

/**
 * Runs a coreutils tool (cp, mv, du) on host paths inside the guest root; a
 * failure names guest paths only, with the errno-like code its message shows.
 */
export async function runTool(
  ctx: FileContext,
  guestPath: GuestPath,
  operation: string,
  argv: [file: string, ...args: string[]],
  runner: Runner = runnerOf(ctx),
  options?: RunOptions,
): Promise<string> {
  try {
    return (await runner.run(argv[0], argv.slice(1), options)).stdout;
  } catch (err) {
    if (!(err instanceof VmcraftError) || err.code !== 'ECOMMAND' || !err.command) throw err;
    const root = ctx.rootDir();
    const stderr = asGuestText(err.command.stderr, root);
    const argv = err.command.argv.map((a) => asGuestText(a, root));
    const code = TOOL_REASONS.find(([re]) => re.test(stderr))?.[1] ?? 'ECOMMAND';
    const reason = stderr.split('\n').filter(Boolean).slice(-3).join(' | ') || `exit code ${err.command.exitCode}`;
    throw new VmcraftError(code, `${operation} ${showPath(guestPath)}: ${reason}`, {
      path: showPath(guestPath),
      command: { ...err.command, argv, command: argv.join(' '), stderr },
    });
  }
}
