import { describe, expect, it } from 'vitest';
import { mountArgs, readOnlyOptions } from '../../../src/fs/mount.js';

const base = { hostDevice: '/dev/loop3p1', hostDir: '/tmp/vmcraft-x/root', options: [] as string[] };

describe('mountArgs', () => {
  it('disables journal replay on read-only mounts, per filesystem', () => {
    expect(mountArgs({ ...base, vfsType: 'ext4', readonly: true })).toEqual(['-t', 'ext4', '-o', 'ro,noload,nodev,nosuid', '/dev/loop3p1', '/tmp/vmcraft-x/root']);
    expect(mountArgs({ ...base, vfsType: 'xfs', readonly: true })).toContain('ro,norecovery,nodev,nosuid,nouuid');
    expect(mountArgs({ ...base, vfsType: 'btrfs', readonly: true })).toContain('ro,rescue=nologreplay,nodev,nosuid');
    expect(readOnlyOptions('ext3')).toEqual(['ro', 'noload']);
    expect(readOnlyOptions('squashfs')).toEqual(['ro']);
  });

  it('passes the caller options through on read-write mounts', () => {
    expect(mountArgs({ ...base, vfsType: 'ext4', readonly: false, options: ['noatime', 'data=ordered'] })).toEqual(['-t', 'ext4', '-o', 'nodev,nosuid,noatime,data=ordered', '/dev/loop3p1', '/tmp/vmcraft-x/root']);
    expect(mountArgs({ ...base, vfsType: 'ext4', readonly: false })).toEqual(['-t', 'ext4', '-o', 'nodev,nosuid', '/dev/loop3p1', '/tmp/vmcraft-x/root']);
  });

  it('mounts NTFS with ntfs-3g, and FAT with fusefat (read-only) where the kernel has no vfat', () => {
    expect(mountArgs({ ...base, vfsType: 'ntfs', readonly: true })).toEqual(['-t', 'ntfs-3g', '-o', 'ro,norecover,nodev,nosuid', '/dev/loop3p1', '/tmp/vmcraft-x/root']);
    expect(mountArgs({ ...base, vfsType: 'vfat', readonly: true, kernelFilesystems: ['ext4'] })[1]).toBe('fuse.fusefat');
    expect(mountArgs({ ...base, vfsType: 'vfat', readonly: false, kernelFilesystems: ['vfat'] })[1]).toBe('vfat');
    expect(() => mountArgs({ ...base, vfsType: 'vfat', readonly: false, kernelFilesystems: ['ext4'] })).toThrow(/FAT through FUSE is read-only/);
  });

  it("mounts NTFS with the kernel's ntfs3 where the kernel has it, ntfs-3g otherwise, read-only without $LogFile replay either way", () => {
    const ro = { ...base, vfsType: 'ntfs', readonly: true };
    expect(mountArgs({ ...ro, kernelFilesystems: ['ext4', 'ntfs3'] })).toEqual(['-t', 'ntfs3', '-o', 'ro,nodev,nosuid', '/dev/loop3p1', '/tmp/vmcraft-x/root']);
    expect(mountArgs({ ...ro, kernelFilesystems: ['ext4', 'fuseblk'] })).toEqual(['-t', 'ntfs-3g', '-o', 'ro,norecover,nodev,nosuid', '/dev/loop3p1', '/tmp/vmcraft-x/root']);
    // The hibernation file is removed, or a dirty volume forced, only when the caller asks for it.
    for (const kernelFilesystems of [['ntfs3'], []]) expect(mountArgs({ ...ro, kernelFilesystems }).join(' ')).not.toMatch(/remove_hiberfile|force/);
    expect(mountArgs({ ...base, vfsType: 'ntfs', readonly: false, options: ['remove_hiberfile'], kernelFilesystems: [] })).toContain('nodev,nosuid,remove_hiberfile');
    expect(mountArgs({ ...base, vfsType: 'ntfs', readonly: false, kernelFilesystems: ['ntfs3'] })).toEqual(['-t', 'ntfs3', '-o', 'nodev,nosuid', '/dev/loop3p1', '/tmp/vmcraft-x/root']);
    expect(mountArgs({ ...base, vfsType: 'ntfs', readonly: false, kernelFilesystems: [] })).toEqual(['-t', 'ntfs-3g', '-o', 'nodev,nosuid', '/dev/loop3p1', '/tmp/vmcraft-x/root']);
    expect(readOnlyOptions('ntfs3')).toEqual(['ro']);
    expect(readOnlyOptions('ntfs-3g')).toEqual(['ro', 'norecover']);
  });

  it('mounts exFAT with the kernel driver where present, else exfat-fuse, read-only in a read-only session', () => {
    expect(mountArgs({ ...base, vfsType: 'exfat', readonly: true, kernelFilesystems: ['exfat'] })).toEqual(['-t', 'exfat', '-o', 'ro,nodev,nosuid', '/dev/loop3p1', '/tmp/vmcraft-x/root']);
    expect(mountArgs({ ...base, vfsType: 'exfat', readonly: true, kernelFilesystems: ['ext4'] })).toEqual(['-t', 'exfat-fuse', '-o', 'ro,nodev,nosuid', '/dev/loop3p1', '/tmp/vmcraft-x/root']);
    expect(mountArgs({ ...base, vfsType: 'exfat', readonly: false, kernelFilesystems: ['ext4'] })).toEqual(['-t', 'exfat-fuse', '-o', 'nodev,nosuid', '/dev/loop3p1', '/tmp/vmcraft-x/root']);
    expect(() => mountArgs({ ...base, vfsType: 'exfat', readonly: true, options: ['rw'], kernelFilesystems: ['ext4'] })).toThrow(/read-only session/);
  });

  it('refuses rw in a read-only session', () => {
    expect(() => mountArgs({ ...base, vfsType: 'ext4', readonly: true, options: ['rw'] })).toThrow(/read-only session/);
  });
});
