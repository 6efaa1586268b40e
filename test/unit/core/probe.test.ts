import { describe, expect, it } from 'vitest';
import { featuresAvailable } from '../../../src/core/features.js';
import { parseModulesDep, parseProcFilesystems, type HostCapabilities } from '../../../src/core/probe.js';

describe('the kernel filesystems probe', () => {
  it('reads /proc/filesystems', () => {
    expect(parseProcFilesystems('nodev\tsysfs\n\text4\nnodev\tfuse\n\tfuseblk\n')).toEqual(['sysfs', 'ext4', 'fuse', 'fuseblk']);
  });

  it('finds the filesystem modules the kernel can load on first mount in modules.dep (what modprobe -n reads)', () => {
    // modules.dep lines: a module path (compressed or not), a colon, its dependencies.
    const dep = [
      'kernel/fs/ntfs3/ntfs3.ko: kernel/lib/crypto/libsha256.ko',
      'kernel/fs/exfat/exfat.ko:',
      'kernel/fs/fat/vfat.ko: kernel/fs/fat/fat.ko',
      'kernel/fs/fat/fat.ko:',
      'kernel/fs/xfs/xfs.ko.xz: kernel/lib/libcrc32c.ko.xz',
      'kernel/fs/nls/nls_utf8.ko:',
      'kernel/fs/jbd2/jbd2.ko: kernel/fs/mbcache.ko',
      'kernel/drivers/block/nbd.ko:',
    ].join('\n');
    expect(parseModulesDep(dep).sort()).toEqual(['exfat', 'ntfs3', 'vfat', 'xfs']);
    expect(parseModulesDep('')).toEqual([]);
  });

  it("counts NTFS as available through the kernel's ntfs3 or through ntfs-3g and FUSE", () => {
    const host: HostCapabilities = { root: true, tools: {}, kernelFilesystems: ['ext4'], kernel: { nbd: false, deviceMapper: false, md: false, fuse: true, loop: true } };
    expect(featuresAvailable(host, ['ntfs'])).toBe(false);
    expect(featuresAvailable({ ...host, kernelFilesystems: ['ext4', 'ntfs3'] }, ['ntfs'])).toBe(true);
    expect(featuresAvailable({ ...host, tools: { 'ntfs-3g': '/usr/bin/ntfs-3g' } }, ['ntfs'])).toBe(true);
    expect(featuresAvailable({ ...host, tools: { 'ntfs-3g': '/usr/bin/ntfs-3g' }, kernel: { ...host.kernel, fuse: false } }, ['ntfs'])).toBe(false);
  });
});
