/**
 * The content calls: archives and trees in and out (tarIn/tarOut, copyIn/
 * copyOut), parts of files at an offset, what a file is, extended attributes
 * and ext2 flags, listings and lines (ll, find0, head/tail, the grep family).
 * Guest paths are confined like every other; host paths are the caller's own.
 * The work is done by src/fs/files/.
 */
import { copyIn, copyOut, type CopyParts } from '../../fs/files/copy.js';
import type { FileContext } from '../../fs/files/context.js';
import { deviceDescription, fileArchitecture, fileDescription } from '../../fs/files/filetype.js';
import { grep, headN, tailN, type GrepOptions } from '../../fs/files/lines.js';
import { find0, ll } from '../../fs/files/listing.js';
import { downloadOffset, pread, preadDevice, PREAD_MAX, pwrite, pwriteDevice, realpath, uploadOffset } from '../../fs/files/offset.js';
import { TAR_COMPRESSIONS, tarIn, tarOut } from '../../fs/files/tar.js';
import { getE2attrs, getxattr, getxattrs, removexattr, setE2attrs, setxattr } from '../../fs/files/xattrs.js';
import { a } from '../args.js';
import { defineCall, type ApiEntry, type Guest } from '../entry.js';

const v = '0.2.0';

const ctx = (g: Guest): FileContext => g.fileContext();

const path = a.guestPath('path');
const dir = a.guestPath('directory');
const compress = a.string('compress', { values: TAR_COMPRESSIONS, doc: 'the archive is compressed with this (`gzip`, `xz`, `zstd`…)', defaultText: 'none' });
const attrFields = [
  compress,
  a.bool('xattrs', { doc: 'extended attributes too', defaultText: 'false' }),
  a.bool('selinux', { doc: 'SELinux contexts too', defaultText: 'false' }),
  a.bool('acls', { doc: 'POSIX ACLs too', defaultText: 'false' }),
];

/** The calls a copy is made of: the session's own, so a VM-mode session runs the guest side in its VM. */
const copyParts = (g: Guest): CopyParts => ({
  runner: g.runner,
  tmpDir: g.options.tmpDir,
  isDir: (p, options) => g.isDir(p, options),
  isFile: (p, options) => g.isFile(p, options),
  tarIn: (tarfile, d, options) => g.tarIn(tarfile, d, options),
  tarOut: (d, tarfile, options) => g.tarOut(d, tarfile, options),
  download: (p, hostFile) => g.download(p, hostFile),
  warn: (message) => g.warn(message),
});

/** libguestfs' older archive calls: `tarIn`/`tarOut` with one compression. */
function tarVariant(name: 'tgzIn' | 'txzIn', libguestfs: string, compress: 'gzip' | 'xz'): ApiEntry {
  return defineCall({
    name, libguestfs, group: 'files', since: v, writes: true,
    summary: `unpack a ${compress}-compressed host tar file into a guest directory`,
    doc: `\`tarIn(tarball, directory, { compress: '${compress}' })\` (libguestfs \`${libguestfs}\`).`,
    args: [a.hostPathIn('tarball'), dir], returns: 'void', ts: 'Promise<void>',
    impl: (g, tarball, d) => g.tarIn(tarball, d, { compress }),
  });
}

function tarOutVariant(name: 'tgzOut' | 'txzOut', libguestfs: string, compress: 'gzip' | 'xz'): ApiEntry {
  return defineCall({
    name, libguestfs, group: 'files', since: v,
    summary: `pack a guest directory into a ${compress}-compressed host tar file`,
    doc: `\`tarOut(directory, tarball, { compress: '${compress}' })\` (libguestfs \`${libguestfs}\`).`,
    args: [dir, a.hostPathOut('tarball')], returns: 'void', ts: 'Promise<void>',
    impl: (g, d, tarball) => g.tarOut(d, tarball, { compress }),
  });
}

/** One call of the grep family: `grep` with fixed options (libguestfs' older names). */
function grepVariant(name: 'egrep' | 'fgrep' | 'grepi' | 'egrepi' | 'fgrepi' | 'zgrep' | 'zegrep' | 'zfgrep' | 'zgrepi' | 'zegrepi' | 'zfgrepi', options: GrepOptions): ApiEntry {
  const said = Object.keys(options).map((k) => `${k}: true`).join(', ');
  return defineCall({
    name, libguestfs: name, group: 'files', since: v,
    summary: 'return the lines of a file matching a pattern',
    doc: `\`grep(regex, path, { ${said} })\` (libguestfs \`${name}\`).`,
    args: [a.string('regex'), path], returns: 'stringList', ts: 'Promise<string[]>',
    impl: (g, regex, p) => grep(ctx(g), regex, p, options),
  });
}

