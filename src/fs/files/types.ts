/** Typed results of the file calls. */

/** Kind of file system object. */
export type GuestFileType = 'file' | 'directory' | 'symlink' | 'block' | 'char' | 'fifo' | 'socket';

/** File information (libguestfs `statns`), with times as Dates. */
export interface GuestStat {
  type: GuestFileType;
  /** Full st_mode (type and permission bits). */
  mode: number;
  /** Permission bits only (mode & 0o7777). */
  perms: number;
  size: number;
  uid: number;
  gid: number;
  ino: number;
  nlink: number;
  dev: number;
  /** 512-byte blocks allocated. */
  blocks: number;
  blksize: number;
  atime: Date;
  mtime: Date;
  ctime: Date;
}

/** Filesystem statistics (libguestfs `statvfs`). */
export interface GuestStatvfs {
  /** Block size. */
  bsize: number;
  /** Total blocks. */
  blocks: number;
  /** Free blocks. */
  bfree: number;
  /** Free blocks available to unprivileged users. */
  bavail: number;
  /** Total inodes. */
  files: number;
  /** Free inodes. */
  ffree: number;
  /** Filesystem type magic number. */
  type: number;
}

/** Checksum algorithms of `checksum()` (libguestfs names; `crc` is POSIX cksum). */
export type ChecksumAlgorithm = 'crc' | 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';
