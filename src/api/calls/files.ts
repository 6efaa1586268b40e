/**
 * The file calls. Guest paths are absolute and resolved inside the guest root
 * (symlinks and `..` never leave it); host paths (upload, download,
 * checksumsOut) are the caller's own. The work is done by src/fs/files/, on
 * the session's {@link FileContext}.
 */
import * as sums from '../../fs/files/checksums.js';
import type { FileContext } from '../../fs/files/context.js';
import { globExpand } from '../../fs/files/glob.js';
import { checksum, download, read, readLines } from '../../fs/files/read.js';
import { find, findModifiedSince } from '../../fs/files/search.js';
import { du, isType, ls, readlinkPath, statPath } from '../../fs/files/stat.js';
import { statvfs } from '../../fs/files/statvfs.js';
import { chmodPath, chownPath } from '../../fs/files/attrs.js';
import { cp, cpA, lnS, mkdirPath, mv, rmdirPath, rmFile, rmRf } from '../../fs/files/tree.js';
import { touch, truncatePath, upload, write, writeAppend } from '../../fs/files/write.js';
import { scrubFile } from '../../fs/files/scrub.js';
import { withGuestPath } from '../../fs/paths.js';
import type { ChecksumAlgorithm } from '../../fs/files/types.js';
import { a } from '../args.js';
import { defineCall, type Guest } from '../entry.js';

const v = '0.1.0';

/** The libguestfs checksum names (`crc` is POSIX cksum). */
const ALGORITHMS = ['crc', 'md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'];

const ctx = (g: Guest): FileContext => g.fileContext();

const path = a.guestPath('path');
const dir = a.guestPath('dir');
const src = a.guestPath('src');
const dest = a.guestPath('dest');
const content = a.buffer('content', { doc: 'text (written as UTF-8) or bytes' });
const algorithm = a.string('algorithm', { ts: 'ChecksumAlgorithm', values: ALGORITHMS, ignoreCase: true });
/** The algorithm as listed: the checker took it in any case. */
const algo = (name: ChecksumAlgorithm) => name.toLowerCase() as ChecksumAlgorithm;
const nameOptions = a.options('options', [a.string('encoding', { values: ['utf8', 'buffer'], doc: "`'buffer'`: names as Buffers of their raw bytes", defaultText: "'utf8'" })], { ts: 'NameOptions' });
const typeOptions = a.options('options', [a.bool('followSymlinks', { doc: 'a symlink (or chain of them) ending at such an object counts too', defaultText: 'false' })], { ts: 'IsTypeOptions' });

/** The doc of `isFile` and `isDir`, after libguestfs' `is_file`/`is_dir`. */
const typeTestDoc = (what: string, libguestfs: string) => [
  `Only a ${what} itself counts: a symlink to one answers \`false\` (libguestfs \`${libguestfs}\`, whose`,
  '`followsymlinks` optional argument defaults to false). With `{ followSymlinks: true }` a symlink (or chain of',
  `them) that ends at a ${what} counts too; symlinks are followed inside the guest root only.`,
  'A missing path answers `false`. The libguestfs alias is the same function, options included.',
].join('\n');

