import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { buildWindowsImage } from '../../helpers/windows-image.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir, sha256File } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;
let image: string;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('windows'));
  image = path.join(dir, 'windows.raw');
  await buildWindowsImage(dir, image);
});
afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

describe('Windows inspection', () => {
  it('finds the system root and reads product, version, build, hostname and arch from the hives', async () => {
    const before = await sha256File(image);
    {
      await using g = await GuestFS.open(image, { readonly: true, tmpDir: dir });
      expect(await g.inspectOs()).toEqual(['/dev/sda1']);
      expect(g.inspectOsInfo('/dev/sda1')).toMatchObject({
        type: 'windows', distro: 'windows', productName: 'Windows Server 2019 Standard', majorVersion: 10, minorVersion: 0,
        hostname: 'win-srv01', computerName: 'WIN-SRV01', buildId: '17763', arch: 'x86_64', osinfo: 'win2k19', mountpoints: [{ mountpoint: '/', device: '/dev/sda1' }],
        filesystems: ['/dev/sda1'],
        windows: {
          systemroot: '/Windows', productVariant: 'Server', editionId: 'ServerStandard', buildNumber: '17763', currentControlSet: 'ControlSet002',
          systemHive: '/Windows/System32/config/SYSTEM', softwareHive: '/Windows/System32/config/SOFTWARE',
          drives: [{ drive: 'C:', device: '/dev/sda1' }, { drive: 'D:' }],
          applications: [
            { name: '7-Zip 23.01 (x64)', key: '7-Zip', version: '23.01', publisher: 'Igor Pavlov', installDate: '', installLocation: '', url: '', comments: '' },
            { name: 'Notepad++ (32-bit x86)', key: 'Notepad++', version: '8.6.2', publisher: 'Notepad++ Team', installDate: '20240115', installLocation: '', url: '', comments: '' },
          ],
        },
      });
      // The libguestfs calls over the same facts: drive letters without a device here are left out.
      expect([g.inspect_get_product_variant('/dev/sda1'), g.inspect_get_windows_systemroot('/dev/sda1')]).toEqual(['Server', '/Windows']);
      expect(g.inspect_get_drive_mappings('/dev/sda1')).toEqual({ C: '/dev/sda1' });
      // What libguestfs answers for this image: the TCP/IP host name of the current control set
      // (ControlSet002's, not ControlSet001's `old-name`), not the NetBIOS ComputerName.
      const root = '/dev/sda1';
      expect({
        roots: g.inspect_get_roots(),
        productName: g.inspect_get_product_name(root),
        hostname: g.inspect_get_hostname(root),
        buildId: g.inspect_get_build_id(root),
        controlSet: g.inspect_get_windows_current_control_set(root),
        systemHive: g.inspect_get_windows_system_hive(root),
        softwareHive: g.inspect_get_windows_software_hive(root),
        filesystems: g.inspect_get_filesystems(root),
        mountpoints: g.inspect_get_mountpoints(root),
      }).toEqual({
        roots: [root], productName: 'Windows Server 2019 Standard', hostname: 'win-srv01', buildId: '17763', controlSet: 'ControlSet002',
        systemHive: '/Windows/System32/config/SYSTEM', softwareHive: '/Windows/System32/config/SOFTWARE',
        filesystems: [root], mountpoints: { '/': root },
      });
    }
    expect(await sha256File(image)).toBe(before);
  });
});

