/**
 * LVM and LUKS creation in VM mode (the VM's kernel has the device-mapper
 * this host lacks), on blank scratch images: a VG with a root and a swap LV
 * is made, resized and renamed, a LUKS device formatted, opened, closed,
 * given a second key and its first key killed; a second session finds the VG
 * and its LVs again at launch and opens the LUKS device with the new key,
 * then removes the LVM volumes. Keys never show in traces, nothing is left
 * behind on the host.
 */
import { truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GuestFS, type TraceEvent } from '../../../src/index.js';
import { Runner } from '../../../src/core/exec.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir } from '../../helpers/images.js';
import { rejected } from '../../helpers/thrown.js';

const VM_TIMEOUT = 600_000;
const MIB = 1024 * 1024;
const KEY = 'vm first key Qa93';
const NEW_KEY = 'vm second key Lm28';

let dir: string;
let remove: () => Promise<void>;
let lvmDisk: string;
let luksDisk: string;
const traces: TraceEvent[] = [];
const messages: string[] = [];

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('vm-lvm-luks'));
  lvmDisk = path.join(dir, 'lvm.raw');
  luksDisk = path.join(dir, 'luks.raw');
  for (const [file, size] of [[lvmDisk, 64], [luksDisk, 32]] as const) {
    await writeFile(file, '');
    await truncate(file, size * MIB);
  }
});

afterAll(async () => {
  const seen = JSON.stringify(traces) + messages.join('\n');
  expect(traces.length).toBeGreaterThan(0);
  for (const secret of [KEY, NEW_KEY]) expect(seen).not.toContain(secret);
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

/** A VM-mode session on both scratch disks (raw: a disk that starts with a LUKS header would pass for qemu's LUKS format). */
async function open(keys: string[] = []): Promise<GuestFS> {
  const g = new GuestFS({ mode: 'vm', tmpDir: dir, keys });
  g.on('trace', (t) => traces.push(t));
  g.on('log', (l) => messages.push(l.message));
  g.addDrive(lvmDisk, { format: 'raw' }).addDrive(luksDisk, { format: 'raw' });
  await g.launch();
  return g;
}

/** The code of the error `promise` rejects with; its message joins those searched for keys. */
async function code(promise: Promise<unknown>): Promise<string> {
  const err = await rejected(promise);
  messages.push(err.message);
  return err.code;
}

it('creates, resizes and renames a VG with root and swap LVs; formats, opens, closes and rekeys LUKS', async () => {
  const g = await open();
  try {
    expect(g.mode).toBe('vm');
    await g.pvcreate('/dev/sda');
    expect(g.pvs()).toEqual(['/dev/sda']);
    expect(g.vfsType('/dev/sda')).toBe('LVM2_member');
    await g.vgcreate('vmvg', ['/dev/sda']);
    expect(g.vgs()).toEqual(['vmvg']);
    expect(g.lvs()).toEqual([]);
    await g.lvcreate('root', 'vmvg', 24);
    await g.lvcreateFree('swap', 'vmvg', 50);
    expect(g.lvs()).toEqual(['/dev/vmvg/root', '/dev/vmvg/swap']);
    expect(g.vgs()).toEqual(['vmvg']);
    expect(g.listFilesystems().map((f) => f.device)).toEqual(expect.arrayContaining(['/dev/vmvg/root', '/dev/vmvg/swap']));
    // A VG whose LVs are active on this kernel (here the session's own) cannot get a twin: refused before lvm runs.
    expect(await code(g.vgcreate('vmvg', ['/dev/sdb']))).toBe('EEXIST');
    expect(g.vfsType('/dev/sdb')).toBe('');
    expect(await g.blockdevGetSize64('/dev/vmvg/root')).toBe(24 * MIB);
    const swap = await g.blockdevGetSize64('/dev/vmvg/swap');
    expect(swap).toBeGreaterThan(8 * MIB);
    await g.lvresize('/dev/vmvg/swap', 8);
    expect(await g.blockdevGetSize64('/dev/vmvg/swap')).toBe(8 * MIB);
    await g.lvresizeFree('/dev/vmvg/root', 100);
    // 64 MiB less LVM's metadata area and the swap LV, in 4 MiB extents.
    expect(await g.blockdevGetSize64('/dev/vmvg/root')).toBeGreaterThan(40 * MIB);
    expect(await code(g.lvcreate('big', 'vmvg', 1024))).toBe('ECOMMAND');
    expect(await code(g.lvrename('/dev/vmvg/swap', '/dev/other/swap0'))).toBe('EINVAL');
    await g.lvrename('/dev/vmvg/swap', '/dev/vmvg/swap0');
    await g.vgrename('vmvg', 'guestvg');
    expect(g.lvs()).toEqual(['/dev/guestvg/root', '/dev/guestvg/swap0']);
    expect(g.vgs()).toEqual(['guestvg']);
    expect(await g.blockdevGetSize64('/dev/guestvg/swap0')).toBe(8 * MIB);
    expect(await code(g.pvremove('/dev/sda'))).toBe('ECOMMAND');

    await g.luksFormat('/dev/sdb', KEY, 0);
    expect(await g.luksUuid('/dev/sdb')).toBe(g.vfsUuid('/dev/sdb'));
    const [mapping] = await g.luksOpen('/dev/sdb', KEY);
    expect(mapping).toMatch(/^\/dev\/mapper\/luks-/);
    expect(g.listFilesystems().map((f) => f.device)).toContain(mapping);
    await g.luksClose(mapping!);
    expect(g.listFilesystems().map((f) => f.device)).not.toContain(mapping);
    expect(await code(g.luksClose(mapping!))).toBe('ENOENT');
    await g.luksAddKey('/dev/sdb', KEY, NEW_KEY, 1);
    await g.luksKillSlot('/dev/sdb', NEW_KEY, 0);
    expect(await code(g.luksOpen('/dev/sdb', KEY))).toBe('EBADKEY');
  } finally {
    await g.close();
  }
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
}, VM_TIMEOUT);

it('finds the VG, its LVs and the rekeyed LUKS device again at launch; removes the LVM volumes', async () => {
  const g = await open([NEW_KEY]);
  try {
    expect(g.lvs()).toEqual(['/dev/guestvg/root', '/dev/guestvg/swap0']);
    const [mapping] = g.listFilesystems().map((f) => f.device).filter((d) => d.startsWith('/dev/mapper/luks-'));
    expect(mapping).toBe(`/dev/mapper/luks-${g.vfsUuid('/dev/sdb')}`);
    await g.luksClose(mapping!);
    await g.lvremove('/dev/guestvg/swap0');
    expect(g.lvs()).toEqual(['/dev/guestvg/root']);
    await g.lvremove('/dev/guestvg');
    expect(g.lvs()).toEqual([]);
    expect(g.vgs()).toEqual(['guestvg']);
    await g.vgremove('guestvg');
    expect(g.vgs()).toEqual([]);
    await g.pvremove('/dev/sda');
    expect(g.pvs()).toEqual([]);
    expect(g.vfsType('/dev/sda')).toBe('');
  } finally {
    await g.close();
  }
  // pvremove wiped the label: nothing of LVM is on the disk any more.
  const probe = await new Runner().run('blkid', ['-p', lvmDisk], { okExitCodes: [0, 2] });
  expect(probe.stdout).not.toContain('LVM2_member');
}, VM_TIMEOUT);
