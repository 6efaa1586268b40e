/**
 * GuestFiles: the file calls of one session with libguestfs semantics, every
 * guest path confined to the guest root. The GuestFS façade delegates here.
 */
import { withGuestPath } from '../paths.js';
import { chmodPath, chownPath } from './attrs.js';
import type { GuestPath, NameOptions } from '../names.js';
import * as sums from './checksums.js';
import type { GuestChecksum } from './checksums.js';
import type { FileContext } from './context.js';
import { globExpand } from './glob.js';
import { checksum, download, read, readLines } from './read.js';
import { find, findModifiedSince } from './search.js';
import { du, isType, ls, lstatList, readlinkPath, statPath, statvfs } from './stat.js';
import { cp, cpA, cpR, ln, lnS, mkdirPath, mv, rmdirPath, rmFile, rmRf } from './tree.js';
import type { ChecksumAlgorithm, GlobOptions, GuestStat, GuestStatvfs, IsTypeOptions } from './types.js';
import { touch, truncatePath, upload, write, writeAppend } from './write.js';

/**
 * File operations on a mounted guest. Guest paths are absolute and resolved
 * like a chroot (symlinks and `..` never leave the guest root); host paths
 * (upload, download) are the caller's own. Errors are VmcraftErrors naming the
 * guest path; every write checks {@link FileContext.assertWritable} first.
 *
 * @example
 * ```ts
 * const files = new GuestFiles({ rootDir: () => '/tmp/vmcraft-1/root', assertWritable: () => {} });
 * await files.write('/etc/hostname', 'web1\n');
 * await files.checksum('sha256', '/etc/hostname');
 * ```
 */
export class GuestFiles {
  constructor(private readonly ctx: FileContext) {}

  /** The whole file as bytes (libguestfs `read_file`). */
  read(path: GuestPath): Promise<Buffer>;
  /** The whole file decoded as text. */
  read(path: GuestPath, encoding: BufferEncoding): Promise<string>;
  async read(path: GuestPath, encoding?: BufferEncoding): Promise<Buffer | string> {
    const data = await read(this.ctx, path);
    return encoding ? data.toString(encoding) : data;
  }

  /** The lines of a text file, without LF/CRLF endings (libguestfs `read_lines`). */
  readLines(path: GuestPath): Promise<string[]> { return readLines(this.ctx, path); }
  /** Creates or replaces a file (libguestfs `write`). */
  write(path: GuestPath, content: string | Uint8Array): Promise<void> { return write(this.ctx, path, content); }
  /** Appends to a file, creating it when missing (libguestfs `write_append`). */
  writeAppend(path: GuestPath, content: string | Uint8Array): Promise<void> { return writeAppend(this.ctx, path, content); }

  /** Whether anything exists at the path, symlinks followed (libguestfs `exists`: a dangling link does not). */
  exists(path: GuestPath): Promise<boolean> { return isType(this.ctx, path, undefined, true); }
  /** Whether the path is a regular file (libguestfs `is_file`; symlinks only with `followSymlinks`). */
  isFile(path: GuestPath, options: IsTypeOptions = {}): Promise<boolean> { return isType(this.ctx, path, 'file', options.followSymlinks ?? false); }
  /** Whether the path is a directory (libguestfs `is_dir`). */
  isDir(path: GuestPath, options: IsTypeOptions = {}): Promise<boolean> { return isType(this.ctx, path, 'directory', options.followSymlinks ?? false); }
  /** Whether the path itself is a symbolic link (libguestfs `is_symlink`). */
  isSymlink(path: GuestPath): Promise<boolean> { return isType(this.ctx, path, 'symlink', false); }
  /** Whether the path is a block device node (libguestfs `is_blockdev`). */
  isBlockdev(path: GuestPath, options: IsTypeOptions = {}): Promise<boolean> { return isType(this.ctx, path, 'block', options.followSymlinks ?? false); }
  /** Whether the path is a character device node (libguestfs `is_chardev`). */
  isChardev(path: GuestPath, options: IsTypeOptions = {}): Promise<boolean> { return isType(this.ctx, path, 'char', options.followSymlinks ?? false); }
  /** Whether the path is a FIFO (libguestfs `is_fifo`). */
  isFifo(path: GuestPath, options: IsTypeOptions = {}): Promise<boolean> { return isType(this.ctx, path, 'fifo', options.followSymlinks ?? false); }
  /** Whether the path is a Unix socket (libguestfs `is_socket`). */
  isSocket(path: GuestPath, options: IsTypeOptions = {}): Promise<boolean> { return isType(this.ctx, path, 'socket', options.followSymlinks ?? false); }

