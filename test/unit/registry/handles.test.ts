import { describe, expect, it } from 'vitest';
import { childPath, HiveHandles, parentPath } from '../../../src/registry/handles.js';
import { emptyHive } from '../../../src/registry/new-hive.js';
import { nkName, rootCellOffset } from '../../../src/registry/regf.js';
import { encodeValue } from '../../../src/registry/reg-format.js';

describe('hivex handles', () => {
  it('gives one key one handle whatever the case, never 0, and value handles of their own', () => {
    const h = new HiveHandles();
    const root = h.node('\\');
    const a = h.node('\\Software\\Vendor');
    expect(root).not.toBe(0);
    expect(h.node('\\SOFTWARE\\vendor')).toBe(a);
    expect(h.path(a)).toBe('\\Software\\Vendor');
    const v = h.value(a, 'Start');
    expect(h.value(a, 'START')).toBe(v);
    expect(h.valueRef(v)).toEqual({ node: a, name: 'Start' });
    expect(() => h.path(v)).toThrow(expect.objectContaining({ code: 'EINVAL', message: expect.stringMatching(/value handle/) }));
    expect(() => h.valueRef(a)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => h.path(0)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('forgets a deleted key, its values and its subtree, and nothing beside it', () => {
    const h = new HiveHandles();
    const a = h.node('\\A');
    const ab = h.node('\\A\\B');
    const abValue = h.value(ab, 'x');
    const ac = h.node('\\AC');
    h.forget('\\a');
    for (const gone of [a, ab]) expect(() => h.path(gone)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => h.valueRef(abValue)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(h.path(ac)).toBe('\\AC');
    expect(h.node('\\A')).not.toBe(a);
  });

  it('builds child and parent paths', () => {
    expect([childPath('\\', 'A'), childPath('\\A', 'B'), parentPath('\\A\\B'), parentPath('\\A')]).toEqual(['\\A', '\\A\\B', '\\A', '\\']);
  });
});

describe('the root key of a regf file', () => {
  it('reads its name, ASCII or UTF-16', () => {
    const hive = emptyHive('CMI-CreateHive{2A7FB991-7BBE-4F9D-B91E-7CB51D4737F5}');
    const at = rootCellOffset(hive);
    expect(nkName(hive.subarray(at))).toBe('CMI-CreateHive{2A7FB991-7BBE-4F9D-B91E-7CB51D4737F5}');
    const wide = emptyHive('ROOT');
    wide.writeUInt16LE(wide.readUInt16LE(at + 6) & ~0x20, at + 6);
    wide.writeUInt16LE(4, at + 4 + 0x48);
    Buffer.from('ÄB', 'utf16le').copy(wide, at + 4 + 0x4c);
    expect(nkName(wide.subarray(at))).toBe('ÄB');
  });

  it('refuses what is not a hive, or is cut short', () => {
    expect(() => rootCellOffset(Buffer.from('not a hive'))).toThrow(expect.objectContaining({ code: 'EREGISTRY' }));
    const hive = emptyHive('ROOT');
    const at = rootCellOffset(hive);
    expect(() => nkName(hive.subarray(at, at + 0x40))).toThrow(expect.objectContaining({ code: 'EREGISTRY' }));
    expect(() => nkName(hive.subarray(at, at + 4 + 0x4c + 2))).toThrow(expect.objectContaining({ code: 'EREGISTRY' }));
    expect(() => nkName(hive.subarray(0x1000 + 0x200))).toThrow(expect.objectContaining({ code: 'EREGISTRY' }));
  });

  it('stores Buffer data as given, whatever the type (hivex_node_set_value)', () => {
    expect(encodeValue(1, Buffer.from([0x41, 0]))).toEqual(Buffer.from([0x41, 0]));
    expect(encodeValue(4, Buffer.from([1]))).toEqual(Buffer.from([1]));
  });
});
