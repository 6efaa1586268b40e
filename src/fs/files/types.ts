/** Typed results and options of the file calls. */

/** Kind of file system object. */
export type GuestFileType = 'file' | 'directory' | 'symlink' | 'block' | 'char' | 'fifo' | 'socket';

/** File information (libguestfs `statns`/`lstatns`), with times as Dates. */
export interface GuestStat {
  /** What kind of object it is. */
  type: GuestFileType;
  /** Full st_mode (type and permission bits). */
  mode: number;
  /** Permission bits only (mode & 0o7777). */
  perms: number;
  /** Size in bytes (of the link text for a symlink). */
  size: number;
  /** Numeric owner. */
  uid: number;
  /** Numeric group. */
  gid: number;
  /** Inode number. */
  ino: number;
  /** Number of hard links. */
  nlink: number;
  /** Device (of the host's mount) holding the file. */
  dev: number;
  /** Device number a block or character device node stands for (0 otherwise). */
  rdev: number;
  /** 512-byte blocks allocated. */
  blocks: number;
  /** Preferred I/O block size. */
  blksize: number;
  /** Last access. */
  atime: Date;
  /** Last change of the content. */
  mtime: Date;
  /** Last change of the inode (owner, mode, links…). */
  ctime: Date;
}

/** Filesystem statistics (libguestfs `statvfs`: glibc's statvfs(3) fields), and the type magic. */
export interface GuestStatvfs {
  /** Block size (the preferred I/O size). */
  bsize: number;
  /** Fragment size: the unit of `blocks`, `bfree` and `bavail`. */
  frsize: number;
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
  /** Free inodes available to unprivileged users (Linux: `ffree`). */
  favail: number;
  /** Filesystem id, a signed 64-bit number in decimal (it does not fit a JavaScript number). */
  fsid: string;
  /** Mount flags: ST_RDONLY 1, ST_NOSUID 2, ST_NODEV 4, ST_NOEXEC 8, ST_SYNCHRONOUS 16, ST_MANDLOCK 64, ST_NOATIME 1024, ST_NODIRATIME 2048, ST_RELATIME 4096, ST_NOSYMFOLLOW 8192. */
  flag: number;
  /** Longest file name. */
  namemax: number;
  /** Filesystem type magic number (0xef53 for ext2/3/4); not in libguestfs's struct. */
  type: number;
}

/** Checksum algorithms of `checksum()` (libguestfs names; `crc` is POSIX cksum). */
export type ChecksumAlgorithm = 'crc' | 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

/** Options of the `is*` tests (libguestfs `is_file`, `is_dir`… and their `followsymlinks` optional argument). */
export interface IsTypeOptions {
  /** A symlink (or chain of them) ending at a file of the type counts too; symlinks are followed inside the guest root only. @default false */
  followSymlinks?: boolean;
}

/** Options of `globExpand` (libguestfs `glob_expand` and its `directoryslash` optional argument). */
export interface GlobOptions {
  /** Directories (and symlinks to directories) get a trailing `/` (glob(3) `GLOB_MARK`). @default true in GuestFS, as in libguestfs */
  directorySlash?: boolean;
}
