/**
 * Hives from a real Windows 8.1 installation (and one written by Windows XP),
 * fetched by test/fixtures/real-hives.ts from Debian source packages, on an
 * NTFS volume: every key and value vmcraft reads must agree with what hivex's
 * C tools (hivexml, hivexget) report; inspection, the current control set,
 * the hivex_* calls, edits and bad input are checked on them too.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { parseRegExport } from '../../../src/registry/reg-format.js';
import { ensureRealHives, SOURCES, type RealHives } from '../../fixtures/real-hives.js';
import { compareWithHivexml, hivexmlKeys, hivexmlRootName } from '../../helpers/hive-compare.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { buildRealWindowsImage, GUEST } from '../../helpers/real-windows-image.js';

let dir: string;
let remove: () => Promise<void>;
let image: string;
let hives: RealHives;
const sums = Object.fromEntries(SOURCES.flatMap((s) => Object.entries(s.hives).map(([name, h]) => [name, h.sha256])));

beforeAll(async () => {
  hives = await ensureRealHives();
  ({ dir, remove } = await scratchDir('real-hives'));
  image = path.join(dir, 'win81.raw');
  await buildRealWindowsImage(dir, image, hives);
}, 300_000);
afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

/** hivexget's answer for one value (hivexsh, libhivex's C API). */
async function hivexget(file: string, key: string, value?: string): Promise<string> {
  return (await execa('hivexget', [file, key, ...(value === undefined ? [] : [value])])).stdout;
}

