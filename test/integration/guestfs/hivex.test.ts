/**
 * libguestfs' stateful hivex_* calls on an NTFS Windows volume: walking a hive
 * by node and value handles, edits that reach the guest only at hivex_commit
 * (with a backup), checked afterwards with hivex's own hivexget.
 */
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { buildWindowsImage } from '../../helpers/windows-image.js';

let dir: string;
let remove: () => Promise<void>;
let image: string;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('hivex'));
  image = path.join(dir, 'windows.raw');
  await buildWindowsImage(dir, image);
});
afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

const dword = (n: number) => Buffer.from([n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24]);
const utf16z = (s: string) => Buffer.from(`${s}\0`, 'utf16le');

describe('hivex_* on a read-only session', () => {
  it('walks keys and values by handle and refuses every change', async () => {
    const before = await sha256File(image);
    {
      await using g = await GuestFS.open(image, { readonly: true, tmpDir: dir });
      await g.mount_ro('/dev/sda1', '/');
      await expect(g.hivex_root()).rejects.toMatchObject({ code: 'EINVAL' });
      await expect(g.hivex_open('/windows/system32/config/software', { write: true })).rejects.toMatchObject({ code: 'EREADONLY' });
      await g.hivex_open('/windows/system32/config/software');
      const root = await g.hivex_root();
      expect(await g.hivex_node_name(root)).toBe('ROOT');
      await expect(g.hivex_node_parent(root)).rejects.toMatchObject({ code: 'EINVAL' });
      const children = await g.hivex_node_children(root);
      expect(await Promise.all(children.map((c) => g.hivex_node_name(c)))).toEqual(['Microsoft', 'WOW6432Node']);
      const ms = await g.hivex_node_get_child(root, 'MICROSOFT');
      expect(ms).toBe(children[0]);
      expect(await g.hivex_node_get_child(root, 'NoSuchKey')).toBe(0);
      const cv = await g.hivex_node_get_child(await g.hivex_node_get_child(ms, 'Windows NT'), 'CurrentVersion');
      expect(await g.hivex_node_name(cv)).toBe('CurrentVersion');
      expect(await g.hivex_node_name(await g.hivex_node_parent(cv))).toBe('Windows NT');
      expect(await g.hivex_node_children(cv)).toEqual([]);

      const values = await g.hivex_node_values(cv);
      const names = await Promise.all(values.map((v) => g.hivex_value_key(v)));
      expect(names).toContain('ProductName');
      expect(names).toHaveLength(12);
      const product = await g.hivex_node_get_value(cv, 'productname');
      expect(values).toContain(product);
      expect(await g.hivex_value_key(product)).toBe('ProductName');
      expect(await g.hivex_value_type(product)).toBe(1);
      expect(await g.hivex_value_string(product)).toBe('Windows Server 2019 Standard');
      expect(await g.hivex_value_utf8(product)).toBe('Windows Server 2019 Standard');
      expect(await g.hivex_value_value(product)).toEqual(utf16z('Windows Server 2019 Standard'));
      const major = await g.hivex_node_get_value(cv, 'CurrentMajorVersionNumber');
      expect([await g.hivex_value_type(major), await g.hivex_value_value(major)]).toEqual([4, dword(10)]);
      await expect(g.hivex_value_string(major)).rejects.toMatchObject({ code: 'EINVAL' });
      const systemRoot = await g.hivex_node_get_value(cv, 'SystemRoot');
      expect([await g.hivex_value_type(systemRoot), await g.hivex_value_string(systemRoot)]).toEqual([2, 'C:\\Windows']);
      const odd = await g.hivex_node_get_value(cv, 'Odd');
      expect([await g.hivex_value_type(odd), await g.hivex_value_value(odd)]).toEqual([0x1234, Buffer.from([1, 2])]);
      expect(await g.hivex_node_get_value(cv, 'NoSuchValue')).toBe(0);
      await expect(g.hivex_value_type(cv)).rejects.toMatchObject({ code: 'EINVAL' });
      await expect(g.hivex_node_children(product)).rejects.toMatchObject({ code: 'EINVAL' });
      await expect(g.hivex_node_name(999_999)).rejects.toMatchObject({ code: 'EINVAL' });

      await expect(g.hivex_node_add_child(root, 'New')).rejects.toMatchObject({ code: 'EREADONLY' });
      await expect(g.hivex_node_set_value(cv, 'x', 1, utf16z('y'))).rejects.toMatchObject({ code: 'EREADONLY' });
      await expect(g.hivex_node_delete_child(cv)).rejects.toMatchObject({ code: 'EREADONLY' });
      await expect(g.hivex_commit(null)).rejects.toMatchObject({ code: 'EREADONLY' });
      await g.hivex_close();
      await expect(g.hivex_root()).rejects.toMatchObject({ code: 'EINVAL' });
      await expect(g.hivex_open('/Windows/System32/config/BROKEN')).rejects.toMatchObject({ code: 'EREGISTRY' });
      await expect(g.hivex_open('/Windows/System32/config/SAM')).rejects.toMatchObject({ code: 'ENOENT' });
      expect(g.resources().filter((r) => r.startsWith('hivex'))).toEqual([]);
    }
    expect(await sha256File(image)).toBe(before);
  });
});

