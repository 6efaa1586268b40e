import { describe, expect, it } from 'vitest';
import { detectFromSample, qemuDriver, type FileSample } from '../../../src/attach/detect.js';

/** A sample of a `size`-byte file whose first 64 KiB are `head` (zero-padded) and last 512 bytes `tail`. */
function sample(head: Buffer, size = 1024 * 1024, tail: Buffer = Buffer.alloc(512)): FileSample {
  const padded = Buffer.alloc(Math.min(size, 64 * 1024));
  head.copy(padded);
  return { head: padded, tail, size };
}

function qcow2Header(version: number, l1Offset = 0x30000, refcountOffset = 0x10000): Buffer {
  const h = Buffer.alloc(104);
  h.write('QFI\xfb', 0, 'latin1');
  h.writeUInt32BE(version, 4);
  h.writeUInt32BE(16, 20); // cluster bits
  h.writeBigUInt64BE(BigInt(l1Offset), 40);
  h.writeBigUInt64BE(BigInt(refcountOffset), 48);
  return h;
}

function vhdFooter(type: number, dataOffset = 512): Buffer {
  const f = Buffer.alloc(512);
  f.write('conectix', 0, 'latin1');
  f.writeBigUInt64BE(BigInt(dataOffset), 16);
  f.writeUInt32BE(type, 60);
  return f;
}

function sparseVmdk(opts: { flags?: number; compress?: boolean; createType?: string; gdSector?: bigint } = {}): Buffer {
  const h = Buffer.alloc(4096);
  h.write('KDMV', 0, 'latin1');
  h.writeUInt32LE(opts.flags ?? 3, 8);
  h.writeBigUInt64LE(opts.createType ? 1n : 0n, 28);
  h.writeBigUInt64LE(opts.gdSector ?? 21n, 56);
  if (opts.compress) h.writeUInt16LE(1, 77);
  if (opts.createType) h.write(`# Disk DescriptorFile\nversion=1\nCID=fffffffe\ncreateType="${opts.createType}"\n`, 512, 'latin1');
  return h;
}

