/**
 * The filesystem-making and -changing calls (libguestfs mkfs, mkswap,
 * set_label, set_uuid, fsck, e2fsck, resize2fs, xfs_growfs, ntfsresize,
 * zerofree, zero_free_space, fstrim…), with the host's tools on the
 * session's host devices (argv in src/fs/mkfs.ts). After a change the
 * device is probed again, so vfsType, vfsLabel and listFilesystems see it.
 */
import { randomBytes } from 'node:crypto';
import { open, unlink } from 'node:fs/promises';
import path from 'node:path';
import { VmcraftError } from '../../core/errors.js';
import { guarded, withWritable } from '../../fs/files/context.js';
import type { GuestPath } from '../../fs/names.js';
import { e2fsckArgv, mkfsArgv, mkswapArgv, MKFS_TYPES, setLabelArgv, setUuidArgv } from '../../fs/mkfs.js';
import type { BlockDevice } from '../../storage/types.js';
import { a } from '../args.js';
import type { ActiveMount } from '../mount-table.js';
import { assertNotMounted, deviceChanged } from '../device-refresh.js';
import { defineCall, type Guest } from '../entry.js';

const v = '0.2.0';

const device = a.device('device');
const mountpoint = a.guestPath('mountpoint', { ts: 'string', doc: 'where the filesystem is mounted in the guest' });

/** How long a filesystem tool may take (a big mkfs or fsck). */
const TOOL_TIMEOUT_MS = 30 * 60_000;

/** Runs a tool on an unmounted device of the session, then probes the device again. */
async function change(g: Guest, name: string, call: string, argv: (dev: BlockDevice) => Promise<[string, ...string[]]> | [string, ...string[]], okExitCodes = [0]): Promise<void> {
  const dev = g.device(name);
  assertNotMounted(g, dev, call);
  const [file, ...args] = await argv(dev);
  try {
    await g.runner.run(file, args, { timeoutMs: TOOL_TIMEOUT_MS, okExitCodes });
  } finally {
    await deviceChanged(g, dev);
  }
}

/** e2fsck's exit codes that are not errors for libguestfs: 0 clean, 1 errors corrected. */
const E2FSCK_OK = [0, 1];

/** libguestfs resize2fs: an unmounted filesystem is checked (`e2fsck -f -y`) first. */
async function resize2fs(g: Guest, name: string, size: string[]): Promise<void> {
  const dev = g.device(name);
  const mounted = g.mountTable.list().some((m) => m.device === name);
  if (!mounted) await g.runner.run('e2fsck', ['-f', '-y', dev.hostPath], { okExitCodes: E2FSCK_OK, timeoutMs: TOOL_TIMEOUT_MS });
  try {
    await g.runner.run('resize2fs', [dev.hostPath, ...size], { timeoutMs: TOOL_TIMEOUT_MS });
  } finally {
    await deviceChanged(g, dev);
  }
}

/** Runs a tool that grows a mounted filesystem, then probes its device again. */
async function grow(g: Guest, mount: ActiveMount, argv: string[]): Promise<void> {
  try {
    await g.runner.run(argv[0]!, argv.slice(1), { timeoutMs: TOOL_TIMEOUT_MS });
  } finally {
    await deviceChanged(g, g.device(mount.device));
  }
}

const mountpointOf = (at: string) => path.posix.normalize(at).replace(/(.)\/$/, '$1');

/** The filesystem type blkid found on a device; EINVAL when none. */
function vfsTypeOf(dev: BlockDevice, call: string): string {
  const type = dev.probe.type;
  if (!type) throw new VmcraftError('EINVAL', `${call}: ${dev.name} has no filesystem that blkid recognises`);
  return type;
}

/** The read-write mount exactly at the guest path `at`; ENOTMOUNTED when nothing is mounted there. */
function mountedAt(g: Guest, at: string, call: string): ActiveMount {
  const mount = g.mountTable.list().find((m) => m.mountpoint === mountpointOf(at));
  if (!mount) throw new VmcraftError('ENOTMOUNTED', `${call}: nothing is mounted at ${at}`);
  if (mount.readonly) throw new VmcraftError('EREADONLY', `${call}: ${at} is mounted read-only`);
  return mount;
}

async function logicalSectorSize(g: Guest, dev: BlockDevice): Promise<number> {
  return Number((await g.runner.run('blockdev', ['--getss', dev.hostPath])).stdout.trim());
}

