/**
 * The disk_* calls on host image files, without a session: creating each
 * format with its options, refusals, and hostile images whose backing file
 * or extent points at a host file: it is reported, never opened.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { scratchDir } from '../../helpers/images.js';

const MiB = 1024 * 1024;
let dir: string;
let remove: () => Promise<void>;
const g = new GuestFS();

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('disk-images'));
});
afterAll(async () => {
  await g.close();
  await remove();
});

const info = async (file: string) => JSON.parse((await execa('qemu-img', ['info', '--output=json', file])).stdout) as Record<string, unknown> & { 'format-specific'?: { data: Record<string, unknown> } };

describe('diskCreate', () => {
  it.each([['raw', 'raw'], ['qcow2', 'qcow2'], ['vmdk', 'vmdk'], ['vhdx', 'vhdx']] as const)('makes %s, which disk_format calls %s', async (format, driver) => {
    const file = path.join(dir, `blank.${format}`);
    await g.disk_create(file, format, 10 * MiB);
    expect(await g.diskFormat(file)).toBe(driver);
    expect(await g.diskVirtualSize(file)).toBe(10 * MiB);
    expect(await g.diskHasBackingFile(file)).toBe(false);
  });

  it('passes preallocation, compat and cluster size to qcow2 and raw', async () => {
    const q = path.join(dir, 'opts.qcow2');
    await g.diskCreate(q, 'qcow2', 4 * MiB, { compat: '0.10', clusterSize: 4096, preallocation: 'metadata' });
    const qi = await info(q);
    expect([qi['cluster-size'], qi['format-specific']!.data.compat]).toEqual([4096, '0.10']);
    const r = path.join(dir, 'full.raw');
    await g.diskCreate(r, 'raw', 4 * MiB, { preallocation: 'full' });
    expect((await info(r))['actual-size']).toBeGreaterThanOrEqual(4 * MiB);
  });

  it('makes an overlay on an explicit backing file, whose size it takes', async () => {
    const base = path.join(dir, 'base.raw');
    await g.diskCreate(base, 'raw', 6 * MiB);
    const top = path.join(dir, 'top.qcow2');
    await g.diskCreate(top, 'qcow2', -1, { backingFile: base, backingFormat: 'raw' });
    expect(await g.diskHasBackingFile(top)).toBe(true);
    expect(await g.diskVirtualSize(top)).toBe(6 * MiB);
    expect((await info(top))['backing-filename-format']).toBe('raw');
  });

  it('refuses bad arguments and never overwrites', async () => {
    const file = path.join(dir, 'refused.qcow2');
    const base = path.join(dir, 'base.raw');
    const cases: [string, unknown[]][] = [
      ['a backing file without its format', [file, 'qcow2', -1, { backingFile: base }]],
      ['a size with a backing file', [file, 'qcow2', MiB, { backingFile: base, backingFormat: 'raw' }]],
      ['a backing file for raw', [file, 'raw', -1, { backingFile: base, backingFormat: 'raw' }]],
      ['a negative size', [file, 'qcow2', -1]],
      ['an unknown format', [file, 'qed', MiB]],
      ['compat on raw', [file, 'raw', MiB, { compat: '1.1' }]],
      ['a cluster size that is no power of two', [file, 'qcow2', MiB, { clusterSize: 3000 }]],
      ['metadata preallocation on raw', [file, 'raw', MiB, { preallocation: 'metadata' }]],
      ['an unknown backing format', [file, 'qcow2', -1, { backingFile: base, backingFormat: 'nbd' }]],
    ];
    for (const [why, args] of cases) {
      await expect((g.diskCreate as (...a: unknown[]) => Promise<void>)(...args), why).rejects.toMatchObject({ code: 'EINVAL' });
    }
    await expect(g.diskCreate(base, 'raw', MiB)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await g.diskVirtualSize(base)).toBe(6 * MiB);
    await expect(g.diskFormat(path.join(dir, 'missing.img'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('hostile images', () => {
  it('reports a backing file that points at a host file without opening it', async () => {
    // A FIFO: opening it for reading would block, so a call that followed the backing file would hang.
    const fifo = path.join(dir, 'trap.fifo');
    await execa('mkfifo', [fifo]);
    const evil = path.join(dir, 'evil.qcow2');
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', '-u', '-b', fifo, '-F', 'raw', evil, '3M']);
    expect(await g.diskHasBackingFile(evil)).toBe(true);
    expect(await g.diskVirtualSize(evil)).toBe(3 * MiB);
    expect(await g.diskFormat(evil)).toBe('qcow2');
    const shadow = path.join(dir, 'shadow.qcow2');
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', '-u', '-b', '/etc/shadow', '-F', 'raw', shadow, '2M']);
    expect(await g.diskVirtualSize(shadow)).toBe(2 * MiB);
  }, 20_000);

  it('refuses a vmdk whose extent is a host file elsewhere', async () => {
    const sub = path.join(dir, 'vmdk');
    await mkdir(sub);
    const desc = path.join(sub, 'evil.vmdk');
    await writeFile(desc, ['# Disk DescriptorFile', 'version=1', 'CID=fffffffe', 'parentCID=ffffffff', 'createType="monolithicFlat"', 'RW 8 FLAT "/etc/passwd" 0', ''].join('\n'));
    await expect(g.diskVirtualSize(desc)).rejects.toMatchObject({ code: 'EUNSAFE' });
    await expect(g.diskHasBackingFile(desc)).rejects.toMatchObject({ code: 'EUNSAFE' });
  });

  it('works in a launched session too (the calls need no drive)', async () => {
    await using s = new GuestFS({ tmpDir: dir });
    s.addDriveScratch(MiB);
    await s.launch();
    expect(await s.diskHasBackingFile(path.join(dir, 'evil.qcow2'))).toBe(true);
  });
});