describe('the registry', () => {
  it('reads typed values, keys and the current control set', async () => {
    await using g = await GuestFS.open(image, { readonly: true, tmpDir: dir });
    await g.mountRo('/dev/sda1', '/');
    const sw = '/windows/system32/config/software';
    const read = async (name: string) => (await g.registryRead(sw, '\\Microsoft\\Windows NT\\CurrentVersion', name));
    expect(await read('ProductName')).toMatchObject({ type: 'REG_SZ', data: 'Windows Server 2019 Standard' });
    expect(await read('currentmajorversionnumber')).toMatchObject({ type: 'REG_DWORD', data: 10 });
    expect(await read('SystemRoot')).toMatchObject({ type: 'REG_EXPAND_SZ', data: 'C:\\Windows' });
    expect(await read('Paths')).toMatchObject({ type: 'REG_MULTI_SZ', data: ['a', 'bc'] });
    expect(await read('InstallTime')).toMatchObject({ type: 'REG_QWORD', data: 0xe8d4a51000n });
    expect((await read('DigitalProductId')).data).toEqual(Buffer.from([0xa4, 0, 0, 0, 3, 0]));
    expect(await read('Odd')).toMatchObject({ type: 'REG_UNKNOWN_4660', typeId: 0x1234, data: Buffer.from([1, 2]) });
    expect(await g.windowsPath('C:\\windows\\system32\\CONFIG\\software')).toBe('/Windows/System32/config/SOFTWARE');
    expect((await g.registryKeys(sw, 'Microsoft')).subkeys).toEqual(['Windows', 'Windows NT']);
    expect(await g.registryRead('/Windows/System32/config/SYSTEM', '\\CurrentControlSet\\Control\\ComputerName\\ComputerName', 'ComputerName')).toMatchObject({ data: 'WIN-SRV01' });
    await expect(g.registryKeys(sw, '\\NoSuchKey')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(read('NoSuchValue')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(g.registryKeys('/Windows/System32/config/BROKEN', '\\')).rejects.toMatchObject({ code: 'EREGISTRY' });
    await expect(g.registryKeys('/Windows/System32/config/SAM', '\\')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(g.registryWrite(sw, [{ op: 'createKey', key: '\\X' }])).rejects.toMatchObject({ code: 'EREADONLY' });
  });

  it('commits a batch of edits once, with a backup, checked with hivexget itself', async () => {
    const out = path.join(dir, 'SYSTEM.after');
    const orig = path.join(dir, 'SYSTEM.before');
    {
      await using g = await GuestFS.open(image, { tmpDir: dir });
      await g.mount('/dev/sda1', '/');
      const system = '/Windows/System32/config/SYSTEM';
      await g.download(system, orig);
      const { backup } = await g.registryWrite(system, [
        { op: 'createKey', key: '\\CurrentControlSet\\Services\\viostor' },
        { op: 'setValue', key: '\\CurrentControlSet\\Services\\viostor', name: 'Start', typeId: 4, data: 0 },
        { op: 'setValue', key: '\\CurrentControlSet\\Services\\viostor', name: 'ImagePath', typeId: 2, data: 'system32\\drivers\\viostor.sys' },
        { op: 'setValue', key: '\\CurrentControlSet\\Services\\viostor', name: 'Group', typeId: 1, data: 'SCSI miniport' },
        { op: 'deleteValue', key: '\\CurrentControlSet\\Services\\Tcpip', name: 'Start' },
      ]);
      expect(backup).toMatch(/^\/Windows\/System32\/config\/SYSTEM\.vmcraft-.+\.bak$/);
      expect(await g.checksum('sha256', backup)).toBe(await sha256File(orig));
      expect(await g.registryRead(system, '\\ControlSet002\\Services\\viostor', 'Start')).toMatchObject({ type: 'REG_DWORD', data: 0 });
      const exported = await g.registryExport(system, '\\CurrentControlSet\\Services\\viostor');
      expect(exported).toContain('[\\ControlSet002\\Services\\viostor]');
      expect((await g.registryMerge(system, exported.replace(/\\viostor\]/g, '\\viostor-copy]'))).backup).toMatch(/\.bak$/);
      expect(await g.registryRead(system, '\\ControlSet002\\Services\\viostor-copy', 'Group')).toMatchObject({ data: 'SCSI miniport' });
      await g.download(system, out);
      await expect(g.registryWrite(system, [{ op: 'setValue', key: '\\Fine', name: 'x', typeId: 1, data: 'y' }, { op: 'deleteKey', key: '\\No\\Such\\Key' }])).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(g.registryWrite(system, [{ op: 'deleteValue', key: '\\Select', name: 'Nope' }])).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await g.checksum('sha256', system)).toBe(await sha256File(out));
    }
    const get = async (key: string, value: string) => (await execa('hivexget', [out, key, value], { reject: false })).stdout;
    expect(await get('\\ControlSet002\\Services\\viostor', 'Start')).toBe('0');
    expect(await get('\\ControlSet002\\Services\\viostor', 'ImagePath')).toBe('system32\\drivers\\viostor.sys');
    expect(await get('\\ControlSet002\\Services\\viostor', 'Group')).toBe('SCSI miniport');
    expect(await get('\\ControlSet002\\Services\\Tcpip', 'Start')).toBe('');
    expect(await get('\\ControlSet001\\Control\\ComputerName\\ComputerName', 'ComputerName')).toBe('OLD-NAME');
    expect(await get('\\ControlSet002\\Services\\viostor-copy', 'Start')).toBe('0');
    expect((await readFile(out)).equals(await readFile(orig))).toBe(false);
  });
});