describe('detectFromSample', () => {
  it('tells qcow2 v2 from v3', () => {
    expect(detectFromSample(sample(qcow2Header(2)))).toMatchObject({ format: 'qcow2', subformat: 'v2', confidence: 'high' });
    expect(detectFromSample(sample(qcow2Header(3)))).toMatchObject({ format: 'qcow2', subformat: 'v3' });
  });

  it('refuses qcow2 headers that are cut short, corrupt or point past the end', () => {
    expect(() => detectFromSample(sample(qcow2Header(3).subarray(0, 40), 40))).toThrow(/qcow2 image is truncated: its header needs 72 bytes, the file has 40/);
    expect(() => detectFromSample(sample(qcow2Header(7)))).toThrow(/corrupt qcow2 header \(version 7/);
    expect(() => detectFromSample(sample(qcow2Header(3, 0x300000), 0x10000))).toThrow(expect.objectContaining({ code: 'EFORMAT', message: expect.stringMatching(/tables start at byte 3145728/) }));
    expect(() => detectFromSample(sample(qcow2Header(1)))).toThrow(expect.objectContaining({ code: 'EUNSUPPORTED' }));
  });

  it('reads the vmdk subformat from the embedded descriptor, else from the flags and compression', () => {
    expect(detectFromSample(sample(sparseVmdk({ createType: 'monolithicSparse' })))).toMatchObject({ format: 'vmdk', subformat: 'monolithicSparse', confidence: 'high' });
    expect(detectFromSample(sample(sparseVmdk({ createType: 'streamOptimized', gdSector: 0xffffffffffffffffn })))).toMatchObject({ subformat: 'streamOptimized' });
    expect(detectFromSample(sample(sparseVmdk({ flags: 0x30001 })))).toMatchObject({ subformat: 'streamOptimized', confidence: 'medium' });
    expect(detectFromSample(sample(sparseVmdk({ compress: true })))).toMatchObject({ subformat: 'streamOptimized' });
    expect(detectFromSample(sample(sparseVmdk()))).toMatchObject({ subformat: 'monolithicSparse', confidence: 'medium' });
    expect(() => detectFromSample(sample(sparseVmdk({ gdSector: 4096n }), 8192))).toThrow(/vmdk image is truncated: its grain directory is at byte 2097152/);
  });

  it('reads the createType and extents of a text descriptor, and knows ESX snapshot extents', () => {
    const text = '# Disk DescriptorFile\nversion=1\nCID=12345678\nparentCID=ffffffff\ncreateType="vmfs"\n\n# Extent description\nRW 41943040 VMFS "web01-flat.vmdk"\n';
    expect(detectFromSample(sample(Buffer.from(text), text.length))).toEqual({
      format: 'vmdk', subformat: 'vmfs', confidence: 'high', reasons: ['text descriptor "# Disk DescriptorFile"', 'extents: web01-flat.vmdk'],
    });
    expect(detectFromSample(sample(Buffer.from('COWD\x01\x00\x00\x00', 'latin1')))).toMatchObject({ format: 'vmdk', subformat: 'vmfsSparse' });
    const se = Buffer.alloc(8);
    se.writeBigUInt64LE(0xcafebaben);
    expect(detectFromSample(sample(se))).toMatchObject({ format: 'vmdk', subformat: 'seSparse' });
  });

  it('finds the vhd footer at the end and reads the disk type', () => {
    expect(detectFromSample(sample(Buffer.alloc(0), 1024 * 1024, vhdFooter(2)))).toMatchObject({ format: 'vhd', subformat: 'fixed' });
    expect(detectFromSample(sample(vhdFooter(3), 1024 * 1024, vhdFooter(3)))).toMatchObject({ format: 'vhd', subformat: 'dynamic' });
    expect(detectFromSample(sample(vhdFooter(4), 1024 * 1024, vhdFooter(4)))).toMatchObject({ format: 'vhd', subformat: 'differencing' });
    expect(() => detectFromSample(sample(vhdFooter(3), 1024 * 1024))).toThrow(/footer at the end is missing/);
    expect(() => detectFromSample(sample(vhdFooter(3), 1024, vhdFooter(3)))).toThrow(/dynamic header at byte 512 is past the end/);
  });

  it('knows vhdx, vdi, qed, parallels, luks and iso by their signatures', () => {
    const vdi = Buffer.alloc(0x200);
    vdi.write('<<< Oracle VM VirtualBox Disk Image >>>\n', 0, 'latin1');
    vdi.writeUInt32LE(0xbeda107f, 0x40);
    vdi.writeUInt32LE(0x200000, 0x158);
    const qed = Buffer.alloc(64);
    qed.write('QED\0', 0, 'latin1');
    qed.writeBigUInt64LE(0x10000n, 40);
    const prl = Buffer.alloc(64);
    prl.write('WithoutFreeSpace', 0, 'latin1');
    prl.writeUInt32LE(64, 32);
    const luks2 = Buffer.from('LUKS\xba\xbe\x00\x02', 'latin1');
    const iso = Buffer.alloc(0x8010);
    iso.write('\x01CD001\x01', 0x8000, 'latin1');
    expect(detectFromSample(sample(Buffer.from('vhdxfile')))).toMatchObject({ format: 'vhdx' });
    expect(detectFromSample(sample(vdi, 4 * 1024 * 1024))).toMatchObject({ format: 'vdi' });
    expect(detectFromSample(sample(qed))).toMatchObject({ format: 'qed' });
    expect(detectFromSample(sample(prl))).toMatchObject({ format: 'parallels' });
    expect(detectFromSample(sample(luks2))).toMatchObject({ format: 'luks', subformat: 'luks2' });
    expect(detectFromSample(sample(iso))).toMatchObject({ format: 'iso', reasons: ['ISO 9660 "CD001" at offset 0x8001'] });
    expect(() => detectFromSample(sample(Buffer.from('vhdxfile'), 65536))).toThrow(/vhdx image is truncated/);
    expect(() => detectFromSample(sample(vdi, 0x1000))).toThrow(/vdi image is truncated: its data starts at byte 2097152/);
    expect(() => detectFromSample(sample(qed, 4096))).toThrow(/qed image is truncated/);
    expect(() => detectFromSample(sample(prl, 128))).toThrow(/parallels image is truncated: its header needs 320 bytes/);
  });

  it('knows an OVA by its tar header and an OVF by its Envelope root', () => {
    const tar = Buffer.alloc(512);
    tar.write('vm.ovf', 0, 'latin1');
    tar.write('ustar\x0000', 257, 'latin1');
    expect(detectFromSample(sample(tar))).toMatchObject({ format: 'ova', confidence: 'high', reasons: ['tar archive ("ustar" at offset 257)', 'first member vm.ovf'] });
    tar.write('disk1.vmdk\0', 0, 'latin1');
    expect(detectFromSample(sample(tar))).toMatchObject({ format: 'ova', confidence: 'medium' });
    const ovf = '<?xml version="1.0"?>\n<!--Generated by VMware ovftool-->\n<ovf:Envelope xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"/>';
    expect(detectFromSample(sample(Buffer.from(ovf), ovf.length))).toMatchObject({ format: 'ovf' });
    const other = '<?xml version="1.0"?>\n<domain type="kvm"/>';
    expect(detectFromSample(sample(Buffer.from(other), other.length)).format).toBe('raw');
  });

  it('falls back to raw, saying whether it saw a GPT, an MBR or nothing', () => {
    const mbr = Buffer.alloc(512);
    mbr[510] = 0x55;
    mbr[511] = 0xaa;
    const gpt = Buffer.alloc(1024);
    mbr.copy(gpt);
    gpt.write('EFI PART', 512, 'latin1');
    expect(detectFromSample(sample(gpt))).toMatchObject({ format: 'raw', subformat: 'gpt', confidence: 'medium', reasons: ['no image format magic', 'GPT header "EFI PART" at LBA 1'] });
    expect(detectFromSample(sample(mbr))).toMatchObject({ format: 'raw', subformat: 'mbr', reasons: ['no image format magic', 'boot signature 0x55AA at offset 510'] });
    expect(detectFromSample(sample(Buffer.alloc(0)))).toMatchObject({ format: 'raw', confidence: 'low' });
    expect(() => detectFromSample({ head: Buffer.alloc(0), tail: Buffer.alloc(0), size: 0 })).toThrow(expect.objectContaining({ code: 'EFORMAT', message: 'empty image (0 bytes)' }));
  });
});

describe('qemuDriver', () => {
  it('maps formats to qemu block drivers and refuses containers', () => {
    expect(qemuDriver('vhd')).toBe('vpc');
    expect(qemuDriver('iso')).toBe('raw');
    expect(qemuDriver('qcow2')).toBe('qcow2');
    expect(qemuDriver('parallels')).toBe('parallels');
    expect(() => qemuDriver('ova')).toThrow(expect.objectContaining({ code: 'EFORMAT' }));
    expect(() => qemuDriver('ovf')).toThrow(expect.objectContaining({ code: 'EFORMAT' }));
  });
});