export const CONTENT_CALLS = [
  defineCall({
    name: 'tarOut', libguestfs: 'tar_out', group: 'files', since: v,
    summary: 'pack a guest directory into a host tar file',
    doc: [
      'Members are `./…` relative to the directory, as libguestfs `tar_out` makes them; symlinks are archived as',
      'links, never followed. Optional arguments as libguestfs: `compress`, `numericOwner`, `excludes` (tar',
      '`--exclude` patterns), `xattrs`, `selinux`, `acls`. The host file is the caller\'s own.',
    ].join('\n'),
    args: [dir, a.hostPathOut('tarfile'), a.options('options', [
      ...attrFields,
      a.bool('numericOwner', { doc: 'owners as numbers only', defaultText: 'false' }),
      a.stringList('excludes', { doc: 'tar `--exclude` patterns', defaultText: 'none' }),
    ], { ts: 'TarOutOptions' })],
    returns: 'void', ts: 'Promise<void>',
    impl: (g, d, tarfile, options) => tarOut(ctx(g), d, tarfile, options),
  }),
  defineCall({
    name: 'tarIn', libguestfs: 'tar_in', group: 'files', since: v, writes: true,
    summary: 'unpack a host tar file into a guest directory',
    doc: [
      'Owners (as numbers), modes, times, links, and with the options xattrs, ACLs and SELinux contexts are kept',
      '(libguestfs `tar_in`; `compress` says how the archive is compressed). The archive is unpacked into a fresh',
      'private directory inside `directory` first and moved into place from there: a guest symlink where the archive',
      'has a directory is replaced by a directory, as GNU tar does, so nothing is ever written through a guest symlink.',
    ].join('\n'),
    args: [a.hostPathIn('tarfile'), dir, a.options('options', attrFields, { ts: 'TarAttrOptions' })],
    returns: 'void', ts: 'Promise<void>',
    impl: (g, tarfile, d, options) => tarIn(ctx(g), tarfile, d, options),
  }),
  tarVariant('tgzIn', 'tgz_in', 'gzip'),
  tarVariant('txzIn', 'txz_in', 'xz'),
  tarOutVariant('tgzOut', 'tgz_out', 'gzip'),
  tarOutVariant('txzOut', 'txz_out', 'xz'),
  defineCall({
    name: 'copyIn', libguestfs: 'copy_in', group: 'files', since: v, writes: true, composed: true,
    summary: 'copy a host file or directory tree into a guest directory',
    doc: [
      '`localPath` (a file, a symlink — copied as a link — or a whole tree) lands as `remoteDir/<its name>`, with',
      'owners, modes, times, hard links and xattrs kept (libguestfs `copy_in`). `remoteDir` must exist. Made of',
      '`tarIn`: in VM mode the tree is packed here and unpacked in the VM.',
    ].join('\n'),
    args: [a.hostPathIn('localPath'), a.guestPath('remoteDir')],
    returns: 'void', ts: 'Promise<void>',
    impl: (g, localPath, remoteDir) => copyIn(copyParts(g), localPath, remoteDir),
  }),
  defineCall({
    name: 'copyOut', libguestfs: 'copy_out', group: 'files', since: v, composed: true,
    summary: 'copy a guest file or directory tree into a host directory',
    doc: [
      'Lands as `localDir/<its name>` (the guest root\'s content: into `localDir`), with owners (as numbers), modes,',
      'times, hard links and xattrs kept, symlinks as links (libguestfs `copy_out`). `localDir` must exist. Made of',
      '`tarOut`, unpacked here by GNU tar into a private directory and moved into place: nothing lands outside',
      '`localDir` or through a symlink already in it. Device nodes are left out, with a `log` warning: on the host',
      'they would name the host\'s devices.',
    ].join('\n'),
    args: [a.guestPath('remotePath'), a.hostPathOut('localDir')],
    returns: 'void', ts: 'Promise<void>',
    impl: (g, remotePath, localDir) => copyOut(copyParts(g), remotePath, localDir),
  }),
  defineCall({
    name: 'downloadOffset', libguestfs: 'download_offset', group: 'files', since: v,
    summary: 'copy part of a guest file to the host',
    doc: '`size` bytes from `offset`, which must lie within the file (libguestfs `download_offset`).',
    args: [path, a.hostPathOut('hostFile'), a.int64('offset'), a.int64('size')],
    returns: 'void', ts: 'Promise<void>',
    impl: (g, p, hostFile, offset, size) => downloadOffset(ctx(g), p, hostFile, offset, size),
  }),
  defineCall({
    name: 'uploadOffset', libguestfs: 'upload_offset', group: 'files', since: v, writes: true,
    summary: 'write a host file into a guest file at an offset',
    doc: 'The guest file is not truncated; a missing one is created, with a hole before `offset` (libguestfs `upload_offset`).',
    args: [a.hostPathIn('hostFile'), path, a.int64('offset')],
    returns: 'void', ts: 'Promise<void>',
    impl: (g, hostFile, p, offset) => uploadOffset(ctx(g), hostFile, p, offset),
  }),
  defineCall({
    name: 'pread', libguestfs: 'pread', group: 'files', since: v,
    summary: 'read part of a file',
    doc: `Up to \`count\` bytes (at most ${PREAD_MAX}) from \`offset\`; fewer at the end of the file (libguestfs \`pread\`).`,
    args: [path, a.int('count'), a.int64('offset')],
    returns: 'buffer', ts: 'Promise<Buffer>',
    impl: (g, p, count, offset) => pread(ctx(g), p, count, offset),
  }),
  defineCall({
    name: 'pwrite', libguestfs: 'pwrite', group: 'files', since: v, writes: true,
    summary: 'write part of a file',
    doc: 'Into an existing regular file at `offset`, not truncating it; answers the bytes written (libguestfs `pwrite`).',
    args: [path, a.buffer('content'), a.int64('offset')],
    returns: 'int', ts: 'Promise<number>',
    impl: (g, p, content, offset) => pwrite(ctx(g), p, content, offset),
  }),
  defineCall({
    name: 'preadDevice', libguestfs: 'pread_device', group: 'devices', since: v,
    summary: 'read part of a device',
    doc: `Up to \`count\` bytes (at most ${PREAD_MAX}) from \`offset\` of a session device; fewer at its end (libguestfs \`pread_device\`).`,
    args: [a.device('device'), a.int('count'), a.int64('offset')],
    returns: 'buffer', ts: 'Promise<Buffer>',
    impl: (g, device, count, offset) => preadDevice(device, g.device(device).hostPath, count, offset),
  }),
  defineCall({
    name: 'pwriteDevice', libguestfs: 'pwrite_device', group: 'devices', since: v, writes: true,
    summary: 'write part of a device',
    doc: 'Into a session device at `offset`; answers the bytes written (libguestfs `pwrite_device`). Beware of a mounted filesystem on it.',
    args: [a.device('device'), a.buffer('content'), a.int64('offset')],
    returns: 'int', ts: 'Promise<number>',
    impl: (g, device, content, offset) => pwriteDevice(device, g.device(device).hostPath, content, offset),
  }),
  defineCall({
    name: 'realpath', libguestfs: 'realpath', group: 'files', since: v,
    summary: 'get the canonical guest path of a path',
    doc: 'Symlinks, `.` and `..` resolved inside the guest root (libguestfs `realpath`); the path must exist.',
    args: [path], returns: 'string', ts: 'Promise<string>',
    impl: (g, p) => realpath(ctx(g), p),
  }),
  defineCall({
    name: 'file', libguestfs: 'file', group: 'files', since: v,
    summary: 'determine the type of a file',
    doc: [
      'What `file -zb` says of a regular file (libguestfs `file`); `directory`, `symbolic link`, `FIFO`,',
      '`character device`, `block device` or `socket` for the others (a final symlink is not followed).',
      'file(1) reads a copy of the first MiB on its standard input, under limits: never the guest path.',
      "A session device's name (`/dev/sda1`, as libguestfs allows) describes its content: `Linux rev 1.0 ext4 filesystem data…`.",
    ].join('\n'),
    args: [path], returns: 'string', ts: 'Promise<string>',
    impl: (g, p) => {
      const device = typeof p === 'string' ? g.devices.find((d) => d.name === p) : undefined;
      return device ? deviceDescription(p as string, device.hostPath, g.runner) : fileDescription(ctx(g), p);
    },
  }),
  defineCall({
    name: 'fileArchitecture', libguestfs: 'file_architecture', group: 'files', since: v,
    summary: 'detect the architecture of a binary file',
    doc: 'From the ELF or PE headers: `i386`, `x86_64`, `aarch64`, `arm`, `ppc64le`, `riscv64`, `s390x`… (libguestfs names).',
    args: [a.guestPath('filename')], returns: 'string', ts: 'Promise<string>',
    impl: (g, p) => fileArchitecture(ctx(g), p),
  }),
  defineCall({
    name: 'getxattrs', libguestfs: 'getxattrs', group: 'files', since: v,
    summary: 'list the extended attributes of a file',
    doc: 'Every namespace, a final symlink followed (libguestfs `getxattrs`).',
    args: [path], returns: 'structList', ts: 'Promise<GuestXattr[]>',
    impl: (g, p) => getxattrs(ctx(g), p, true),
  }),
  defineCall({
    name: 'lgetxattrs', libguestfs: 'lgetxattrs', group: 'files', since: v,
    summary: 'list the extended attributes of a file or symlink itself',
    args: [path], returns: 'structList', ts: 'Promise<GuestXattr[]>',
    impl: (g, p) => getxattrs(ctx(g), p, false),
  }),
  defineCall({
    name: 'getxattr', libguestfs: 'getxattr', group: 'files', since: v,
    summary: 'get one extended attribute of a file',
    doc: 'Its value as bytes, a final symlink followed; `ENOENT` when there is none of that name (libguestfs `getxattr`).',
    args: [path, a.string('name')], returns: 'buffer', ts: 'Promise<Buffer>',
    impl: (g, p, name) => getxattr(ctx(g), p, name, true),
  }),
  defineCall({
    name: 'lgetxattr', libguestfs: 'lgetxattr', group: 'files', since: v,
    summary: 'get one extended attribute of a file or symlink itself',
    args: [path, a.string('name')], returns: 'buffer', ts: 'Promise<Buffer>',
    impl: (g, p, name) => getxattr(ctx(g), p, name, false),
  }),
  defineCall({
    name: 'setxattr', libguestfs: 'setxattr', group: 'files', since: v, writes: true,
    summary: 'set an extended attribute of a file',
    doc: 'To the first `vallen` bytes of `val` (libguestfs argument order), a final symlink followed.',
    args: [a.string('xattr'), a.buffer('val'), a.int('vallen'), path], returns: 'void', ts: 'Promise<void>',
    impl: (g, name, val, vallen, p) => setxattr(ctx(g), name, val, vallen, p, true),
  }),
  defineCall({
    name: 'lsetxattr', libguestfs: 'lsetxattr', group: 'files', since: v, writes: true,
    summary: 'set an extended attribute of a file or symlink itself',
    args: [a.string('xattr'), a.buffer('val'), a.int('vallen'), path], returns: 'void', ts: 'Promise<void>',
    impl: (g, name, val, vallen, p) => setxattr(ctx(g), name, val, vallen, p, false),
  }),
  defineCall({
    name: 'removexattr', libguestfs: 'removexattr', group: 'files', since: v, writes: true,
    summary: 'remove an extended attribute of a file',
    args: [a.string('xattr'), path], returns: 'void', ts: 'Promise<void>',
    impl: (g, name, p) => removexattr(ctx(g), name, p, true),
  }),
  defineCall({
    name: 'lremovexattr', libguestfs: 'lremovexattr', group: 'files', since: v, writes: true,
    summary: 'remove an extended attribute of a file or symlink itself',
    args: [a.string('xattr'), path], returns: 'void', ts: 'Promise<void>',
    impl: (g, name, p) => removexattr(ctx(g), name, p, false),
  }),
  defineCall({
    name: 'getE2attrs', libguestfs: 'get_e2attrs', group: 'files', since: v,
    summary: 'get the ext2 file attributes of a file',
    doc: "The flags lsattr shows, as letters without dashes (`'e'`, `'ie'`); regular files and directories only (libguestfs `get_e2attrs`).",
    args: [a.guestPath('file')], returns: 'string', ts: 'Promise<string>',
    impl: (g, p) => getE2attrs(ctx(g), p),
  }),
  defineCall({
    name: 'setE2attrs', libguestfs: 'set_e2attrs', group: 'files', since: v, writes: true,
    summary: 'set or clear ext2 file attributes of a file',
    doc: 'Letters as chattr takes them (`ai`); `{ clear: true }` clears them instead (libguestfs `set_e2attrs`).',
    args: [a.guestPath('file'), a.string('attrs'), a.options('options', [a.bool('clear', { doc: 'clear the attributes instead of setting them', defaultText: 'false' })], { ts: '{ clear?: boolean }' })],
    returns: 'void', ts: 'Promise<void>',
    impl: (g, p, attrs, options) => setE2attrs(ctx(g), p, attrs, options?.clear ?? false),
  }),
  defineCall({
    name: 'find0', libguestfs: 'find0', group: 'files', since: v,
    summary: 'write every name below a directory to a host file, NUL-separated',
    doc: 'Names as `find` gives them (relative, raw bytes), each followed by a NUL byte (libguestfs `find0`).',
    args: [dir, a.hostPathOut('files')], returns: 'void', ts: 'Promise<void>',
    impl: (g, d, files) => find0(ctx(g), d, files),
  }),
  defineCall({
    name: 'll', libguestfs: 'll', group: 'files', since: v,
    summary: 'list a directory in the long format',
    doc: "`ls -la`'s text (libguestfs `ll`), owners as numbers: the host's user names are not the guest's.",
    args: [dir], returns: 'string', ts: 'Promise<string>',
    impl: (g, d) => ll(ctx(g), d),
  }),
  defineCall({
    name: 'head', libguestfs: 'head', group: 'files', since: v,
    summary: 'return the first 10 lines of a file',
    args: [path], returns: 'stringList', ts: 'Promise<string[]>',
    impl: (g, p) => headN(ctx(g), 10, p),
  }),
  defineCall({
    name: 'headN', libguestfs: 'head_n', group: 'files', since: v,
    summary: 'return the first lines of a file',
    doc: 'The first `nrlines`; a negative `nrlines` gives every line but the last `-nrlines`; 0 none (libguestfs `head_n`).',
    args: [a.int('nrlines'), path], returns: 'stringList', ts: 'Promise<string[]>',
    impl: (g, n, p) => headN(ctx(g), n, p),
  }),
  defineCall({
    name: 'tail', libguestfs: 'tail', group: 'files', since: v,
    summary: 'return the last 10 lines of a file',
    args: [path], returns: 'stringList', ts: 'Promise<string[]>',
    impl: (g, p) => tailN(ctx(g), 10, p),
  }),
  defineCall({
    name: 'tailN', libguestfs: 'tail_n', group: 'files', since: v,
    summary: 'return the last lines of a file',
    doc: 'The last `nrlines`; a negative `nrlines` gives the lines from line `-nrlines` on (`tail -n +N`); 0 none (libguestfs `tail_n`).',
    args: [a.int('nrlines'), path], returns: 'stringList', ts: 'Promise<string[]>',
    impl: (g, n, p) => tailN(ctx(g), n, p),
  }),
  defineCall({
    name: 'grep', libguestfs: 'grep', group: 'files', since: v,
    summary: 'return the lines of a file matching a pattern',
    doc: [
      'Matching lines, `[]` when none (libguestfs `grep` with its optional arguments `extended` (-E), `fixed` (-F),',
      '`insensitive` (-i), `compressed` (zgrep)). The host\'s grep reads the opened file, never a guest path.',
    ].join('\n'),
    args: [a.string('regex'), path, a.options('options', [
      a.bool('extended', { doc: 'an extended regex (-E)', defaultText: 'false' }),
      a.bool('fixed', { doc: 'a fixed string (-F)', defaultText: 'false' }),
      a.bool('insensitive', { doc: 'ignore case (-i)', defaultText: 'false' }),
      a.bool('compressed', { doc: 'the file may be compressed (zgrep)', defaultText: 'false' }),
    ], { ts: 'GrepOptions' })],
    returns: 'stringList', ts: 'Promise<string[]>',
    impl: (g, regex, p, options) => grep(ctx(g), regex, p, options),
  }),
  grepVariant('egrep', { extended: true }),
  grepVariant('fgrep', { fixed: true }),
  grepVariant('grepi', { insensitive: true }),
  grepVariant('egrepi', { extended: true, insensitive: true }),
  grepVariant('fgrepi', { fixed: true, insensitive: true }),
  grepVariant('zgrep', { compressed: true }),
  grepVariant('zegrep', { compressed: true, extended: true }),
  grepVariant('zfgrep', { compressed: true, fixed: true }),
  grepVariant('zgrepi', { compressed: true, insensitive: true }),
  grepVariant('zegrepi', { compressed: true, extended: true, insensitive: true }),
  grepVariant('zfgrepi', { compressed: true, fixed: true, insensitive: true }),
];
