/**
 * The file calls of the GuestFS façade. Guest paths are absolute and resolved
 * inside the guest root (symlinks and `..` never leave it); host paths (upload,
 * download) are the caller's own.
 */
import { VmcraftError } from '../core/errors.js';
import * as sums from '../fs/files/checksums.js';
import type { GuestChecksum } from '../fs/files/checksums.js';
import type { FileContext } from '../fs/files/context.js';
import type { GuestPath, NameOptions } from '../fs/names.js';
import * as r from '../fs/files/read.js';
import type { ChecksumAlgorithm, GuestStat, GuestStatvfs } from '../fs/files/types.js';
import * as w from '../fs/files/write.js';
import { GuestFSMounts } from './mounts.js';
import { withGuestPath } from '../fs/paths.js';

/** Reading and writing guest files. */
export class GuestFSFiles extends GuestFSMounts {
  /** @internal */
  protected get files(): FileContext {
    return {
      rootDir: () => this.rootDir(),
      warn: (message) => this.emit('log', { level: 'warn', message }),
      assertWritable: (guestPath) => {
        if (this.isReadonlyPath(guestPath)) throw new VmcraftError('EREADONLY', `cannot write ${guestPath}: it is on a read-only mount or session`, { path: guestPath });
      },
    };
  }

  /** The whole file as bytes (libguestfs `read_file`). */
  read(path: GuestPath): Promise<Buffer>;
  /** The whole file decoded as text. */
  read(path: GuestPath, encoding: BufferEncoding): Promise<string>;
  async read(path: GuestPath, encoding?: BufferEncoding): Promise<Buffer | string> {
    const data = await r.read(this.files, path);
    return encoding ? data.toString(encoding) : data;
  }

  /** The whole file as UTF-8 text. */
  async cat(path: GuestPath): Promise<string> {
    return this.read(path, 'utf8');
  }

