import { describe, expect, it } from 'vitest';
import { parseVhdDynamicHeader, parseVhdFooter } from '../../../src/attach/vhd.js';

describe('VHD structures', () => {
  it('reads a footer: type, data offset, size and unique id', () => {
    const f = Buffer.alloc(512);
    f.write('conectix', 0, 'latin1');
    f.writeBigUInt64BE(512n, 16);
    f.writeBigUInt64BE(BigInt(64 * 1024 * 1024), 48);
    f.writeUInt32BE(4, 60);
    Buffer.from('00112233445566778899aabbccddeeff', 'hex').copy(f, 68);
    expect(parseVhdFooter(f)).toEqual({ diskType: 'differencing', dataOffset: 512, currentSize: 64 * 1024 * 1024, uniqueId: '00112233445566778899aabbccddeeff' });
    f.writeUInt32BE(9, 60);
    expect(parseVhdFooter(f).diskType).toBe('unknown');
    expect(() => parseVhdFooter(Buffer.alloc(512))).toThrow(expect.objectContaining({ code: 'EFORMAT' }));
  });

  it('reads a dynamic header: BAT, block size, parent id and name, locators in use', () => {
    const h = Buffer.alloc(1024);
    h.write('cxsparse', 0, 'latin1');
    h.writeBigUInt64BE(1536n, 16);
    h.writeUInt32BE(32, 28);
    h.writeUInt32BE(2 * 1024 * 1024, 32);
    Buffer.from('ffeeddccbbaa99887766554433221100', 'hex').copy(h, 40);
    Buffer.from('base.vhd', 'utf16le').swap16().copy(h, 64);
    h.write('W2ku', 576, 'latin1');
    h.writeUInt32BE(52, 584);
    h.writeBigUInt64BE(4096n, 592);
    h.write('W2ru', 600, 'latin1');
    h.writeUInt32BE(22, 608);
    h.writeBigUInt64BE(4608n, 616);
    expect(parseVhdDynamicHeader(h)).toEqual({
      tableOffset: 1536, maxTableEntries: 32, blockSize: 2 * 1024 * 1024, parentUniqueId: 'ffeeddccbbaa99887766554433221100', parentName: 'base.vhd',
      locators: [{ platform: 'W2ku', dataLength: 52, dataOffset: 4096 }, { platform: 'W2ru', dataLength: 22, dataOffset: 4608 }],
    });
    expect(() => parseVhdDynamicHeader(Buffer.alloc(1024))).toThrow(/cxsparse/);
  });
});