describe('hivex_* on a writable session', () => {
  it('queues edits until hivex_commit, which backs the hive up and replaces it; hivexget reads the result', async () => {
    const system = '/Windows/System32/config/SYSTEM';
    const out = path.join(dir, 'SYSTEM.after');
    const copy = path.join(dir, 'SYSTEM.copy');
    const orig = path.join(dir, 'SYSTEM.before');
    {
      await using g = await GuestFS.open(image, { tmpDir: dir });
      await g.mount('/dev/sda1', '/');
      await g.download(system, orig);
      const original = await sha256File(orig);

      // Opened without write: reading works, committing does not.
      await g.hivex_open(system);
      await expect(g.hivex_commit(null)).rejects.toMatchObject({ code: 'EREADONLY' });

      // Opening another hive (here the same one, for writing) closes the first.
      await g.hivex_open(system, { write: true });
      expect(g.resources().filter((r) => r.startsWith('hivex'))).toHaveLength(1);
      const root = await g.hivex_root();
      const cs2 = await g.hivex_node_get_child(root, 'ControlSet002');
      const services = await g.hivex_node_get_child(cs2, 'Services');
      const viostor = await g.hivex_node_add_child(services, 'viostor');
      await g.hivex_node_set_value(viostor, 'Start', 4, dword(0));
      await g.hivex_node_set_value(viostor, 'Type', 4, dword(1));
      await g.hivex_node_set_value(viostor, 'ImagePath', 2, utf16z('system32\\drivers\\viostor.sys'));
      await g.hivex_node_set_value(viostor, 'Group', 1, utf16z('SCSI miniport'));
      await g.hivex_node_set_value(viostor, '', 3, Buffer.from([0xde, 0xad]));
      await g.hivex_node_set_value(viostor, 'Odd', 0x1234, Buffer.from([7]));
      // The edits are visible through the handles, and not yet in the guest.
      expect(await g.hivex_node_get_child(services, 'VIOSTOR')).toBe(viostor);
      expect(await g.hivex_node_name(await g.hivex_node_parent(viostor))).toBe('Services');
      expect(await g.hivex_value_string(await g.hivex_node_get_value(viostor, 'imagepath'))).toBe('system32\\drivers\\viostor.sys');
      expect(await g.hivex_value_value(await g.hivex_node_get_value(viostor, ''))).toEqual(Buffer.from([0xde, 0xad]));
      expect(await g.checksum('sha256', system)).toBe(original);
      // Replacing a value keeps its handle and its spelling.
      const type = await g.hivex_node_get_value(viostor, 'Type');
      await g.hivex_node_set_value(viostor, 'TYPE', 4, dword(2));
      expect([await g.hivex_value_key(type), await g.hivex_value_value(type)]).toEqual(['Type', dword(2)]);
      expect(await g.hivex_node_values(viostor)).toHaveLength(6);

      await expect(g.hivex_node_add_child(services, 'TCPIP')).rejects.toMatchObject({ code: 'EEXIST' });
      await expect(g.hivex_node_add_child(services, 'a\\b')).rejects.toMatchObject({ code: 'EINVAL' });
      await expect(g.hivex_node_set_value(viostor, 'x', -1, Buffer.alloc(0))).rejects.toMatchObject({ code: 'EINVAL' });
      await expect(g.hivex_node_delete_child(root)).rejects.toMatchObject({ code: 'EINVAL' });
      const tcpip = await g.hivex_node_get_child(services, 'Tcpip');
      const tcpipStart = await g.hivex_node_get_value(tcpip, 'Start');
      await g.hivex_node_delete_child(tcpip);
      await expect(g.hivex_node_name(tcpip)).rejects.toMatchObject({ code: 'EINVAL' });
      await expect(g.hivex_value_type(tcpipStart)).rejects.toMatchObject({ code: 'EINVAL' });
      expect(await Promise.all((await g.hivex_node_children(services)).map((c) => g.hivex_node_name(c)))).toEqual(['viostor']);

      const { path: written, backup } = await g.hivex_commit(null);
      expect(written).toBe(system);
      expect(backup).toMatch(/^\/Windows\/System32\/config\/SYSTEM\.vmcraft-.+\.bak$/);
      expect(await g.checksum('sha256', backup!)).toBe(original);
      await g.download(system, out);

      // Still open after a commit: more edits, committed to another file (no backup: it did not exist).
      await g.hivex_node_set_value(viostor, 'Start', 4, dword(3));
      expect(await g.hivex_commit('/windows/system32/config/SYSTEM.copy')).toEqual({ path: '/Windows/System32/config/SYSTEM.copy' });
      await g.download('/Windows/System32/config/SYSTEM.copy', copy);
      await expect(g.hivex_commit('/No/Such/Dir/SYSTEM')).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await g.checksum('sha256', system)).toBe(await sha256File(out));

      // Uncommitted edits are dropped by hivex_close.
      await g.hivex_node_add_child(root, 'Uncommitted');
      await g.hivex_close();
      await g.hivex_open(system);
      expect(await g.hivex_node_get_child(await g.hivex_root(), 'Uncommitted')).toBe(0);
      await g.hivex_close();
      expect(g.resources().filter((r) => r.startsWith('hivex'))).toEqual([]);
    }
    const get = async (file: string, key: string, value: string) => (await execa('hivexget', [file, key, value], { reject: false })).stdout;
    expect(await get(out, '\\ControlSet002\\Services\\viostor', 'Start')).toBe('0');
    expect(await get(out, '\\ControlSet002\\Services\\viostor', 'Type')).toBe('2');
    expect(await get(out, '\\ControlSet002\\Services\\viostor', 'ImagePath')).toBe('system32\\drivers\\viostor.sys');
    expect(await get(out, '\\ControlSet002\\Services\\viostor', 'Group')).toBe('SCSI miniport');
    const exported = (await execa('hivexregedit', ['--export', out, '\\ControlSet002\\Services'])).stdout;
    expect(exported).toContain('@=hex(3):de,ad');
    expect(exported).toContain('"Odd"=hex(1234):07');
    expect(exported).not.toContain('Tcpip');
    expect(await get(out, '\\ControlSet001\\Control\\ComputerName\\ComputerName', 'ComputerName')).toBe('OLD-NAME');
    expect(await get(copy, '\\ControlSet002\\Services\\viostor', 'Start')).toBe('3');
  });
});
