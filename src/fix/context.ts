/** What fixers read and write: the guest's files and commands (GuestFS provides them). */
import type { GuestCommandOptions } from '../chroot/command.js';

export interface FixTarget {
  read(path: string, encoding: BufferEncoding): Promise<string>;
  write(path: string, content: string | Uint8Array): Promise<void>;
  isFile(path: string): Promise<boolean>;
  isDir(path: string): Promise<boolean>;
  exists(path: string): Promise<boolean>;
  ls(dir: string): Promise<string[]>;
  mkdirP(path: string): Promise<void>;
  rm(path: string): Promise<void>;
  globExpand(pattern: string): Promise<string[]>;
  command(argv: string[], options?: GuestCommandOptions): Promise<{ exitCode: number }>;
}

/** Everything a fixer may look at. */
export interface FixContext {
  target: FixTarget;
  /** `UUID=…` (or `PARTUUID=…`) for a device name the guest used, when it is one of this session's devices. */
  stableName(spec: string): string | undefined;
}

/** The text of a guest file, or undefined when there is none. */
export async function textOf(t: FixTarget, path: string): Promise<string | undefined> {
  return (await t.isFile(path)) ? t.read(path, 'utf8') : undefined;
}