describe('Windows 8.1 from its real hives', () => {
  it('is inspected as libguestfs would, with the values hivexget reads', async () => {
    const before = await sha256File(image);
    const current = Number(await hivexget(hives.SYSTEM!, '\\Select', 'Current'));
    const cs = `ControlSet${String(current).padStart(3, '0')}`;
    {
      await using g = await GuestFS.open(image, { readonly: true, tmpDir: dir });
      expect(await g.inspectOs()).toEqual(['/dev/sda2']);
      const info = g.inspectOsInfo('/dev/sda2');
      expect(info).toMatchObject({
        type: 'windows', distro: 'windows', productName: 'Windows 8.1 Enterprise Evaluation', majorVersion: 6, minorVersion: 3,
        arch: 'x86_64', hostname: 'student-pc8', computerName: 'STUDENT-PC8', buildId: '9600', osinfo: 'win8.1',
        windows: {
          systemroot: '/Windows', productVariant: 'Client', editionId: 'EnterpriseEval', buildNumber: '9600', currentControlSet: cs,
          systemHive: '/Windows/System32/config/SYSTEM', softwareHive: '/Windows/System32/config/SOFTWARE',
        },
      });
      expect(info.productName).toBe(await hivexget(hives.SOFTWARE!, '\\Microsoft\\Windows NT\\CurrentVersion', 'ProductName'));
      expect(info.windows!.editionId).toBe(await hivexget(hives.SOFTWARE!, '\\Microsoft\\Windows NT\\CurrentVersion', 'EditionID'));
      expect(info.windows!.buildNumber).toBe(await hivexget(hives.SOFTWARE!, '\\Microsoft\\Windows NT\\CurrentVersion', 'CurrentBuildNumber'));
      // libguestfs' hostname is the TCP/IP one; the NetBIOS ComputerName is vmcraft's extra field.
      expect(info.hostname).toBe(await hivexget(hives.SYSTEM!, `\\${cs}\\Services\\Tcpip\\Parameters`, 'Hostname'));
      expect(info.computerName).toBe(await hivexget(hives.SYSTEM!, `\\${cs}\\Control\\ComputerName\\ComputerName`, 'ComputerName'));
      expect(g.inspect_get_build_id('/dev/sda2')).toBe(info.windows!.buildNumber);
      expect(g.inspect_get_windows_current_control_set('/dev/sda2')).toBe(cs);
      // MountedDevices: C: is MBR disk d1cecf67 at byte 0x15f00000, which is this image's partition 2; D: (a CD-ROM) and E: (a USB stick) have no device here.
      expect(info.windows!.drives).toEqual([{ drive: 'C:', device: '/dev/sda2' }, { drive: 'D:' }, { drive: 'E:' }]);
      expect(info.windows!.applications).toContainEqual(expect.objectContaining({ name: 'Oracle VM VirtualBox Guest Additions 5.0.26', version: '5.0.26.0', publisher: 'Oracle Corporation' }));
      const uninstall = (await execa('hivexregedit', ['--export', '--max-depth', '2', hives.SOFTWARE!, '\\Microsoft\\Windows\\CurrentVersion\\Uninstall'])).stdout;
      const named = parseRegExport(uninstall).filter((s) => s.values.some((v) => v.name === 'DisplayName'));
      for (const s of named) expect(info.windows!.applications.map((a) => a.name)).toContain(s.values.find((v) => v.name === 'DisplayName')!.data);
      // libguestfs' list: the key name as name, the values hivexregedit shows, Defender when its key does not disable it.
      const apps = await g.inspectListApplications2('/dev/sda2');
      const text = (s: (typeof named)[number], name: string) => {
        const data = s.values.find((v) => v.name === name)?.data;
        return typeof data === 'string' ? data : '';
      };
      for (const s of named) {
        expect(apps).toContainEqual(expect.objectContaining({
          name: s.path.slice(s.path.lastIndexOf('\\') + 1), displayName: text(s, 'DisplayName'), version: text(s, 'DisplayVersion'), publisher: text(s, 'Publisher'),
          installPath: text(s, 'InstallLocation'), url: text(s, 'URLInfoAbout'), description: text(s, 'Comments'),
        }));
      }
      const defender = await execa('hivexget', [hives.SOFTWARE!, '\\Microsoft\\Windows Defender', 'DisableAntiVirus'], { reject: false });
      const defenderKey = (await execa('hivexget', [hives.SOFTWARE!, '\\Microsoft\\Windows Defender'], { reject: false })).exitCode === 0;
      expect(apps.some((a) => a.name === 'WinDefend')).toBe(defenderKey && defender.stdout.trim() !== '1');
      expect(apps).toHaveLength(info.windows!.applications.length);
    }
    expect(await sha256File(image)).toBe(before);
  });

  it('reads every key and value of every hive as hivexml does', async () => {
    await using g = await GuestFS.open(image, { readonly: true, tmpDir: dir });
    await g.mountRo('/dev/sda2', '/');
    const counted: Record<string, [number, number]> = {};
    for (const name of ['SYSTEM', 'SOFTWARE', 'SAM', 'SECURITY', 'NTUSER.DAT', 'UsrClass.dat', 'special'] as const) {
      expect(await g.checksum('sha256', GUEST[name]), name).toBe(sums[name]);
      const sections = parseRegExport(await g.registryExport(GUEST[name].toLowerCase(), '\\'));
      expect(compareWithHivexml(sections, await hivexmlKeys(hives[name]!)), name).toEqual([]);
      counted[name] = [sections.length, sections.reduce((n, s) => n + s.values.length, 0)];
    }
    expect(counted).toEqual({
      SYSTEM: [21502, 52290], SOFTWARE: [203485, 385411], SAM: [76, 84], SECURITY: [101, 110],
      'NTUSER.DAT': [1597, 2310], 'UsrClass.dat': [7505, 19987], special: [4, 3],
    });
  }, 180_000);

  it('reads typed values of each kind, and the current control set, as hivexget prints them', async () => {
    await using g = await GuestFS.open(image, { readonly: true, tmpDir: dir });
    await g.mountRo('/dev/sda2', '/');
    const sys = GUEST.SYSTEM;
    const tcpip = '\\CurrentControlSet\\Services\\Tcpip';
    const read = (hive: string, key: string, name: string) => g.registryRead(hive, key, name);
    const start = await read(sys, tcpip, 'Start');
    expect(start).toMatchObject({ type: 'REG_DWORD', data: Number(await hivexget(hives.SYSTEM!, '\\ControlSet001\\Services\\Tcpip', 'Start')) });
    const imagePath = await read(sys, tcpip, 'ImagePath');
    expect(imagePath).toMatchObject({ type: 'REG_EXPAND_SZ', data: await hivexget(hives.SYSTEM!, '\\ControlSet001\\Services\\Tcpip', 'ImagePath') });
    expect(await read(sys, `${tcpip}\\Parameters`, 'Hostname')).toMatchObject({ type: 'REG_SZ', data: 'student-pc8' });
    expect(await read(sys, '\\CurrentControlSet\\Control\\ComputerName\\ComputerName', 'ComputerName')).toMatchObject({ type: 'REG_SZ', data: 'STUDENT-PC8' });
    const dependOn = await read(sys, '\\CurrentControlSet\\Services\\Dhcp', 'DependOnService');
    expect(dependOn.type).toBe('REG_MULTI_SZ');
    expect(dependOn.data).toEqual((await hivexget(hives.SYSTEM!, '\\ControlSet001\\Services\\Dhcp', 'DependOnService')).split('\n').filter(Boolean));
    const dpi = await read(GUEST.SOFTWARE, '\\Microsoft\\Windows NT\\CurrentVersion', 'DigitalProductId');
    expect(dpi.type).toBe('REG_BINARY');
    expect(Buffer.from(dpi.data as Buffer).equals(await execa('hivexget', [hives.SOFTWARE!, '\\Microsoft\\Windows NT\\CurrentVersion', 'DigitalProductId'], { encoding: 'buffer' }).then((r) => Buffer.from(r.stdout)))).toBe(true);
    const sam = await g.registryKeys(GUEST.SAM, '\\SAM\\Domains\\Account\\Users\\Names');
    expect(sam.subkeys).toEqual((await execa('hivexsh', [], { input: `load ${hives.SAM}\ncd \\SAM\\Domains\\Account\\Users\\Names\nls\n` })).stdout.split('\n').filter(Boolean));
    // REG_NONE values of the SAM: the type is the RID, the data empty.
    expect(sam.subkeys).toContain('Administrator');
    expect((await g.registryKeys(GUEST.SAM, '\\SAM\\Domains\\Account\\Users\\Names\\Administrator')).values).toEqual([expect.objectContaining({ name: '', typeId: 0x1f4, raw: Buffer.alloc(0) })]);
    const installDate = await read(GUEST['NTUSER.DAT'], '\\Software\\Microsoft\\Internet Explorer\\SQM', 'InstallDate');
    expect(installDate).toMatchObject({ type: 'REG_QWORD', data: BigInt(await hivexget(hives['NTUSER.DAT']!, '\\Software\\Microsoft\\Internet Explorer\\SQM', 'InstallDate')) });
    expect(installDate.data).toBe(0x57f4c15cn);
    expect(await read(GUEST.SOFTWARE, '\\Classes\\.3g2\\OpenWithProgIds', 'WMP11.AssocFile.3G2')).toMatchObject({ type: 'REG_NONE', raw: Buffer.alloc(0) });
    // Latin-1 and non-Latin-1 key and value names written by Windows XP (hivex's images/special).
    const special = await g.registryKeys('/hivex/special', '\\');
    expect(special.subkeys).toEqual(['abcd_äöüß', 'weird™', 'zero\0key']);
    expect((await g.registryKeys('/hivex/special', '\\abcd_äöüß')).values).toEqual([expect.objectContaining({ name: 'abcd_äöüß', type: 'REG_DWORD', data: 0 })]);
    expect((await g.registryKeys('/hivex/special', '\\weird™')).values).toEqual([expect.objectContaining({ name: 'symbols $£₤₧€', type: 'REG_DWORD', data: 0 })]);
    await expect(g.registryKeys('/hivex/special', '\\zero\0key')).rejects.toMatchObject({ code: 'EUNSUPPORTED' });
  });

  it('walks a real hive through the hivex_* calls', async () => {
    await using g = await GuestFS.open(image, { readonly: true, tmpDir: dir });
    await g.mountRo('/dev/sda2', '/');
    await g.hivex_open('/windows/system32/config/software');
    const root = await g.hivex_root();
    expect(await g.hivex_node_name(root)).toBe(await hivexmlRootName(hives.SOFTWARE!));
    let node = root;
    for (const name of ['Microsoft', 'Windows NT', 'CurrentVersion']) node = await g.hivex_node_get_child(node, name);
    const product = await g.hivex_node_get_value(node, 'ProductName');
    expect(await g.hivex_value_string(product)).toBe(await hivexget(hives.SOFTWARE!, '\\Microsoft\\Windows NT\\CurrentVersion', 'ProductName'));
    const install = await g.hivex_node_get_value(node, 'InstallDate');
    expect(await g.hivex_value_type(install)).toBe(4);
    expect((await g.hivex_value_value(install)).readUInt32LE(0)).toBe(Number(await hivexget(hives.SOFTWARE!, '\\Microsoft\\Windows NT\\CurrentVersion', 'InstallDate')));
    const names = await Promise.all((await g.hivex_node_children(root)).map((c) => g.hivex_node_name(c)));
    expect(names).toEqual((await execa('hivexsh', [], { input: `load ${hives.SOFTWARE}\nls\n` })).stdout.split('\n').filter(Boolean));
    await g.hivex_close();
  });
});