  /** Names in a directory, sorted by their bytes, hidden ones included (libguestfs `ls`); raw bytes with `{ encoding: 'buffer' }`. */
  ls(dir: GuestPath, options?: { encoding?: 'utf8' }): Promise<string[]>;
  ls(dir: GuestPath, options: { encoding: 'buffer' }): Promise<Buffer[]>;
  ls(dir: GuestPath, options: NameOptions = {}): Promise<(string | Buffer)[]> { return ls(this.ctx, dir, options); }
  /** lstat of names in one directory; undefined where a name is missing (libguestfs `lstatnslist`). */
  lstatList(dir: GuestPath, names: readonly string[]): Promise<(GuestStat | undefined)[]> { return lstatList(this.ctx, dir, names); }
  /** File information, following symlinks (libguestfs `statns`). */
  stat(path: GuestPath): Promise<GuestStat> { return statPath(this.ctx, path, true); }
  /** File information of a symlink itself (libguestfs `lstatns`). */
  lstat(path: GuestPath): Promise<GuestStat> { return statPath(this.ctx, path, false); }
  /** The target text of a symlink, as stored (libguestfs `readlink`); raw bytes with `{ encoding: 'buffer' }`. */
  readlink(path: GuestPath, options?: { encoding?: 'utf8' }): Promise<string>;
  readlink(path: GuestPath, options: { encoding: 'buffer' }): Promise<Buffer>;
  readlink(path: GuestPath, options: NameOptions = {}): Promise<string | Buffer> { return readlinkPath(this.ctx, path, options); }

  /** Creates a directory (mode 0755); its parent must exist. */
  mkdir(path: GuestPath): Promise<void> { return mkdirPath(this.ctx, path, false); }
  /** Creates a directory and its missing parents; no error when it exists (libguestfs `mkdir_p`). */
  mkdirP(path: GuestPath): Promise<void> { return mkdirPath(this.ctx, path, true); }
  /** Removes a file (not a directory). */
  rm(path: GuestPath): Promise<void> { return rmFile(this.ctx, path); }
  /** Removes a file; no error when it is missing (libguestfs `rm_f`). */
  rmF(path: GuestPath): Promise<void> { return rmFile(this.ctx, path, true); }
  /** Removes a file or tree, never following symlinks; no error when missing (libguestfs `rm_rf`). */
  rmRf(path: GuestPath): Promise<void> { return rmRf(this.ctx, path); }
  /** Removes an empty directory. */
  rmdir(path: GuestPath): Promise<void> { return rmdirPath(this.ctx, path); }

  /** Copies a regular file's content (into `dest` when it is a directory; libguestfs `cp`). */
  cp(src: GuestPath, dest: GuestPath): Promise<void> { return cp(this.ctx, src, dest); }
  /** Copies a file or tree preserving modes, owners, times, links and xattrs (libguestfs `cp_a`). */
  cpA(src: GuestPath, dest: GuestPath): Promise<void> { return cpA(this.ctx, src, dest); }
  /** Copies a file or tree without preserving attributes (libguestfs `cp_r`). */
  cpR(src: GuestPath, dest: GuestPath): Promise<void> { return cpR(this.ctx, src, dest); }
  /** Moves or renames (into `dest` when it is a directory; across filesystems too). */
  mv(src: GuestPath, dest: GuestPath): Promise<void> { return mv(this.ctx, src, dest); }

  /** Changes permission bits (libguestfs order: mode first; follows symlinks). */
  chmod(mode: number, path: GuestPath): Promise<void> { return chmodPath(this.ctx, mode, path); }
  /** Changes numeric owner and group, following symlinks (libguestfs order: owner, group, path). */
  chown(owner: number, group: number, path: GuestPath): Promise<void> { return chownPath(this.ctx, owner, group, path); }
  /** Changes numeric owner and group of a symlink itself (libguestfs `lchown`). */
  lchown(owner: number, group: number, path: GuestPath): Promise<void> { return chownPath(this.ctx, owner, group, path, false); }
  /** Creates a symlink `linkname` → `target`; the target text is stored as given (libguestfs `ln_s`). */
  lnS(target: GuestPath, linkname: GuestPath): Promise<void> { return lnS(this.ctx, target, linkname); }
  /** Creates a hard link `linkname` to the guest file `target` (libguestfs `ln`). */
  ln(target: GuestPath, linkname: GuestPath): Promise<void> { return ln(this.ctx, target, linkname); }
  /** Creates an empty regular file, or sets an existing one's times to now. */
  touch(path: GuestPath): Promise<void> { return touch(this.ctx, path); }
  /** Empties an existing regular file (libguestfs `truncate`). */
  truncate(path: GuestPath): Promise<void> { return truncatePath(this.ctx, path, 0); }
  /** Sets an existing regular file's size; growing it adds zeros (libguestfs `truncate_size`). */
  truncateSize(path: GuestPath, size: number): Promise<void> { return truncatePath(this.ctx, path, size); }

