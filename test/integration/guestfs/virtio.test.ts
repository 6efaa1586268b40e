import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { parseInf } from '../../../src/fix/windows/inf.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { buildVirtioTree, buildWindowsImage } from '../../helpers/windows-image.js';

const INFS = path.join(import.meta.dirname, '../../fixtures/virtio');
let dir: string;
let remove: () => Promise<void>;
let image: string;
let drivers: string;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('virtio'));
  image = path.join(dir, 'windows.raw');
  await buildWindowsImage(dir, image);
  drivers = await buildVirtioTree(dir);
  await mkdir(path.join(drivers, 'viostor', 'w10', 'amd64'), { recursive: true });
});
afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

describe('parseInf on virtio-win style .inf files', () => {
  it('reads class, PCI ids and the service with [Strings] expanded', async () => {
    const { readFile } = await import('node:fs/promises');
    expect(parseInf(await readFile(path.join(INFS, 'viostor.inf'), 'latin1'))).toEqual({
      className: 'SCSIAdapter',
      classGuid: '{4D36E97B-E325-11CE-BFC1-08002BE10318}',
      hardwareIds: ['PCI\\VEN_1AF4&DEV_1001&SUBSYS_00021AF4&REV_00', 'PCI\\VEN_1AF4&DEV_1042&SUBSYS_11001AF4&REV_01'],
      service: { name: 'viostor', type: 1, start: 0, errorControl: 1, group: 'SCSI miniport', binary: '%12%\\viostor.sys' },
    });
    expect(parseInf(await readFile(path.join(INFS, 'netkvm.inf'), 'latin1')).service).toMatchObject({ name: 'netkvm', start: 3, group: 'NDIS' });
  });
});

describe('injectVirtioDrivers', () => {
  it('plans without writing (dry run), then injects files and registry keys, checked with hivexget', async () => {
    const before = await sha256File(image);
    {
      // A dry run needs no write access at all: a read-only session proves it changes nothing.
      await using g = await GuestFS.open(image, { readonly: true, tmpDir: dir });
      await g.mountRoot((await g.inspectOs())[0]!);
      const dry = await g.injectVirtioDrivers(drivers, { dryRun: true, drivers: ['viostor', 'netkvm', 'vioscsi'] });
      expect(dry.applied).toBe(false);
      expect(dry.plan.controlSets).toEqual(['ControlSet002']);
      expect(dry.plan.drivers.map((d) => d.driver)).toEqual(['viostor', 'netkvm']);
      expect(dry.plan.notes).toEqual([`no vioscsi for win2k19 x86_64 in ${drivers}`]);
    }
    expect(await sha256File(image)).toBe(before);
    const hive = path.join(dir, 'SYSTEM.injected');
    {
      await using g = await GuestFS.open(image, { tmpDir: dir });
      await g.mountRoot((await g.inspectOs())[0]!);
      const report = await g.injectVirtioDrivers(drivers, { drivers: ['viostor', 'netkvm'] });
      expect(report.applied).toBe(true);
      expect(report.hiveBackup).toMatch(/^\/Windows\/System32\/config\/SYSTEM\.vmcraft-.+\.bak$/);
      expect(report.filesCopied).toContain('/Windows/System32/drivers/viostor.sys');
      expect(await g.cat('/Windows/System32/drivers/viostor.sys')).toBe('MZ fake viostor driver');
      expect((await g.globExpand('/Windows/System32/DriverStore/FileRepository/viostor.inf_amd64_*/viostor.inf')).length).toBe(1);
      await g.download('/Windows/System32/config/SYSTEM', hive);
    }
    const get = async (key: string, value: string) => (await execa('hivexget', [hive, key, value], { reject: false })).stdout;
    expect(await get('\\ControlSet002\\Services\\viostor', 'Start')).toBe('0');
    expect(await get('\\ControlSet002\\Services\\viostor', 'Type')).toBe('1');
    expect(await get('\\ControlSet002\\Services\\viostor', 'Group')).toBe('SCSI miniport');
    expect(await get('\\ControlSet002\\Services\\viostor', 'ImagePath')).toBe('system32\\drivers\\viostor.sys');
    expect(await get('\\ControlSet002\\Services\\netkvm', 'Start')).toBe('3');
    expect(await get('\\ControlSet002\\Control\\CriticalDeviceDatabase\\pci#ven_1af4&dev_1001&subsys_00021af4&rev_00', 'Service')).toBe('viostor');
    expect(await get('\\ControlSet002\\Control\\CriticalDeviceDatabase\\pci#ven_1af4&dev_1042&subsys_11001af4&rev_01', 'ClassGUID')).toBe('{4D36E97B-E325-11CE-BFC1-08002BE10318}');
    expect(await get('\\ControlSet001\\Services\\viostor', 'Start')).toBe('');
  });

  it('refuses a read-only session', async () => {
    await using ro = await GuestFS.open(image, { readonly: true, tmpDir: dir });
    await ro.mountRoot((await ro.inspectOs())[0]!);
    await expect(ro.injectVirtioDrivers(drivers)).rejects.toMatchObject({ code: 'EREADONLY' });
  });
});