describe('editing a real hive', () => {
  it('changes only what the edits name, checked with hivexget and hivexml', async () => {
    const user = GUEST['NTUSER.DAT'];
    const after = path.join(dir, 'NTUSER.after');
    {
      await using g = await GuestFS.open(image, { tmpDir: dir });
      await g.mount('/dev/sda2', '/');
      const { backup } = await g.registryWrite(user, [
        { op: 'setValue', key: '\\Software\\vmcraft\\Test', name: 'Text', typeId: 1, data: 'héllo wörld' },
        { op: 'setValue', key: '\\Software\\vmcraft\\Test', name: 'Count', typeId: 4, data: 42 },
        { op: 'setValue', key: '\\Software\\vmcraft\\Test', name: 'List', typeId: 7, data: ['a', 'b'] },
        { op: 'setValue', key: '\\Software\\vmcraft\\Test', name: 'Big', typeId: 11, data: 2n ** 40n },
        { op: 'setValue', key: '\\Control Panel\\Desktop', name: 'Wallpaper', typeId: 1, data: 'C:\\new.bmp' },
      ]);
      expect(await g.checksum('sha256', backup)).toBe(sums['NTUSER.DAT']);
      await g.download(user, after);
    }
    expect(await hivexget(after, '\\Software\\vmcraft\\Test', 'Text')).toBe('héllo wörld');
    expect(await hivexget(after, '\\Software\\vmcraft\\Test', 'Count')).toBe('42');
    expect(await hivexget(after, '\\Software\\vmcraft\\Test', 'List')).toBe('a\nb\n');
    expect(await hivexget(after, '\\Software\\vmcraft\\Test', 'Big')).toBe(String(2n ** 40n));
    expect(await hivexget(after, '\\Control Panel\\Desktop', 'Wallpaper')).toBe('C:\\new.bmp');
    const before = await hivexmlKeys(hives['NTUSER.DAT']!);
    const now = await hivexmlKeys(after);
    const changed = [...now.keys()].filter((k) => JSON.stringify(now.get(k)) !== JSON.stringify(before.get(k)));
    expect(changed.sort()).toEqual(['\\control panel\\desktop', '\\software\\vmcraft', '\\software\\vmcraft\\test']);
    const desktopBefore = before.get('\\control panel\\desktop')!.values.filter((v) => v.name !== 'Wallpaper');
    expect(now.get('\\control panel\\desktop')!.values.filter((v) => v.name !== 'Wallpaper')).toEqual(desktopBefore);
  });
});

