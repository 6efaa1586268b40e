/**
 * The disk image calls (libguestfs `disk_*`): they work on host image files,
 * with or without a launched session, and always in the caller's process
 * (in VM mode too: they touch no drive of the session). The images they read
 * may be hostile: src/convert/disk-probe.ts never follows a backing file.
 */
import { createDisk, CREATE_FORMATS } from '../../convert/disk-create.js';
import { probeDiskImage } from '../../convert/disk-probe.js';
import { a } from '../args.js';
import { defineCall } from '../entry.js';

const v = '0.2.0';

const filename = a.hostPathIn('filename', { doc: 'a host image file' });

/** The calls of this module, in table order. */
export const DISK_CALLS = [
  defineCall({
    name: 'diskCreate', libguestfs: 'disk_create', group: 'lifecycle', since: v, anytime: true, composed: true,
    summary: 'create a blank disk image',
    doc: [
      `\`format\`: ${CREATE_FORMATS.join(', ')} (libguestfs: raw and qcow2). \`size\` in bytes; -1 with a backing file (its size).`,
      'A backing file (qcow2) needs its format named: it is never probed. `preallocation`: `off`/`sparse`, `full`; qcow2 also `metadata`.',
      '`compat` (`0.10`, `1.1`) and `clusterSize` are for qcow2. Unlike libguestfs, an existing file is never overwritten (`EEXIST`).',
    ].join('\n'),
    args: [
      a.hostPathOut('filename'),
      a.string('format', { values: CREATE_FORMATS, ts: 'CreateFormat' }),
      a.int64('size', { doc: 'bytes, or -1 with a backing file' }),
      a.options('options', [
        a.hostPathIn('backingFile'),
        a.string('backingFormat'),
        a.string('preallocation', { values: ['off', 'sparse', 'metadata', 'full'] }),
        a.string('compat', { values: ['0.10', '1.1'] }),
        a.int('clusterSize'),
      ], { ts: 'DiskCreateOptions' }),
    ],
    returns: 'void', ts: 'Promise<void>',
    impl: (g, file, format, size, options = {}) => createDisk(g.runner, file, format, size, options),
  }),
  defineCall({
    name: 'diskFormat', libguestfs: 'disk_format', group: 'lifecycle', since: v, anytime: true, composed: true,
    summary: 'detect the disk format of a disk image',
    doc: 'qemu\'s name for it (`raw`, `qcow2`, `vmdk`, `vpc`, `vhdx`…), from the image\'s own bytes; its backing file is never opened.',
    args: [filename], returns: 'string', ts: 'Promise<string>',
    impl: async (g, file) => (await probeDiskImage(file, g.runner)).format,
  }),
  defineCall({
    name: 'diskVirtualSize', libguestfs: 'disk_virtual_size', group: 'lifecycle', since: v, anytime: true, composed: true,
    summary: 'return virtual size of a disk',
    doc: 'In bytes, from `qemu-img info` on the image alone (its backing file is never opened).',
    args: [filename], returns: 'int64', ts: 'Promise<number>',
    impl: async (g, file) => (await probeDiskImage(file, g.runner)).virtualSize,
  }),
  defineCall({
    name: 'diskHasBackingFile', libguestfs: 'disk_has_backing_file', group: 'lifecycle', since: v, anytime: true, composed: true,
    summary: 'return whether disk has a backing file',
    doc: 'Whether the image names a backing file or parent (qcow2, qed, vmdk, vhd); it is only named, never opened.',
    args: [filename], returns: 'bool', ts: 'Promise<boolean>',
    impl: async (g, file) => (await probeDiskImage(file, g.runner)).hasBackingFile,
  }),
];
