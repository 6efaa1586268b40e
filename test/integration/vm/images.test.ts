/**
 * VM mode on this host, as root. The images the host's kernel cannot open
 * (LVM, LUKS2, RAID1: no device-mapper or md here) open, inspect and mount
 * with `auto`, which moves them to a VM and says why; the ones the host can
 * open (the plain Debian qcow2, an NTFS Windows vhdx) stay on the host with
 * `auto` and give in a VM exactly what they give on the host. Read-only
 * sessions leave every image byte-identical, and a VM-mode session runs
 * nothing on the host that touches its images or filesystems.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixtures } from '../../fixtures/lib/manifest.js';
import { vmFixturePaths } from '../../vm/fixtures.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { HOST_TOUCHING, viewSession, windowsVhdx, WINDOWS_FILE } from '../../helpers/vm-mode.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';

const VM_TIMEOUT = 240_000;
const vm = vmFixturePaths();
let plain: string;
let windows: string;
let dir: string;
let remove: () => Promise<void>;
const before = new Map<string, string>();

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('vm-images'));
  plain = (await loadFixtures()).debian12!.path;
  windows = await windowsVhdx(dir);
  for (const image of [plain, windows, vm.lvm, vm.luks, ...vm.raid]) before.set(image, await sha256File(image));
}, VM_TIMEOUT);

afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

describe('auto moves what the host cannot open to a VM, and says why', () => {
  const cases = [
    { name: 'LVM (vmdk)', images: () => [vm.lvm], feature: 'device-mapper', root: '/dev/vmcraftvg/root', keys: [] as string[] },
    { name: 'LUKS2 (qcow2, key given)', images: () => [vm.luks], feature: 'device-mapper', root: /^\/dev\/mapper\//, keys: [vm.passphrase] },
    { name: 'RAID1 pair (two qcow2)', images: () => vm.raid, feature: 'md', root: /^\/dev\/md/, keys: [] as string[] },
  ];
  for (const c of cases) {
    it(`${c.name}: opens, inspects and mounts in a VM`, async () => {
      const view = await viewSession(c.images(), '/etc/hostname', { tmpDir: dir, keys: c.keys });
      expect(view.mode).toBe('vm');
      const reason = `this host's kernel has no ${c.feature}[^,]*, needed for the `;
      expect(view.note).toMatch(new RegExp(`^vm: ${reason}`));
      expect(view.logs.some((l) => new RegExp(`^mode vm: ${reason}`).test(l))).toBe(true);
      expect(view.os).toHaveLength(1);
      expect(view.os[0]).toMatchObject({ type: 'linux', distro: 'debian', majorVersion: 12, hostname: 'vmcraft-vm-fixture' });
      expect(view.os[0]!.root).toMatch(c.root);
      expect(view.mountpoints.map((m) => m.mountpoint)).toContain('/');
      expect(view.content.trim()).toBe('vmcraft-vm-fixture');
      for (const image of c.images()) expect(await sha256File(image), image).toBe(before.get(image));
    }, VM_TIMEOUT);
  }
});

describe('what the host can open: the same answers in a VM as on the host', () => {
  const cases = [
    { name: 'plain Debian qcow2', image: () => plain, file: '/etc/hostname' },
    { name: 'NTFS Windows vhdx', image: () => windows, file: WINDOWS_FILE },
  ];
  for (const c of cases) {
    it(`${c.name}: auto stays on the host; mode vm gives the same inspection, filesystems, mounts and content`, async () => {
      const host = await viewSession([c.image()], c.file, { tmpDir: dir });
      expect(host.mode).toBe('host');
      expect(host.note).toBe('host: the host can attach and mount the images');
      const inVm = await viewSession([c.image()], c.file, { tmpDir: dir, mode: 'vm' });
      expect(inVm.mode).toBe('vm');
      expect(inVm.note).toBe('vm: mode vm was asked for');
      expect(inVm.os).toEqual(host.os);
      expect(inVm.filesystems).toEqual(host.filesystems);
      expect(inVm.mountpoints).toEqual(host.mountpoints);
      expect(inVm.content).toBe(host.content);
      // The host never saw the VM's disks or mounts; host mode did attach and mount.
      expect(host.hostSaw.mounts.length).toBeGreaterThan(0);
      expect(inVm.hostSaw).toEqual({ loopDevices: [], mounts: [] });
      expect(inVm.hostPrograms.filter((p) => HOST_TOUCHING.includes(p))).toEqual([]);
      expect(inVm.hostPrograms).toContain('qemu-system-x86_64');
      expect(await sha256File(c.image())).toBe(before.get(c.image()));
    }, VM_TIMEOUT);
  }
});
