import { describe, expect, it } from 'vitest';
import { decodeHivexOutput, decodeValue, encodeValue, parseRegExport, renderEdits } from '../../../src/registry/reg-format.js';
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

  it('decodes values as hivex does where real hives are odd', () => {
    const u16 = (s: string) => Buffer.from(s, 'utf16le');
    // REG_SZ ends at its first NUL: what follows is slack.
    expect(decodeValue(1, u16('C:\\Windows\0junk\0'))).toBe('C:\\Windows');
    // REG_MULTI_SZ keeps empty strings inside the list, not the one that ends it; NULs only are an empty list.
    expect(decodeValue(7, u16('a\0\0b\0c\0\0'))).toEqual(['a', '', 'b', 'c']);
    expect(decodeValue(7, u16('src\0\0\0'))).toEqual(['src', '']);
    expect(decodeValue(7, u16('a\0b'))).toEqual(['a', 'b']);
    expect(decodeValue(7, u16('\0\0'))).toEqual([]);
    expect(decodeValue(7, Buffer.alloc(0))).toEqual([]);
    for (const list of [['a', '', 'b'], ['src', ''], ['x']]) expect(decodeValue(7, encodeValue(7, list))).toEqual(list);
    // A DWORD or QWORD too short to be one stays bytes; a longer one is read by its first bytes.
    expect(decodeValue(4, Buffer.alloc(0))).toEqual(Buffer.alloc(0));
    expect(decodeValue(4, Buffer.from([1, 0, 0, 0, 9, 9, 9, 9]))).toBe(1);
    expect(decodeValue(11, Buffer.from([1, 0, 0, 0]))).toEqual(Buffer.from([1, 0, 0, 0]));
  });

  it('reads hivexregedit output whose lines are UTF-8 or Latin-1', () => {
    // As hivexregedit prints hivex's images/special: a compressed (Latin-1) key name as raw bytes, a UTF-16 one as UTF-8.
    const bytes = Buffer.concat([Buffer.from('[\\abcd_'), Buffer.from([0xe4, 0xf6, 0xfc, 0xdf]), Buffer.from(']\n"v"=dword:00000000\n\n[\\weird\u2122]\n')]);
    const text = decodeHivexOutput(bytes);
    expect(text).toBe('[\\abcd_äöüß]\n"v"=dword:00000000\n\n[\\weird™]\n');
    expect(parseRegExport(text).map((s) => s.path)).toEqual(['\\abcd_äöüß', '\\weird™']);
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