  /** The lines of a text file, without LF/CRLF endings. */
  readLines(path: GuestPath): Promise<string[]> { return r.readLines(this.files, path); }
  /** Creates or replaces a file. */
  write(path: GuestPath, content: string | Uint8Array): Promise<void> { return w.write(this.files, path, content); }
  /** Appends to a file, creating it when missing. */
  writeAppend(path: GuestPath, content: string | Uint8Array): Promise<void> { return w.writeAppend(this.files, path, content); }
  /** Whether the path exists (symlinks followed inside the guest). */
  exists(path: GuestPath): Promise<boolean> { return r.isType(this.files, path); }
  /** Whether the path is a regular file (symlinks followed). */
  isFile(path: GuestPath): Promise<boolean> { return r.isType(this.files, path, 'file'); }
  /** Whether the path is a directory (symlinks followed). */
  isDir(path: GuestPath): Promise<boolean> { return r.isType(this.files, path, 'directory'); }
  /** Whether the path itself is a symbolic link. */
  isSymlink(path: GuestPath): Promise<boolean> { return r.isType(this.files, path, 'symlink'); }
  /** Names in a directory, sorted by their bytes, hidden ones included (libguestfs `ls`); raw bytes with `{ encoding: 'buffer' }`. */
  ls(dir: GuestPath, options?: { encoding?: 'utf8' }): Promise<string[]>;
  ls(dir: GuestPath, options: { encoding: 'buffer' }): Promise<Buffer[]>;
  ls(dir: GuestPath, options: NameOptions = {}): Promise<(string | Buffer)[]> { return r.ls(this.files, dir, options); }
  /** File information, following symlinks (libguestfs `statns`). */
  stat(path: GuestPath): Promise<GuestStat> { return r.statPath(this.files, path, true); }
  /** File information of a symlink itself (libguestfs `lstatns`). */
  lstat(path: GuestPath): Promise<GuestStat> { return r.statPath(this.files, path, false); }
  /** Creates a directory; its parent must exist. */
  mkdir(path: GuestPath): Promise<void> { return w.mkdirPath(this.files, path, false); }
  /** Creates a directory and its missing parents; no error when it exists. */
  mkdirP(path: GuestPath): Promise<void> { return w.mkdirPath(this.files, path, true); }
  /** Removes a file. */
  rm(path: GuestPath): Promise<void> { return w.rmFile(this.files, path); }
  /** Removes a file or directory tree; no error when it is missing. */
  rmRf(path: GuestPath): Promise<void> { return w.rmRf(this.files, path); }
  /** Removes an empty directory. */
  rmdir(path: GuestPath): Promise<void> { return w.rmdirPath(this.files, path); }
  /** Copies a file (into `dest` when it is a directory). */
  cp(src: GuestPath, dest: GuestPath): Promise<void> { return w.cp(this.files, src, dest); }
  /** Copies a file or tree preserving attributes and links (`cp -a`). */
  cpA(src: GuestPath, dest: GuestPath): Promise<void> { return w.cpA(this.files, src, dest, this.runner); }
  /** Moves or renames a file or directory. */
  mv(src: GuestPath, dest: GuestPath): Promise<void> { return w.mv(this.files, src, dest, this.runner); }
  /** Changes permission bits (libguestfs argument order: mode first). */
  chmod(mode: number, path: GuestPath): Promise<void> { return w.chmodPath(this.files, mode, path); }
  /** Changes the numeric owner and group (libguestfs order: owner, group, path). */
  chown(owner: number, group: number, path: GuestPath): Promise<void> { return w.chownPath(this.files, owner, group, path); }
  /** Creates a symlink `linkname` → `target` (the target text is stored as given). */
  lnS(target: GuestPath, linkname: GuestPath): Promise<void> { return w.lnS(this.files, target, linkname); }
  /** The target text of a symlink, as stored (libguestfs `readlink`); raw bytes with `{ encoding: 'buffer' }`. */
  readlink(path: GuestPath, options?: { encoding?: 'utf8' }): Promise<string>;
  readlink(path: GuestPath, options: { encoding: 'buffer' }): Promise<Buffer>;
  readlink(path: GuestPath, options: NameOptions = {}): Promise<string | Buffer> { return r.readlinkPath(this.files, path, options); }
  /** Creates an empty file, or sets an existing file's times to now. */
  touch(path: GuestPath): Promise<void> { return w.touch(this.files, path); }
  /** Sets a file's size in bytes (0 by default; libguestfs `truncate_size`). */
  truncate(path: GuestPath, size = 0): Promise<void> { return w.truncatePath(this.files, path, size); }
  /** Copies a host file into the guest. */
  upload(hostFile: string, path: GuestPath): Promise<void> { return w.upload(this.files, hostFile, path); }
  /** Copies a guest file to a host path. */
  download(path: GuestPath, hostFile: string): Promise<void> { return r.download(this.files, path, hostFile); }
  /** Guest paths matching a wildcard pattern (`*`, `?`, `[…]`, `{a,b}`, `**`), sorted. */
  globExpand(pattern: string): Promise<string[]> { return r.globExpand(this.files, pattern); }
  /**
   * Every name below a directory, relative to it, sorted (libguestfs `find`); raw bytes with
   * `{ encoding: 'buffer' }`. A directory that cannot be read is left out with a `log` warning.
   */
  find(dir: GuestPath, options?: { encoding?: 'utf8' }): Promise<string[]>;
  find(dir: GuestPath, options: { encoding: 'buffer' }): Promise<Buffer[]>;
  find(dir: GuestPath, options: NameOptions = {}): Promise<(string | Buffer)[]> { return r.find(this.files, dir, options); }
  /** Regular files below `dir` modified after `since`, as absolute guest paths, sorted; raw bytes with `{ encoding: 'buffer' }`. */
  findModifiedSince(dir: GuestPath, since: Date, options?: { encoding?: 'utf8' }): Promise<string[]>;
  findModifiedSince(dir: GuestPath, since: Date, options: { encoding: 'buffer' }): Promise<Buffer[]>;
  findModifiedSince(dir: GuestPath, since: Date, options: NameOptions = {}): Promise<(string | Buffer)[]> { return r.findModifiedSince(this.files, dir, since, options); }
  /** Checksum of a file: hex digest, or decimal POSIX cksum for `crc`. */
  checksum(algorithm: ChecksumAlgorithm, path: GuestPath): Promise<string> { return r.checksum(this.files, algorithm, path); }
  /**
   * Checksums of every regular file below `dir`, sorted by path, computed in-process
   * (symlinks not followed; a file that cannot be read is left out with a `log` warning).
   */
  checksums(algorithm: ChecksumAlgorithm, dir: GuestPath, options?: { encoding?: 'utf8' }): Promise<GuestChecksum<string>[]>;
  checksums(algorithm: ChecksumAlgorithm, dir: GuestPath, options: { encoding: 'buffer' }): Promise<GuestChecksum<Buffer>[]>;
  checksums(algorithm: ChecksumAlgorithm, dir: GuestPath, options: NameOptions = {}): Promise<GuestChecksum[]> { return sums.checksums(this.files, algorithm, dir, options); }
  /** Writes `HASH  ./path` lines for every regular file below `dir` to the host file `sumsfile`, as `find -type f | xargs sha256sum` prints them (libguestfs `checksums_out`). */
  checksumsOut(algorithm: ChecksumAlgorithm, dir: GuestPath, sumsfile: string): Promise<void> { return sums.checksumsOut(this.files, algorithm, dir, sumsfile); }
  /** Space used by a path in KiB (like `du -s`). */
  du(path: GuestPath): Promise<number> { return r.du(this.files, path, this.runner); }
  /**
   * The path as it is spelled on disk, matching each component case-insensitively
   * (libguestfs `case_sensitive_path`): `/windows/system32/CONFIG` → `/Windows/System32/config`.
   * Components that do not exist are kept as given.
   */
  async caseSensitivePath(path: GuestPath): Promise<string> {
    const root = this.rootDir();
    return withGuestPath(root, path, { caseInsensitive: true, followFinal: false }, async (resolved) => resolved.guestPath);
  }

  /** Statistics of the filesystem holding a path. */
  statvfs(path: GuestPath): Promise<GuestStatvfs> { return r.statvfs(this.files, path); }
}