  /** Streams a host file (or FIFO) into a guest file. */
  upload(hostFile: string, path: GuestPath): Promise<void> { return upload(this.ctx, hostFile, path); }
  /** Copies a guest regular file to a host path (or FIFO). */
  download(path: GuestPath, hostFile: string): Promise<void> { return download(this.ctx, path, hostFile); }

  /**
   * Guest paths matching a wildcard pattern, sorted; directories end in `/`
   * (libguestfs' default) unless `directorySlash: false`.
   */
  globExpand(pattern: string, options: GlobOptions = {}): Promise<string[]> { return globExpand(this.ctx, pattern, { directorySlash: true, ...options }); }
  /**
   * Every name below a directory, relative to it, sorted (libguestfs `find`); raw bytes with
   * `{ encoding: 'buffer' }`. A directory that cannot be read is left out with a `log` warning.
   */
  find(dir: GuestPath, options?: { encoding?: 'utf8' }): Promise<string[]>;
  find(dir: GuestPath, options: { encoding: 'buffer' }): Promise<Buffer[]>;
  find(dir: GuestPath, options: NameOptions = {}): Promise<(string | Buffer)[]> { return find(this.ctx, dir, options); }
  /** Regular files below `dir` modified after `since`, as absolute guest paths, sorted; raw bytes with `{ encoding: 'buffer' }`. */
  findModifiedSince(dir: GuestPath, since: Date, options?: { encoding?: 'utf8' }): Promise<string[]>;
  findModifiedSince(dir: GuestPath, since: Date, options: { encoding: 'buffer' }): Promise<Buffer[]>;
  findModifiedSince(dir: GuestPath, since: Date, options: NameOptions = {}): Promise<(string | Buffer)[]> { return findModifiedSince(this.ctx, dir, since, options); }
  /** Checksum of a regular file: hex digest, or decimal POSIX cksum for `crc`. */
  checksum(algorithm: ChecksumAlgorithm, path: GuestPath): Promise<string> { return checksum(this.ctx, algorithm, path); }
  /**
   * Checksums of every regular file below `dir`, sorted by path, computed in-process
   * (symlinks not followed; a file that cannot be read is left out with a `log` warning).
   */
  checksums(algorithm: ChecksumAlgorithm, dir: GuestPath, options?: { encoding?: 'utf8' }): Promise<GuestChecksum<string>[]>;
  checksums(algorithm: ChecksumAlgorithm, dir: GuestPath, options: { encoding: 'buffer' }): Promise<GuestChecksum<Buffer>[]>;
  checksums(algorithm: ChecksumAlgorithm, dir: GuestPath, options: NameOptions = {}): Promise<GuestChecksum[]> { return sums.checksums(this.ctx, algorithm, dir, options); }
  /** Writes `HASH  ./path` lines for every regular file below `dir` to the host file `sumsfile`, as `find -type f | xargs sha256sum` prints them (libguestfs `checksums_out`). */
  checksumsOut(algorithm: ChecksumAlgorithm, dir: GuestPath, sumsfile: string): Promise<void> { return sums.checksumsOut(this.ctx, algorithm, dir, sumsfile); }
  /** Space used by a path in KiB (libguestfs `du`, `du -s`). */
  du(path: GuestPath): Promise<number> { return du(this.ctx, path); }
  /** Statistics of the filesystem holding a path. */
  statvfs(path: GuestPath): Promise<GuestStatvfs> { return statvfs(this.ctx, path); }

  /**
   * The path as spelled on disk, each component matched case-insensitively
   * (libguestfs `case_sensitive_path`): `/windows/system32/CONFIG` → `/Windows/System32/config`.
   * Components that do not exist are kept as given.
   */
  async caseSensitivePath(path: GuestPath): Promise<string> {
    const root = this.ctx.rootDir();
    return withGuestPath(root, path, { caseInsensitive: true, followFinal: false }, async (resolved) => resolved.guestPath);
  }
}
