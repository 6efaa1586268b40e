/**
 * Building a disk in a VM-mode session gives what it gives on the host:
 * the same partition table (partList without the random partition GUIDs),
 * the same filesystems (vfsType, vfsLabel, listFilesystems); and the VM's
 * kernel, which has vfat, writes the ESP, read back on the host afterwards.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { scratchDir } from '../../helpers/images.js';
import { closeSessions } from '../../helpers/close-sessions.js';

const MiB = 1024 * 1024;
const ESP = 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B';
let dir: string;
let remove: () => Promise<void>;
const images: Record<'host' | 'vm', string> = {} as never;
const sessions: Record<'host' | 'vm', GuestFS> = {} as never;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('vm-disks'));
  for (const mode of ['host', 'vm'] as const) {
    images[mode] = path.join(dir, `${mode}.qcow2`);
    const g = new GuestFS({ tmpDir: dir, mode });
    await g.diskCreate(images[mode], 'qcow2', 96 * MiB);
    g.addDrive(images[mode], { format: 'qcow2' });
    await g.launch();
    sessions[mode] = g;
  }
}, 240_000);

afterAll(() => closeSessions(sessions, dir, remove));

/** The same build, step by step, and what the session sees after it. */
async function build(g: GuestFS) {
  await g.partInit('/dev/sda', 'gpt');
  await g.partAdd('/dev/sda', 'p', 2048, 34815);
  await g.partAdd('/dev/sda', 'p', 34816, -34);
  await g.partSetGptType('/dev/sda', 1, ESP);
  await g.partSetName('/dev/sda', 2, 'root');
  await g.mkfs('vfat', '/dev/sda1', { label: 'ESP' });
  await g.mkfs('ext4', '/dev/sda2', { label: 'root' });
  return {
    partitions: g.listPartitions(),
    table: (await g.partList('/dev/sda')).map(({ uuid: _random, ...rest }) => rest),
    filesystems: g.listFilesystems(),
    labels: ['/dev/sda1', '/dev/sda2'].map((d) => [g.vfsType(d), g.vfsLabel(d)]),
  };
}

it('partitions and makes filesystems in the VM as on the host', async () => {
  const host = await build(sessions.host);
  const vm = await build(sessions.vm);
  expect(sessions.vm.mode).toBe('vm');
  expect(vm).toEqual(host);
  expect(host.labels).toEqual([['vfat', 'ESP'], ['ext4', 'root']]);
}, 120_000);

it('writes the ESP with the VM kernel\'s vfat, read back on the host', async () => {
  const g = sessions.vm;
  await g.mount('/dev/sda2', '/');
  await g.mkdir('/boot');
  await g.mount('/dev/sda1', '/boot');
  await g.mkdirP('/boot/EFI/BOOT');
  await g.write('/boot/EFI/BOOT/BOOTX64.EFI', 'not really an EFI binary');
  await g.close();
  await using check = await GuestFS.open(images.vm, { readonly: true, tmpDir: dir, mode: 'host' });
  expect(await check.fsck('vfat', '/dev/sda1').catch((err: { code: string }) => err.code)).toBe('EREADONLY');
  await check.mountRo('/dev/sda2', '/');
  await check.mountRo('/dev/sda1', '/boot');
  expect(await check.read('/boot/EFI/BOOT/BOOTX64.EFI', 'utf8')).toBe('not really an EFI binary');
}, 120_000);
