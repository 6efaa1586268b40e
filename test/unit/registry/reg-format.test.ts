import { describe, expect, it } from 'vitest';
import { decodeValue, encodeValue, parseRegExport, renderEdits } from '../../../src/registry/reg-format.js';
import { emptyHive } from '../../../src/registry/new-hive.js';
import { keyPath } from '../../../src/registry/hive.js';

describe('the .reg format of hivexregedit', () => {
  it('parses sections and every value form, with continued lines', () => {
    const text = 'Windows Registry Editor Version 5.00\r\n\r\n[\\Select]\r\n"Current"=dword:00000002\r\n@=hex(1):64,00,00,00\r\n"Quoted \\"name\\""=hex(7):61,00,00,\\\r\n  00,00,00\r\n\r\n[-\\Gone]\r\n';
    const [select, gone] = parseRegExport(text);
    expect(select!.path).toBe('\\Select');
    expect(select!.values.map((v) => [v.name, v.type, v.data])).toEqual([
      ['Current', 'REG_DWORD', 2],
      ['', 'REG_SZ', 'd'],
      ['Quoted "name"', 'REG_MULTI_SZ', ['a']],
    ]);
    expect(gone).toEqual({ path: '\\Gone', values: [], deleted: true });
  });

  it('encodes and decodes each type', () => {
    for (const [type, data] of [[1, 'héllo'], [2, '%SystemRoot%\\x'], [7, ['a', 'bc']], [4, 0xdeadbeef], [5, 7], [11, 2n ** 40n], [3, Buffer.from([1, 2, 3])]] as const) {
      expect(decodeValue(type, encodeValue(type, data as never))).toEqual(data);
    }
    expect(encodeValue(5, 1)).toEqual(Buffer.from([0, 0, 0, 1]));
    expect(() => encodeValue(3, 'not bytes')).toThrow(/needs a Buffer/);
  });

  it('renders edits with every parent key first and deletions', () => {
    expect(renderEdits([{ op: 'setValue', key: '\\A\\B', name: 'v', typeId: 4, data: 1 }, { op: 'deleteValue', key: '\\A', name: '' }, { op: 'deleteKey', key: '\\C' }])).toBe(
      'Windows Registry Editor Version 5.00\n\n[\\A]\n\n[\\A\\B]\n\n[\\A\\B]\n"v"=hex(4):01,00,00,00\n\n[\\A]\n@=-\n\n[-\\C]\n\n',
    );
  });

  it('normalises key paths', () => {
    expect(keyPath('Microsoft/Windows NT\\\\CurrentVersion\\')).toBe('\\Microsoft\\Windows NT\\CurrentVersion');
    expect(keyPath('\\')).toBe('\\');
  });
});

describe('emptyHive', () => {
  it('has a valid base block (signature, checksum) and one hbin', () => {
    const h = emptyHive('ROOT', new Date(0));
    expect(h.toString('latin1', 0, 4)).toBe('regf');
    let sum = 0;
    for (let i = 0; i < 0x1fc; i += 4) sum ^= h.readUInt32LE(i);
    expect(h.readUInt32LE(0x1fc)).toBe(sum >>> 0);
    expect(h.toString('latin1', 0x1000, 0x1004)).toBe('hbin');
    expect(h.toString('latin1', 0x1000 + 0x20 + 4, 0x1000 + 0x20 + 6)).toBe('nk');
    expect(h.length).toBe(0x2000);
  });
});
