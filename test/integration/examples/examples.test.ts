import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { loadFixtures, type FixtureManifest } from '../../fixtures/lib/manifest.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
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
  it('migration.ts migrates a VMware-style vmdk to a checked qcow2 and resumes on a re-run', async () => {
    const work = path.join(dir, 'migration');
    await mkdir(work);
    const prepared = path.join(work, 'prepare.qcow2');
    await copyFile(fx.debian12!.path, prepared);
    await GuestFS.with(prepared, { tmpDir: work }, async (g) => {
      await g.mountRoot((await g.inspectOs())[0]!);
      await g.write('/etc/fstab', (await g.cat('/etc/fstab')).replace('LABEL=boot', '/dev/sda1'));
    });
    const vmdk = path.join(work, 'web01.vmdk');
    await execa('qemu-img', ['convert', '-O', 'vmdk', prepared, vmdk]);
    const before = await sha256File(vmdk);
    const r = await example('migration.ts', [vmdk, work]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`plan: web01: fetch → flatten → inspect → inventory → fix → convert → validate → ${path.join(work, 'web01.qcow2')}`);
    expect(lines[1]).toBe(`dry run: fstab: /etc/fstab: line 3: /dev/sda1 → UUID=${fx.debian12!.partitions[0]!.uuid}`);
    expect(lines).toContain('  web01 convert: done');
    expect(lines).toContain('inventory: web01: Debian GNU/Linux 12 (bookworm), x86_64, hostname vmcraft-debian');
    expect(lines.find((l) => l.startsWith('web01: ok in '))).toBeDefined();
    expect(lines).toContain(`report: ${path.join(work, 'web01.qcow2.report.json')}`);
    expect(lines).toContain('re-run: reused, reused, reused, reused, reused, reused, reused');
    expect(await sha256File(vmdk)).toBe(before);
    await execa('qemu-img', ['check', path.join(work, 'web01.qcow2')]);
  }, 120_000);

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
    expect(r.stdout).toContain('Windows Server 2019 Standard (win2k19, x86_64), hostname win-srv01, drives C: D:');
    expect(r.stdout).toContain('Tcpip Start: 1');
    expect(r.stdout).toMatch(/would inject viostor from .*viostor\/2k19\/amd64/);
    expect(r.stdout).toMatch(/injected: 3 files, SYSTEM backup \/Windows\/System32\/config\/SYSTEM\.vmcraft-.+\.bak/);
  });

  it('registry-edit.ts reads, writes and merges registry values with backups; hivexget sees the result', async () => {
    const work = path.join(dir, 'registry');
    await mkdir(work);
    const image = path.join(work, 'windows.raw');
    await buildWindowsImage(work, image);
    const r = await example('registry-edit.ts', [image, 'WIN-KVM01']);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 7)).toEqual([
      'SOFTWARE hive: /Windows/System32/config/SOFTWARE',
      'SYSTEM hive:   /Windows/System32/config/SYSTEM',
      '  ProductName = Windows Server 2019 Standard (REG_SZ)',
      '  CurrentBuildNumber = 17763 (REG_SZ)',
      '  InstallTime = 1000000000000 (REG_QWORD)',
      '  ComputerName = WIN-SRV01 (REG_SZ) (in ControlSet002)',
      '  uninstall entries: 7-Zip, KB5005112',
    ]);
    const backup = (hive: string) => new RegExp(`^registry(Write|Merge) ${hive}: backup (/Windows/System32/config/${hive}\\.vmcraft-[\\dT-]+Z\\.bak)$`);
    const systemBackup = backup('SYSTEM').exec(lines[7]!)?.[2];
    const softwareBackup = backup('SOFTWARE').exec(lines[8]!)?.[2];
    expect(systemBackup).toBeDefined();
    expect(softwareBackup).toBeDefined();
    expect(lines.slice(9)).toEqual([
      'read back:',
      '  ComputerName = WIN-KVM01 (REG_SZ)',
      '  \\CurrentControlSet\\Services\\vmcraft-agent\\DependOnService = Tcpip;Dnscache (REG_MULTI_SZ)',
      '  \\CurrentControlSet\\Services\\vmcraft-agent\\ImagePath = %SystemRoot%\\vmcraft\\agent.exe (REG_EXPAND_SZ)',
      '  \\CurrentControlSet\\Services\\vmcraft-agent\\Start = 2 (REG_DWORD)',
      '  \\Vmcraft\\Example\\Owner = ops@example.com (REG_SZ)',
      '  \\Vmcraft\\Example\\Retries = 5 (REG_DWORD)',
      '  backups in the guest: 2',
    ]);

    // The hives and their backups out of the image, read by hivex's own tool.
    const out = path.join(work, 'hives');
    await mkdir(out);
    {
      await using g = await GuestFS.open(image, { readonly: true, tmpDir: work });
      await g.mountRo('/dev/sda1', '/');
      for (const [guest, name] of [['/Windows/System32/config/SYSTEM', 'SYSTEM'], ['/Windows/System32/config/SOFTWARE', 'SOFTWARE'], [systemBackup!, 'SYSTEM.bak'], [softwareBackup!, 'SOFTWARE.bak']] as const) {
        await g.download(guest, path.join(out, name));
      }
    }
    const get = async (hive: string, key: string, value: string) => (await execa('hivexget', [path.join(out, hive), key, value], { reject: false })).stdout;
    expect(await get('SYSTEM', '\\ControlSet002\\Control\\ComputerName\\ComputerName', 'ComputerName')).toBe('WIN-KVM01');
    expect(await get('SYSTEM', '\\ControlSet001\\Control\\ComputerName\\ComputerName', 'ComputerName')).toBe('OLD-NAME');
    expect(await get('SYSTEM', '\\ControlSet002\\Services\\vmcraft-agent', 'Start')).toBe('2');
    expect(await get('SYSTEM', '\\ControlSet002\\Services\\vmcraft-agent', 'ImagePath')).toBe('%SystemRoot%\\vmcraft\\agent.exe');
    expect(await get('SYSTEM', '\\ControlSet002\\Services\\vmcraft-agent', 'DependOnService')).toBe('Tcpip\nDnscache\n');
    expect(await get('SOFTWARE', '\\Vmcraft\\Example', 'Owner')).toBe('ops@example.com');
    expect(await get('SOFTWARE', '\\Vmcraft\\Example', 'Retries')).toBe('5');
    // The backups are the hives as they were, byte for byte (the helper's tree holds the originals).
    expect(await sha256File(path.join(out, 'SYSTEM.bak'))).toBe(await sha256File(path.join(work, 'tree/Windows/System32/config/SYSTEM')));
    expect(await sha256File(path.join(out, 'SOFTWARE.bak'))).toBe(await sha256File(path.join(work, 'tree/Windows/System32/config/SOFTWARE')));
    expect(await get('SYSTEM.bak', '\\ControlSet002\\Control\\ComputerName\\ComputerName', 'ComputerName')).toBe('WIN-SRV01');
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
