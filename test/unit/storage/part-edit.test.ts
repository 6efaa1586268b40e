/** The pure parts of disk, partition and filesystem editing: argv and sfdisk lines from checked arguments. */
import { describe, expect, it } from 'vitest';
import { diskCreateArgs } from '../../../src/convert/disk-create.js';
import { e2fsckArgv, mkfsArgv, mkswapArgv, setLabelArgv, setUuidArgv } from '../../../src/fs/mkfs.js';
import { addLine, endSector, partKind, sfdiskLabel } from '../../../src/storage/part-edit.js';
import type { PartitionTable } from '../../../src/storage/partitions.js';

const mbr: PartitionTable = {
  type: 'msdos', id: '0x1', sectorSize: 512,
  partitions: [
    { number: 1, start: 2048, size: 2048, type: '83', bootable: false },
    { number: 2, start: 8192, size: 8192, type: '5', bootable: false },
  ],
};

describe('partition edits', () => {
  it('maps libguestfs names', () => {
    expect([sfdiskLabel('mbr'), sfdiskLabel('msdos'), sfdiskLabel('efi'), sfdiskLabel('gpt')]).toEqual(['dos', 'dos', 'gpt', 'gpt']);
    expect(() => sfdiskLabel('amiga')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect([partKind('p'), partKind('l'), partKind('e'), partKind('logical')]).toEqual(['primary', 'logical', 'extended', 'logical']);
  });

  it('counts a negative end sector back from the end, inclusive', () => {
    expect(endSector(-1, 1000)).toBe(999);
    expect(endSector(500, 1000)).toBe(500);
  });

  it('places logical partitions inside the extended one only', () => {
    expect(addLine(mbr, 'logical', 10240, 12287)).toBe('start=10240, size=2048\n');
    expect(addLine(mbr, 'primary', 20000, 20999)).toBe('start=20000, size=1000\n');
    expect(() => addLine(mbr, 'logical', 20000, 20999)).toThrow(/inside the extended/);
    expect(() => addLine(mbr, 'primary', 10240, 12287)).toThrow(/cannot lie inside/);
    expect(() => addLine(mbr, 'extended', 20000, 20999)).toThrow(/already has an extended/);
    expect(() => addLine(mbr, 'primary', 5000, 4000)).toThrow(/before the start/);
    expect(addLine({ ...mbr, partitions: [] }, 'extended', 100, 199)).toBe('start=100, size=100, type=5\n');
  });
});

describe('filesystem argv', () => {
  it('builds mkfs as libguestfs does', () => {
    expect(mkfsArgv('ext4', '/dev/x', { blocksize: 1024, inode: 256, features: '^has_journal', label: 'root' }, 512)).toEqual(['mke2fs', '-t', 'ext4', '-F', '-b', '1024', '-O', '^has_journal', '-I', '256', '-L', 'root', '/dev/x']);
    expect(mkfsArgv('vfat', '/dev/x', { blocksize: 4096, label: 'ESP' }, 512)).toEqual(['mkfs.fat', '-I', '--mbr=n', '-s', '8', '-n', 'ESP', '/dev/x']);
    expect(mkfsArgv('xfs', '/dev/x', { blocksize: 4096 }, 512)).toEqual(['mkfs.xfs', '-f', '-b', 'size=4096', '/dev/x']);
    expect(mkfsArgv('ntfs', '/dev/x', { label: 'C' }, 512)).toEqual(['mkntfs', '-Q', '-F', '-L', 'C', '/dev/x']);
    for (const bad of [{ blocksize: 3000 }, { inode: 128 }, { sectorsize: 512 }, { features: 'x' }]) expect(() => mkfsArgv('xfs', '/dev/x', bad, 512)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => mkfsArgv('xfs', '/dev/x', { label: 'thirteen-byte' }, 512)).toThrow(/limited to 12 bytes/);
  });

  it('builds label, uuid, swap and e2fsck commands, refusing the tools\' magic words', () => {
    expect(setLabelArgv('ext4', '/dev/x', 'l')).toEqual(['e2label', '/dev/x', 'l']);
    expect(() => setLabelArgv('iso9660', '/dev/x', 'l')).toThrow(expect.objectContaining({ code: 'EUNSUPPORTED' }));
    expect(() => setUuidArgv('ext4', '/dev/x', 'random')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => setUuidArgv('vfat', '/dev/x', '3e1c6f2a-9b8d-4c7e-a5f4-2d1b0c9e8f7a')).toThrow(expect.objectContaining({ code: 'EUNSUPPORTED' }));
    expect(mkswapArgv('/dev/x', { label: 's' })).toEqual(['mkswap', '-f', '-L', 's', '/dev/x']);
    expect(e2fsckArgv('/dev/x', { forceall: true })).toEqual(['e2fsck', '-f', '-y', '/dev/x']);
  });
});

describe('diskCreate argv', () => {
  it('names the backing format and never probes it', () => {
    expect(diskCreateArgs('/i/top.qcow2', 'qcow2', -1, { backingFile: '/i/b.raw', backingFormat: 'raw' })).toEqual(['create', '-q', '-f', 'qcow2', '-b', '/i/b.raw', '-F', 'raw', '--', '/i/top.qcow2']);
    expect(diskCreateArgs('-odd.raw', 'raw', 1024, { preallocation: 'full' })).toEqual(['create', '-q', '-f', 'raw', '-o', 'preallocation=falloc', '--', '-odd.raw', '1024']);
  });
});
