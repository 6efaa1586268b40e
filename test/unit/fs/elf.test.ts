import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { elfArch } from '../../../src/fs/elf.js';
import { EM, elfHeader } from '../../helpers/elf.js';

describe('elfArch', () => {
  it('rejects non-ELF and truncated headers', () => {
    expect(elfArch(Buffer.from('#!/bin/sh\necho hi\n'))).toBeUndefined();
    expect(elfArch(Buffer.from('\x7fELF\x02\x01', 'latin1'))).toBeUndefined();
    const unknown = Buffer.alloc(64);
    unknown.write('\x7fELF', 0, 'latin1');
    unknown[4] = 2;
    unknown[5] = 1;
    unknown.writeUInt16LE(0x9999, 18);
    expect(elfArch(unknown)).toBeUndefined();
  });

  it('reads a real binary of this host', async () => {
    expect(elfArch((await readFile('/usr/bin/ls')).subarray(0, 64))).toBe(process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : expect.any(String));
  });
});

describe('elfArch on odd headers', () => {
  it.each([
    ['x86_64 (64-bit LE)', elfHeader(EM.x86_64, 64, 'le'), 'x86_64'],
    ['i386 (32-bit LE)', elfHeader(EM.i386, 32, 'le'), 'i386'],
    ['ppc64 (64-bit BE)', elfHeader(EM.ppc64, 64, 'be'), 'ppc64'],
    ['ppc (32-bit BE)', elfHeader(0x14, 32, 'be'), 'ppc'],
    ['s390 (32-bit BE)', elfHeader(EM.s390, 32, 'be'), 's390'],
    ['mips (32-bit BE)', elfHeader(0x08, 32, 'be'), 'mips'],
    ['mips64el (64-bit LE)', elfHeader(0x08, 64, 'le'), 'mips64el'],
    ['sparc64 (64-bit BE)', elfHeader(0x2b, 64, 'be'), 'sparc64'],
    ['arm (32-bit LE)', elfHeader(0x28, 32, 'le'), 'arm'],
    ['riscv32 (32-bit LE)', elfHeader(EM.riscv, 32, 'le'), 'riscv32'],
    ['loongarch64 (64-bit LE)', elfHeader(0x102, 64, 'le'), 'loongarch64'],
  ] as const)('%s', (_name, header, arch) => {
    expect(elfArch(header)).toBe(arch);
  });

  it('reads e_machine in the byte order EI_DATA declares', () => {
    const le = elfHeader(EM.x86_64, 64, 'le');
    le[5] = 2; // claims big endian: e_machine reads as 0x3e00, no known machine
    expect(elfArch(le)).toBeUndefined();
    const be = elfHeader(EM.aarch64, 64, 'be');
    expect(be.readUInt16BE(18)).toBe(EM.aarch64);
    expect(elfArch(be)).toBe('aarch64');
  });

  it('needs the first 20 bytes: 19 are too few, exactly 20 are enough', () => {
    const h = elfHeader(EM.x86_64, 64, 'le');
    expect(elfArch(h.subarray(0, 19))).toBeUndefined();
    expect(elfArch(h.subarray(0, 20))).toBe('x86_64');
    expect(elfArch(Buffer.alloc(0))).toBeUndefined();
  });

  it('rejects non-ELF data and unknown machines', () => {
    expect(elfArch(Buffer.from('#!/bin/sh\necho not an ELF file at all\n'))).toBeUndefined();
    expect(elfArch(Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8\x00\x00\x00\x00\x00', 'latin1'))).toBeUndefined();
    expect(elfArch(elfHeader(0x9999, 64, 'le'))).toBeUndefined();
  });

  it('works on a Uint8Array view into a larger buffer', () => {
    const big = Buffer.concat([Buffer.alloc(7), elfHeader(EM.aarch64, 64, 'le')]);
    expect(elfArch(new Uint8Array(big.buffer, big.byteOffset + 7, 64))).toBe('aarch64');
  });
});
