import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixtures, type FixtureManifest } from '../../fixtures/lib/manifest.js';
import { scratchDir } from '../../helpers/images.js';
import { buildWindowsImage } from '../../helpers/windows-image.js';

const EXAMPLES = path.join(import.meta.dirname, '../../../examples');
let fx: FixtureManifest;
let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  fx = await loadFixtures();
  ({ dir, remove } = await scratchDir('examples'));
});
afterAll(async () => remove());

const example = (name: string, args: string[]) => execa('node', ['--import', 'tsx', path.join(EXAMPLES, name), ...args], { reject: false, env: { TMPDIR: dir } });

describe('the examples run and print what they promise', () => {
  it('customize-cloud-image.ts customises a copy of the Debian fixture', async () => {
    const copy = path.join(dir, 'cloud.qcow2');
    await copyFile(fx.debian12!.path, copy);
    const key = path.join(dir, 'id.pub');
    await writeFile(key, 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyForTheExampleTest000000000000000 me@laptop\n');
    const r = await example('customize-cloud-image.ts', [copy, key]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('hostname: set\ntimezone: set\nroot ssh key: added\nfirst boot: /usr/local/lib/vmcraft/firstboot.d/enable-ssh');
    expect(r.stdout).toContain('guest says: web01.example.com, ../usr/share/zoneinfo/Europe/Paris');
  });

  it('windows-virtio.ts inspects a Windows volume and injects drivers', async () => {
    const image = path.join(dir, 'windows.raw');
    await buildWindowsImage(dir, image);
    const drivers = path.join(dir, 'virtio-win', 'viostor', '2k19', 'amd64');
    await mkdir(drivers, { recursive: true });
    await copyFile(path.join(import.meta.dirname, '../../fixtures/virtio/viostor.inf'), path.join(drivers, 'viostor.inf'));
    await writeFile(path.join(drivers, 'viostor.sys'), 'MZ');
    const r = await example('windows-virtio.ts', [image, path.join(dir, 'virtio-win')]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Windows Server 2019 Standard (win2k19, x86_64), hostname WIN-SRV01, drives C: D:');
    expect(r.stdout).toContain('Tcpip Start: 1');
    expect(r.stdout).toMatch(/would inject viostor from .*viostor\/2k19\/amd64/);
    expect(r.stdout).toMatch(/injected: 3 files, SYSTEM backup \/Windows\/System32\/config\/SYSTEM\.vmcraft-.+\.bak/);
  });

  it('basic.ts builds the sample guest and inspects it', async () => {
    const r = await example('basic.ts', []);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Root /dev/sda2: Debian GNU/Linux 12 (bookworm) (debian 12.5, x86_64)');
    expect(r.stdout).toContain('--- /etc/hostname\nvmcraft-sample');
    expect(r.stdout).toMatch(/launch \d+(\.\d+)? ms, inspect \d+(\.\d+)? ms/);
  });

  it('basic.ts on the debootstrapped Debian fixture', async () => {
    const r = await example('basic.ts', [fx.debian12!.path]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('hostname vmcraft-debian, packages deb/apt, osinfo debian12');
  });

  it('forensics.ts exports logs with checksums and proves the image unchanged', async () => {
    const out = path.join(dir, 'evidence');
    const r = await example('forensics.ts', [fx.debian12!.path, out]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('os: Debian GNU/Linux 12 (bookworm) (vmcraft-debian)');
    expect(r.stdout).toContain('image unchanged: OK');
    const sums = (await readFile(path.join(out, 'SHA256SUMS'), 'utf8')).trim().split('\n');
    expect(sums.length).toBeGreaterThan(0);
    expect(sums[0]).toMatch(/^[0-9a-f]{64} {2}\/var\/log\/.+\.log$/);
  });
});
