/**
 * The guest calls the customisation helpers and the fixers use: a subset of
 * GuestFS, so they can be written (and read) as plain functions.
 */
import type { GuestCommandOptions } from './chroot/command.js';
import type { GlobOptions, IsTypeOptions } from './fs/files/types.js';

export interface GuestTarget {
  read(path: string, encoding: BufferEncoding): Promise<string>;
  write(path: string, content: string | Uint8Array): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** libguestfs `is_file`: a symlink to a file counts only with `{ followSymlinks: true }`. */
  isFile(path: string, options?: IsTypeOptions): Promise<boolean>;
  /** libguestfs `is_dir`: a symlink to a directory counts only with `{ followSymlinks: true }`. */
  isDir(path: string, options?: IsTypeOptions): Promise<boolean>;
  isSymlink(path: string): Promise<boolean>;
  readlink(path: string): Promise<string>;
  ls(dir: string): Promise<string[]>;
  mkdirP(path: string): Promise<void>;
  chmod(mode: number, path: string): Promise<void>;
  chown(owner: number, group: number, path: string): Promise<void>;
  lnS(target: string, linkname: string): Promise<void>;
  rm(path: string): Promise<void>;
  rmRf(path: string): Promise<void>;
  /** libguestfs `glob_expand`: directories end in `/` unless `{ directorySlash: false }`. */
  globExpand(pattern: string, options?: GlobOptions): Promise<string[]>;
  truncate(path: string, size?: number): Promise<void>;
  command(argv: string[], options?: GuestCommandOptions): Promise<{ stdout: string; exitCode: number }>;
}