/** Fills the free space of the filesystem holding `dir` with zeroes, in a file that is then removed (libguestfs zero_free_space). */
async function zeroFreeSpace(g: Guest, dir: GuestPath): Promise<void> {
  await withWritable(g.fileContext(), dir, true, (host) => guarded(dir, 'zeroFreeSpace', async () => {
    // A random 8.3 name, as libguestfs: no clash, and valid on FAT.
    const file = Buffer.concat([host, Buffer.from(`/${randomBytes(4).toString('hex').toUpperCase()}.${randomBytes(2).toString('hex').slice(0, 3).toUpperCase()}`)]);
    const handle = await open(file, 'wx', 0o600);
    const zeroes = Buffer.alloc(1024 * 1024);
    try {
      for (;;) {
        try {
          await handle.write(zeroes);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw err;
        }
      }
      await handle.sync();
    } finally {
      await handle.close();
      await unlink(file);
    }
  }));
}

/** The calls of this module, in table order. */
export const FILESYSTEM_CALLS = [
  defineCall({
    name: 'mkfs', libguestfs: 'mkfs', group: 'filesystems', since: v, writes: true,
    summary: 'make a filesystem',
    doc: [
      `\`fstype\`: ${MKFS_TYPES.join(', ')}. Options as libguestfs\' mkfs: \`blocksize\` (a cluster size for vfat and ntfs; not for btrfs),`,
      '`features` (ext2/3/4 `-O`), `inode` (ext2/3/4 inode size), `label`; `sectorsize` is for ufs, which vmcraft does not make (`EINVAL`).',
      'Whatever was on the device is overwritten. `EBUSY` while it is mounted.',
    ].join('\n'),
    args: [
      a.string('fstype'), device,
      a.options('options', [a.int('blocksize'), a.string('features'), a.int('inode'), a.int('sectorsize'), a.string('label')], { ts: 'MkfsOptions' }),
    ],
    returns: 'void', ts: 'Promise<void>',
    impl: (g, fstype, name, options = {}) => change(g, name, 'mkfs', async (dev) => mkfsArgv(fstype, dev.hostPath, options, await logicalSectorSize(g, dev))),
  }),
  defineCall({
    name: 'mkswap', libguestfs: 'mkswap', group: 'filesystems', since: v, writes: true,
    summary: 'create a swap partition', doc: 'With an optional label and UUID.',
    args: [device, a.options('options', [a.string('label'), a.string('uuid')], { ts: '{ label?: string; uuid?: string }' })],
    returns: 'void', ts: 'Promise<void>',
    impl: (g, name, options = {}) => change(g, name, 'mkswap', (dev) => mkswapArgv(dev.hostPath, options)),
  }),
  defineCall({
    name: 'setLabel', libguestfs: 'set_label', group: 'filesystems', since: v, writes: true,
    summary: 'set the filesystem label',
    doc: 'ext2/3/4, xfs, btrfs, vfat, ntfs, exfat and swap (`EUNSUPPORTED` for other types). The filesystem must not be mounted (`EBUSY`).',
    args: [a.mountable('mountable'), a.string('label')], returns: 'void', ts: 'Promise<void>',
    impl: (g, name, label) => change(g, name, 'setLabel', (dev) => setLabelArgv(vfsTypeOf(dev, 'setLabel'), dev.hostPath, label)),
  }),
  defineCall({
    name: 'setUuid', libguestfs: 'set_uuid', group: 'filesystems', since: v, writes: true,
    summary: 'set the filesystem uuid',
    doc: 'ext2/3/4, xfs, btrfs and swap, as libguestfs (`EUNSUPPORTED` for other types). The filesystem must not be mounted (`EBUSY`).',
    args: [device, a.string('uuid')], returns: 'void', ts: 'Promise<void>',
    impl: (g, name, uuid) => change(g, name, 'setUuid', (dev) => setUuidArgv(vfsTypeOf(dev, 'setUuid'), dev.hostPath, uuid)),
  }),
  defineCall({
    name: 'fsck', libguestfs: 'fsck', group: 'filesystems', since: v, writes: true,
    summary: 'run the filesystem checker',
    doc: [
      '`fsck -a -t fstype device`: errors are corrected automatically (so it writes). Returns fsck(8)\'s status, as libguestfs:',
      '0 clean, 1 errors corrected, 2 corrected and a reboot wanted, 4 errors left uncorrected, 8 operational error…, summed.',
      'A non-zero status is an answer, not an error.',
    ].join('\n'),
    args: [a.string('fstype'), device], returns: 'int', ts: 'Promise<number>',
    impl: async (g, fstype, name) => {
      if (!/^[a-z0-9]+$/.test(fstype)) throw new VmcraftError('EINVAL', `fsck: invalid filesystem type ${JSON.stringify(fstype)}`);
      const dev = g.device(name);
      assertNotMounted(g, dev, 'fsck');
      const okExitCodes = Array.from({ length: 256 }, (_, i) => i);
      const { exitCode } = await g.runner.run('fsck', ['-a', '-t', fstype, dev.hostPath], { okExitCodes, timeoutMs: TOOL_TIMEOUT_MS });
      await deviceChanged(g, dev);
      return exitCode;
    },
  }),
  defineCall({
    name: 'e2fsck', libguestfs: 'e2fsck', group: 'filesystems', since: v, writes: true,
    summary: 'check an ext2/ext3/ext4 filesystem',
    doc: '`e2fsck -f`, with `correct` (`-p`, fix what is safe) or `forceall` (`-y`, answer yes to everything), not both. Throws `ECOMMAND` when e2fsck exits 2 or more (errors left, or a reboot needed), as libguestfs.',
    args: [device, a.options('options', [a.bool('correct'), a.bool('forceall')], { ts: '{ correct?: boolean; forceall?: boolean }' })],
    returns: 'void', ts: 'Promise<void>',
    impl: (g, name, options = {}) => change(g, name, 'e2fsck', (dev) => e2fsckArgv(dev.hostPath, options), E2FSCK_OK),
  }),
  defineCall({
    name: 'resize2fs', libguestfs: 'resize2fs', group: 'filesystems', since: v, writes: true,
    summary: 'resize an ext2, ext3 or ext4 filesystem to fill its device',
    doc: 'Unmounted, it is checked first (`e2fsck -f -y`), as libguestfs does; mounted, ext4 grows online.',
    args: [device], returns: 'void', ts: 'Promise<void>',
    impl: (g, name) => resize2fs(g, name, []),
  }),
  defineCall({
    name: 'resize2fsSize', libguestfs: 'resize2fs_size', group: 'filesystems', since: v, writes: true,
    summary: 'resize an ext2, ext3 or ext4 filesystem to a size', doc: 'As `resize2fs`; the size is in bytes, a whole number of KiB.',
    args: [device, a.int64('size', { doc: 'bytes' })], returns: 'void', ts: 'Promise<void>',
    impl: (g, name, size) => {
      if (size <= 0 || size % 1024 !== 0) throw new VmcraftError('EINVAL', `resize2fsSize: ${size}: size must be a round number of kilobytes`);
      return resize2fs(g, name, [`${size / 1024}K`]);
    },
  }),
  defineCall({
    name: 'xfsGrowfs', libguestfs: 'xfs_growfs', group: 'filesystems', since: v, writes: true,
    summary: 'expand an existing xfs filesystem',
    doc: 'The filesystem mounted (read-write) at `path`. Options as libguestfs: grow the data (`datasec`, default), log or realtime section, to a size in filesystem blocks (`datasize`…), `maxpct` for inodes.',
    args: [
      a.guestPath('path', { ts: 'string', doc: 'mount point' }),
      a.options('options', ['datasec', 'logsec', 'rtsec'].map((n) => a.bool(n)).concat(['datasize', 'logsize', 'rtsize', 'rtextsize'].map((n) => a.int64(n)), a.int('maxpct')), { ts: 'XfsGrowfsOptions' }),
    ],
    returns: 'void', ts: 'Promise<void>',
    impl: async (g, at, o = {}) => {
      const argv = [...(o.datasec ? ['-d'] : []), ...(o.logsec ? ['-l'] : []), ...(o.rtsec ? ['-r'] : [])];
      for (const [flag, value] of [['-D', o.datasize], ['-L', o.logsize], ['-R', o.rtsize], ['-e', o.rtextsize], ['-m', o.maxpct]] as const) {
        if (value !== undefined) argv.push(flag, String(value));
      }
      const mount = mountedAt(g, at, 'xfsGrowfs');
      await grow(g, mount, ['xfs_growfs', ...argv, mount.hostDir]);
    },
  }),
  defineCall({
    name: 'btrfsFilesystemResize', libguestfs: 'btrfs_filesystem_resize', group: 'filesystems', since: v, writes: true,
    summary: 'resize a btrfs filesystem', doc: 'The one mounted (read-write) at `mountpoint`, to `size` bytes, or to fill its device.',
    args: [mountpoint, a.options('options', [a.int64('size', { doc: 'bytes', defaultText: 'the whole device' })], { ts: '{ size?: number }' })],
    returns: 'void', ts: 'Promise<void>',
    impl: async (g, at, o = {}) => {
      if (o.size !== undefined && o.size <= 0) throw new VmcraftError('EINVAL', `btrfsFilesystemResize: invalid size ${o.size}`);
      const mount = mountedAt(g, at, 'btrfsFilesystemResize');
      await grow(g, mount, ['btrfs', 'filesystem', 'resize', o.size === undefined ? 'max' : String(o.size), mount.hostDir]);
    },
  }),
  defineCall({
    name: 'ntfsresize', libguestfs: 'ntfsresize', group: 'filesystems', since: v, writes: true,
    summary: 'resize an ntfs filesystem',
    doc: 'To `size` bytes, or to fill its device. `force`: even when the volume is marked for a check (after which Windows must check it). `EBUSY` while mounted.',
    args: [device, a.options('options', [a.int64('size', { doc: 'bytes', defaultText: 'the whole device' }), a.bool('force')], { ts: '{ size?: number; force?: boolean }' })],
    returns: 'void', ts: 'Promise<void>',
    impl: (g, name, o = {}) => {
      if (o.size !== undefined && o.size <= 0) throw new VmcraftError('EINVAL', `ntfsresize: invalid size ${o.size}`);
      return change(g, name, 'ntfsresize', (dev) => ['ntfsresize', '-P', ...(o.size !== undefined ? ['--size', String(o.size)] : []), ...(o.force ? ['--force'] : []), dev.hostPath]);
    },
  }),
  defineCall({
    name: 'zerofree', libguestfs: 'zerofree', group: 'filesystems', since: v, writes: true,
    summary: 'zero the unused blocks of an ext2, ext3 or ext4 filesystem', doc: 'It must not be mounted (`EBUSY`).',
    args: [device], returns: 'void', ts: 'Promise<void>',
    impl: (g, name) => change(g, name, 'zerofree', (dev) => {
      const type = vfsTypeOf(dev, 'zerofree');
      if (!['ext2', 'ext3', 'ext4'].includes(type)) throw new VmcraftError('EINVAL', `zerofree: ${name} holds ${type}, not ext2/3/4`);
      return ['zerofree', dev.hostPath];
    }),
  }),
  defineCall({
    name: 'zeroFreeSpace', libguestfs: 'zero_free_space', group: 'filesystems', since: v, writes: true,
    summary: 'zero the free space of the filesystem holding a directory',
    doc: 'Fills it with a file of zeroes until it is full, then removes the file: any filesystem type, mounted read-write.',
    args: [a.guestPath('directory')], returns: 'void', ts: 'Promise<void>',
    impl: (g, dir) => zeroFreeSpace(g, dir),
  }),
  defineCall({
    name: 'fstrim', libguestfs: 'fstrim', group: 'filesystems', since: v, writes: true,
    summary: 'trim the free space of a mounted filesystem',
    doc: 'Tells the image the unused blocks are free (a sparse image shrinks where its backend passes discards on). Options as fstrim(8), in bytes.',
    args: [mountpoint, a.options('options', [a.int64('offset'), a.int64('length'), a.int64('minimumfreeextent')], { ts: '{ offset?: number; length?: number; minimumfreeextent?: number }' })],
    returns: 'void', ts: 'Promise<void>',
    impl: async (g, at, o = {}) => {
      const dir = mountedAt(g, at, 'fstrim').hostDir;
      const argv = ['fstrim'];
      for (const [flag, value] of [['-o', o.offset], ['-l', o.length], ['-m', o.minimumfreeextent]] as const) {
        if (value !== undefined) {
          if (value < 0) throw new VmcraftError('EINVAL', `fstrim: ${flag} must not be negative`);
          argv.push(flag, String(value));
        }
      }
      await g.runner.run('sync', ['-f', dir]);
      await g.runner.run(argv[0]!, [...argv.slice(1), dir], { timeoutMs: TOOL_TIMEOUT_MS });
    },
  }),
];