describe('real files that are not (whole) hives', () => {
  it('gives EREGISTRY and leaves them unchanged: a Windows 98 SYSTEM.DAT, a truncated and a damaged Windows 8.1 SYSTEM', async () => {
    await using g = await GuestFS.open(image, { tmpDir: dir });
    await g.mount('/dev/sda2', '/');
    const system = await readFile(hives.SYSTEM!);
    await g.write('/hivex/SYSTEM.truncated', system.subarray(0, 1024 * 1024));
    const damaged = Buffer.from(system);
    damaged.fill(0xa5, 0x1000, 0x11000);
    await g.write('/hivex/SYSTEM.damaged', damaged);
    for (const file of [GUEST['SYSTEM.DAT'], '/hivex/SYSTEM.truncated', '/hivex/SYSTEM.damaged']) {
      const sum = await g.checksum('sha256', file);
      await expect(g.registryKeys(file, '\\Select'), file).rejects.toMatchObject({ code: 'EREGISTRY' });
      await expect(g.registryRead(file, '\\CurrentControlSet\\Control\\ComputerName\\ComputerName', 'ComputerName'), file).rejects.toMatchObject({ code: 'EREGISTRY' });
      await expect(g.registryWrite(file, [{ op: 'setValue', key: '\\Select', name: 'x', typeId: 4, data: 1 }]), file).rejects.toMatchObject({ code: 'EREGISTRY' });
      expect(await g.checksum('sha256', file), file).toBe(sum);
      expect((await g.ls('/hivex')).concat(await g.ls('/WIN98')).filter((n) => n.includes('.vmcraft-')), file).toEqual([]);
    }
    await expect(g.hivex_open(GUEST['SYSTEM.DAT'])).rejects.toMatchObject({ code: 'EREGISTRY' });
    expect(g.resources().filter((r) => r.startsWith('hivex'))).toEqual([]);
  });
});
