/**
 * VM mode without root: an unprivileged user (uid 65534, no capabilities)
 * opens, inspects and mounts all five images with the built package in
 * `auto` mode — each in a VM, saying it is because it is not root — with the
 * same answers host mode gives as root for the images the host can open, and
 * every image byte-identical afterwards.
 */
import { chown, chmod } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadFixtures } from '../../fixtures/lib/manifest.js';
import { vmFixturePaths } from '../../vm/fixtures.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { viewSession, windowsVhdx, WINDOWS_FILE, type SessionView } from '../../helpers/vm-mode.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';

const NOBODY = 65534;
const vm = vmFixturePaths();
let dir: string;
let remove: () => Promise<void>;
let plain: string;
let windows: string;
const before = new Map<string, string>();

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('vm-rootless'));
  await chmod(dir, 0o755);
  plain = (await loadFixtures()).debian12!.path;
  windows = await windowsVhdx(dir);
  for (const image of [plain, windows, vm.lvm, vm.luks, ...vm.raid]) before.set(image, await sha256File(image));
}, 120_000);

afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

it('uid 65534 opens, inspects and mounts LVM, LUKS2, RAID1, the plain qcow2 and NTFS in VM mode with auto', async () => {
  const sessions = path.join(dir, 'sessions');
  await execa('mkdir', [sessions]);
  await chown(sessions, NOBODY, NOBODY);
  const sets = [
    { images: [vm.lvm], file: '/etc/hostname' },
    { images: [vm.luks], file: '/etc/hostname', keys: [vm.passphrase] },
    { images: vm.raid, file: '/etc/hostname' },
    { images: [plain], file: '/etc/hostname' },
    { images: [windows], file: WINDOWS_FILE },
  ];
  const child = await execa('setpriv', [
    `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', '--inh-caps=-all', '--',
    'env', 'HOME=/nonexistent', process.execPath, '--import', 'tsx', 'test/helpers/vm-user-child.ts', JSON.stringify(sets), sessions,
  ], { cwd: path.join(import.meta.dirname, '../../..'), timeout: 600_000, reject: false });
  expect(child.exitCode, child.stderr).toBe(0);
  const views = child.stdout.trim().split('\n').map((l) => JSON.parse(l) as SessionView & { uid: number });
  expect(views).toHaveLength(sets.length);
  for (const view of views) {
    expect(view.uid).toBe(NOBODY);
    expect(view.mode).toBe('vm');
    expect(view.note).toBe('vm: not root: host mode needs root to attach images and mount filesystems');
    expect(view.hostSaw).toEqual({ loopDevices: [], mounts: [] });
  }
  const [lvm, luks, raid, plainView, windowsView] = views;
  for (const view of [lvm!, luks!, raid!]) {
    expect(view.os[0]).toMatchObject({ type: 'linux', distro: 'debian', hostname: 'vmcraft-vm-fixture' });
    expect(view.content.trim()).toBe('vmcraft-vm-fixture');
  }
  expect(lvm!.os[0]!.root).toBe('/dev/vmcraftvg/root');
  // As root, host mode gives the same answers on what the host can open.
  for (const [view, image, file] of [[plainView!, plain, '/etc/hostname'], [windowsView!, windows, WINDOWS_FILE]] as const) {
    const host = await viewSession([image], file, { tmpDir: dir, mode: 'host' });
    expect(view.os).toEqual(host.os);
    expect(view.filesystems).toEqual(host.filesystems);
    expect(view.mountpoints).toEqual(host.mountpoints);
    expect(view.content).toBe(host.content);
  }
  for (const [image, sum] of before) expect(await sha256File(image), image).toBe(sum);
}, 660_000);