/** The calls of this module, in table order. */
export const FILES_CALLS = [
  defineCall({
    name: 'read', libguestfs: 'read_file', group: 'files', since: v,
    summary: 'read a whole file',
    doc: 'As bytes (libguestfs `read_file`), or decoded as text with `encoding`. Symlinks are followed inside the guest; only a regular file is read (`EINVAL` for a device node or FIFO, `EISDIR` for a directory).',
    args: [path, a.string('encoding', { optional: true, ts: 'BufferEncoding', doc: 'decode the content as text', defaultText: 'bytes (a Buffer)' })],
    returns: 'buffer', ts: 'Promise<Buffer | string>',
    overloads: ['(path: GuestPath): Promise<Buffer>', '(path: GuestPath, encoding: BufferEncoding): Promise<string>'],
    impl: async (g, p, encoding) => {
      const data = await read(ctx(g), p);
      return encoding ? data.toString(encoding) : data;
    },
  }),
  defineCall({
    name: 'cat', libguestfs: 'cat', group: 'files', since: v,
    summary: 'read a whole file as text',
    doc: 'Decoded as UTF-8; see {@link GuestFS.read}.',
    args: [path], returns: 'string', ts: 'Promise<string>',
    impl: async (g, p) => (await read(ctx(g), p)).toString('utf8'),
  }),
  defineCall({
    name: 'readLines', libguestfs: 'read_lines', group: 'files', since: v,
    summary: 'read a file as lines',
    doc: 'Without LF/CRLF endings: `"a\\r\\nb\\n\\nc"` → `[\'a\', \'b\', \'\', \'c\']`; an empty file → `[]`.',
    args: [path], returns: 'stringList', ts: 'Promise<string[]>',
    impl: (g, p) => readLines(ctx(g), p),
  }),
  defineCall({
    name: 'write', libguestfs: 'write', group: 'files', since: v, writes: true,
    summary: 'create or replace a file',
    doc: 'A new file gets mode 0644. Symlinks are followed inside the guest; only a regular file is written.',
    args: [path, content], returns: 'void', ts: 'Promise<void>',
    impl: (g, p, data) => write(ctx(g), p, data),
  }),
  defineCall({
    name: 'writeAppend', libguestfs: 'write_append', group: 'files', since: v, writes: true,
    summary: 'append to a file',
    doc: 'Creates the file when it is missing.',
    args: [path, content], returns: 'void', ts: 'Promise<void>',
    impl: (g, p, data) => writeAppend(ctx(g), p, data),
  }),
  defineCall({
    name: 'exists', libguestfs: 'exists', group: 'files', since: v,
    summary: 'test whether a path exists',
    doc: 'Symlinks followed inside the guest: a dangling symlink does not exist (libguestfs `exists`).',
    args: [path], returns: 'bool', ts: 'Promise<boolean>',
    impl: (g, p) => isType(ctx(g), p, undefined, true),
  }),
  defineCall({
    name: 'isFile', libguestfs: 'is_file', group: 'files', since: v,
    summary: 'test whether a path is a regular file',
    doc: typeTestDoc('regular file', 'is_file'),
    args: [path, typeOptions], returns: 'bool', ts: 'Promise<boolean>',
    impl: (g, p, options) => isType(ctx(g), p, 'file', options?.followSymlinks ?? false),
  }),
  defineCall({
    name: 'isDir', libguestfs: 'is_dir', group: 'files', since: v,
    summary: 'test whether a path is a directory',
    doc: typeTestDoc('directory', 'is_dir'),
    args: [path, typeOptions], returns: 'bool', ts: 'Promise<boolean>',
    impl: (g, p, options) => isType(ctx(g), p, 'directory', options?.followSymlinks ?? false),
  }),
  defineCall({
    name: 'isSymlink', libguestfs: 'is_symlink', group: 'files', since: v,
    summary: 'test whether a path is a symbolic link',
    doc: 'The path itself, never what it points to; a dangling symlink is one.',
    args: [path], returns: 'bool', ts: 'Promise<boolean>',
    impl: (g, p) => isType(ctx(g), p, 'symlink', false),
  }),
  defineCall({
    name: 'ls', libguestfs: 'ls', group: 'files', since: v,
    summary: 'list the names in a directory',
    doc: "Sorted by their bytes, hidden ones included, without `.` and `..` (libguestfs `ls`); raw bytes with `{ encoding: 'buffer' }`.",
    args: [dir, nameOptions], returns: 'stringList', ts: 'Promise<(string | Buffer)[]>',
    overloads: ["(dir: GuestPath, options?: { encoding?: 'utf8' }): Promise<string[]>", "(dir: GuestPath, options: { encoding: 'buffer' }): Promise<Buffer[]>"],
    impl: (g, d, options) => ls(ctx(g), d, options),
  }),
  defineCall({
    name: 'stat', libguestfs: 'statns', group: 'files', since: v,
    summary: 'get file information, following symlinks',
    doc: 'libguestfs `statns`, with times as Dates.',
    args: [path], returns: 'struct', ts: 'Promise<GuestStat>',
    impl: (g, p) => statPath(ctx(g), p, true),
  }),
  defineCall({
    name: 'lstat', libguestfs: 'lstatns', group: 'files', since: v,
    summary: 'get file information of a symlink itself',
    doc: 'libguestfs `lstatns`, with times as Dates.',
    args: [path], returns: 'struct', ts: 'Promise<GuestStat>',
    impl: (g, p) => statPath(ctx(g), p, false),
  }),
  defineCall({
    name: 'mkdir', libguestfs: 'mkdir', group: 'files', since: v, writes: true,
    summary: 'create a directory',
    doc: 'Mode 0755; its parent must exist.',
    args: [path], returns: 'void', ts: 'Promise<void>',
    impl: (g, p) => mkdirPath(ctx(g), p, false),
  }),
  defineCall({
    name: 'mkdirP', libguestfs: 'mkdir_p', group: 'files', since: v, writes: true,
    summary: 'create a directory and its parents',
    doc: 'No error when it exists.',
    args: [path], returns: 'void', ts: 'Promise<void>',
    impl: (g, p) => mkdirPath(ctx(g), p, true),
  }),
  defineCall({
    name: 'rm', libguestfs: 'rm', group: 'files', since: v, writes: true,
    summary: 'remove a file',
    doc: 'Not a directory (`EISDIR`); a symlink itself is removed, not what it points to.',
    args: [path], returns: 'void', ts: 'Promise<void>',
    impl: (g, p) => rmFile(ctx(g), p),
  }),
  defineCall({
    name: 'rmRf', libguestfs: 'rm_rf', group: 'files', since: v, writes: true,
    summary: 'remove a file or directory recursively',
    doc: 'Never follows symlinks; no error when the path is missing.',
    args: [path], returns: 'void', ts: 'Promise<void>',
    impl: (g, p) => rmRf(ctx(g), p),
  }),
  defineCall({
    name: 'rmdir', libguestfs: 'rmdir', group: 'files', since: v, writes: true,
    summary: 'remove an empty directory',
    args: [path], returns: 'void', ts: 'Promise<void>',
    impl: (g, p) => rmdirPath(ctx(g), p),
  }),
  defineCall({
    name: 'cp', libguestfs: 'cp', group: 'files', since: v, writes: true,
    summary: 'copy a file',
    doc: "A regular file's content, into `dest` when it is a directory.",
    args: [src, dest], returns: 'void', ts: 'Promise<void>',
    impl: (g, s, d) => cp(ctx(g), s, d),
  }),
  defineCall({
    name: 'cpA', libguestfs: 'cp_a', group: 'files', since: v, writes: true,
    summary: 'copy a file or directory preserving attributes',
    doc: 'A file or tree with its modes, owners, times, links and xattrs (`cp -a`).',
    args: [src, dest], returns: 'void', ts: 'Promise<void>',
    impl: (g, s, d) => cpA(ctx(g), s, d),
  }),
  defineCall({
    name: 'mv', libguestfs: 'mv', group: 'files', since: v, writes: true,
    summary: 'move or rename a file',
    doc: 'A file or directory; into `dest` when it is a directory, across filesystems too.',
    args: [src, dest], returns: 'void', ts: 'Promise<void>',
    impl: (g, s, d) => mv(ctx(g), s, d),
  }),
  defineCall({
    name: 'chmod', libguestfs: 'chmod', group: 'files', since: v, writes: true,
    summary: 'change the mode of a file',
    doc: 'Permission bits, following symlinks (libguestfs argument order: mode first).',
    args: [a.mode('mode'), path], returns: 'void', ts: 'Promise<void>',
    impl: (g, mode, p) => chmodPath(ctx(g), mode, p),
  }),
  defineCall({
    name: 'chown', libguestfs: 'chown', group: 'files', since: v, writes: true,
    summary: 'change the owner of a file',
    doc: 'The numeric owner and group, following symlinks (libguestfs order: owner, group, path); `-1` leaves one unchanged.',
    args: [a.int('owner'), a.int('group'), path], returns: 'void', ts: 'Promise<void>',
    impl: (g, owner, group, p) => chownPath(ctx(g), owner, group, p),
  }),
  defineCall({
    name: 'lnS', libguestfs: 'ln_s', group: 'files', since: v, writes: true,
    summary: 'create a symbolic link',
    doc: '`linkname` → `target`; the target text is stored as given (into `linkname` when it is a directory).',
    args: [a.buffer('target', { ts: 'GuestPath', doc: 'the link text (text or raw bytes), stored as given: it need not be absolute or exist' }), a.guestPath('linkname')],
    returns: 'void', ts: 'Promise<void>',
    impl: (g, target, linkname) => lnS(ctx(g), target, linkname),
  }),
  defineCall({
    name: 'readlink', libguestfs: 'readlink', group: 'files', since: v,
    summary: 'read the target of a symbolic link',
    doc: "The target text as stored (libguestfs `readlink`); raw bytes with `{ encoding: 'buffer' }`.",
    args: [path, nameOptions], returns: 'string', ts: 'Promise<string | Buffer>',
    overloads: ["(path: GuestPath, options?: { encoding?: 'utf8' }): Promise<string>", "(path: GuestPath, options: { encoding: 'buffer' }): Promise<Buffer>"],
    impl: (g, p, options) => readlinkPath(ctx(g), p, options),
  }),
  defineCall({
    name: 'touch', libguestfs: 'touch', group: 'files', since: v, writes: true,
    summary: 'create a file or update its times',
    doc: "Creates an empty regular file, or sets an existing one's times to now.",
    args: [path], returns: 'void', ts: 'Promise<void>',
    impl: (g, p) => touch(ctx(g), p),
  }),
  defineCall({
    name: 'truncate', libguestfs: 'truncate_size', group: 'files', since: v, writes: true,
    summary: 'set the size of a file',
    doc: "An existing regular file's size in bytes (libguestfs `truncate_size`); growing it adds zeros, sparse.",
    args: [path, a.int64('size', { optional: true, defaultText: '0' })], returns: 'void', ts: 'Promise<void>',
    impl: (g, p, size) => truncatePath(ctx(g), p, size ?? 0),
  }),
  defineCall({
    name: 'scrubFile', libguestfs: 'scrub_file', group: 'files', since: '0.2.0', writes: true,
    summary: 'securely wipe a file',
    doc: [
      'Overwrites the content of a regular file in place (random bytes twice, then zeros, each pass synced)',
      'and removes it, so the data cannot be read back from the disk. A final symlink is followed inside the',
      'guest and its target scrubbed (the link stays), as libguestfs does; a directory or device is refused.',
      'On a copy-on-write filesystem (btrfs) old blocks may survive, as with scrub(1).',
    ].join('\n'),
    args: [path], returns: 'void', ts: 'Promise<void>',
    impl: (g, p) => scrubFile(ctx(g), p),
  }),
  defineCall({
    name: 'upload', libguestfs: 'upload', group: 'files', since: v, writes: true,
    summary: 'copy a host file into the guest',
    doc: 'Streamed; the host file may be a FIFO.',
    args: [a.hostPathIn('hostFile'), path], returns: 'void', ts: 'Promise<void>',
    impl: (g, hostFile, p) => upload(ctx(g), hostFile, p),
  }),
  defineCall({
    name: 'download', libguestfs: 'download', group: 'files', since: v,
    summary: 'copy a guest file to the host',
    doc: 'A regular guest file, to a host path (or FIFO) that is the caller\'s own, not confined.',
    args: [path, a.hostPathOut('hostFile')], returns: 'void', ts: 'Promise<void>',
    impl: (g, p, hostFile) => download(ctx(g), p, hostFile),
  }),
  defineCall({
    name: 'globExpand', libguestfs: 'glob_expand', group: 'files', since: v,
    summary: 'expand a wildcard pattern',
    doc: [
      'Guest paths matching `*`, `?`, `[…]`, `{a,b}` and `**`, sorted; `[]` when nothing matches. As libguestfs',
      "(glob(3) with `GLOB_MARK|GLOB_BRACE`), directories — symlinks to directories too — end in `/`: `/etc/*` →",
      "`['/etc/apt/', …, '/etc/hostname', …]`; `{ directorySlash: false }` leaves the slash off (libguestfs'",
      '`directoryslash` optional argument), which is what to pass when the results go to `rmRf` or `rm`.',
      'Names starting with `.` only match a pattern component that starts with `.`.',
    ].join('\n'),
    args: [
      a.string('pattern', { doc: 'an absolute guest path with wildcards' }),
      a.options('options', [a.bool('directorySlash', { doc: 'directories end in `/`', defaultText: 'true' })], { ts: 'GlobOptions' }),
    ],
    returns: 'stringList', ts: 'Promise<string[]>',
    impl: (g, pattern, options) => globExpand(ctx(g), pattern, { directorySlash: options?.directorySlash ?? true }),
  }),
  defineCall({
    name: 'find', libguestfs: 'find', group: 'files', since: v,
    summary: 'list every name below a directory',
    doc: "Relative to it, sorted (libguestfs `find`); raw bytes with `{ encoding: 'buffer' }`. A directory that cannot be read is left out with a `log` warning.",
    args: [dir, nameOptions], returns: 'stringList', ts: 'Promise<(string | Buffer)[]>',
    overloads: ["(dir: GuestPath, options?: { encoding?: 'utf8' }): Promise<string[]>", "(dir: GuestPath, options: { encoding: 'buffer' }): Promise<Buffer[]>"],
    impl: (g, d, options) => find(ctx(g), d, options),
  }),
  defineCall({
    name: 'findModifiedSince', group: 'files', since: v,
    summary: 'list the files modified since a date',
    doc: "Regular files below `dir` modified after `since`, as absolute guest paths, sorted; raw bytes with `{ encoding: 'buffer' }`.",
    args: [dir, a.date('since'), nameOptions], returns: 'stringList', ts: 'Promise<(string | Buffer)[]>',
    overloads: ["(dir: GuestPath, since: Date, options?: { encoding?: 'utf8' }): Promise<string[]>", "(dir: GuestPath, since: Date, options: { encoding: 'buffer' }): Promise<Buffer[]>"],
    impl: (g, d, since, options) => findModifiedSince(ctx(g), d, since, options),
  }),
  defineCall({
    name: 'checksum', libguestfs: 'checksum', group: 'files', since: v,
    summary: 'compute the checksum of a file',
    doc: 'Hex digest, or the decimal POSIX cksum for `crc`; streamed.',
    args: [algorithm, path], returns: 'string', ts: 'Promise<string>',
    impl: (g, name, p) => checksum(ctx(g), algo(name), p),
  }),
  defineCall({
    name: 'checksums', group: 'files', since: v,
    summary: 'compute the checksums of every regular file below a directory',
    doc: "Sorted by path, computed in-process (symlinks not followed; a file that cannot be read is left out with a `log` warning); paths as raw bytes with `{ encoding: 'buffer' }`.",
    args: [algorithm, dir, nameOptions], returns: 'structList', ts: 'Promise<GuestChecksum[]>',
    overloads: [
      "(algorithm: ChecksumAlgorithm, dir: GuestPath, options?: { encoding?: 'utf8' }): Promise<GuestChecksum<string>[]>",
      "(algorithm: ChecksumAlgorithm, dir: GuestPath, options: { encoding: 'buffer' }): Promise<GuestChecksum<Buffer>[]>",
    ],
    impl: (g, name, d, options) => sums.checksums(ctx(g), algo(name), d, options),
  }),
  defineCall({
    name: 'checksumsOut', libguestfs: 'checksums_out', group: 'files', since: v,
    summary: 'write the checksums of every regular file below a directory to a host file',
    doc: '`HASH  ./path` lines, as `find -type f | xargs sha256sum` prints them (libguestfs `checksums_out`).',
    args: [algorithm, dir, a.hostPathOut('sumsfile')], returns: 'void', ts: 'Promise<void>',
    impl: (g, name, d, sumsfile) => sums.checksumsOut(ctx(g), algo(name), d, sumsfile),
  }),
  defineCall({
    name: 'du', libguestfs: 'du', group: 'files', since: v,
    summary: 'estimate the space used by a path in KiB',
    doc: 'Like `du -s`.',
    args: [path], returns: 'int64', ts: 'Promise<number>',
    impl: (g, p) => du(ctx(g), p),
  }),
  defineCall({
    name: 'statvfs', libguestfs: 'statvfs', group: 'files', since: v,
    summary: 'get filesystem statistics',
    doc: 'Of the filesystem holding the path.',
    args: [path], returns: 'struct', ts: 'Promise<GuestStatvfs>',
    impl: (g, p) => statvfs(ctx(g), p),
  }),
  defineCall({
    name: 'caseSensitivePath', libguestfs: 'case_sensitive_path', group: 'files', since: v,
    summary: 'get the on-disk spelling of a path matched case-insensitively',
    doc: [
      'Each component matched case-insensitively (libguestfs `case_sensitive_path`):',
      '`/windows/system32/CONFIG` → `/Windows/System32/config`. Components that do not exist are kept as given.',
    ].join('\n'),
    args: [path], returns: 'string', ts: 'Promise<string>',
    impl: (g, p) => withGuestPath(g.mountTable.rootDir(), p, { caseInsensitive: true, followFinal: false }, async (resolved) => resolved.guestPath),
  }),
  defineCall({
    name: 'filesize', libguestfs: 'filesize', group: 'files', since: v,
    summary: 'get the size of a file in bytes',
    doc: 'Symlinks are followed inside the guest.',
    args: [a.guestPath('file')], returns: 'int64', ts: 'Promise<number>',
    impl: async (g, file) => (await g.stat(file)).size,
  }),
];
