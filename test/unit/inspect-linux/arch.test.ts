import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dirGuestReader } from '../../../src/fs/reader.js';
import { inspectLinuxRoot } from '../../../src/inspect/linux/index.js';
import { elfArch } from '../../../src/inspect/parsers/elf.js';
import { EM, elfHeader, RootCopies } from './guest-root.js';

const copies = new RootCopies();
afterAll(() => copies.removeAll());

async function archOf(files: Record<string, string | Buffer>, name = 'debian-12'): Promise<string | undefined> {
  return (await inspectLinuxRoot(dirGuestReader(await copies.copy(name, files))))?.arch;
}

describe('arch of a real distro root from the ELF header of a guest binary', () => {
  it.each([
    ['x86_64', elfHeader(EM.x86_64, 64, 'le')],
    ['aarch64', elfHeader(EM.aarch64, 64, 'le')],
    ['i386', elfHeader(EM.i386, 32, 'le')],
    ['ppc64le', elfHeader(EM.ppc64, 64, 'le')],
    ['s390x', elfHeader(EM.s390, 64, 'be')],
    ['riscv64', elfHeader(EM.riscv, 64, 'le')],
  ] as const)('%s at /usr/bin/ls (merged /usr)', async (arch, header) => {
    expect(await archOf({ 'usr/bin/ls': header })).toBe(arch);
  });

  it('reads /bin/ls, where libguestfs looks, before /usr/bin/ls', async () => {
    expect(await archOf({ 'bin/ls': elfHeader(EM.aarch64, 64, 'le'), 'usr/bin/ls': elfHeader(EM.x86_64, 64, 'le') })).toBe('aarch64');
  });

  it('skips a truncated or non-ELF candidate and takes the next one', async () => {
    const files = {
      'bin/bash': elfHeader(EM.s390, 64, 'be').subarray(0, 12),
      'bin/ls': '#!/bin/sh\nexec busybox ls "$@"\n',
      'bin/echo': elfHeader(EM.riscv, 64, 'le'),
    };
    expect(await archOf(files)).toBe('riscv64');
  });

  it('follows a /bin/sh symlink inside the guest, never to the host binary', async () => {
    const root = await copies.copy('alpine-3.19', { 'usr/bin/dash': elfHeader(EM.aarch64, 64, 'le') });
    await symlink('/usr/bin/dash', path.join(root, 'bin/sh'));
    expect((await inspectLinuxRoot(dirGuestReader(root)))?.arch).toBe('aarch64');
  });

  it('is unknown when no candidate is an ELF file', async () => {
    expect(await archOf({ 'bin/sh': '#!/bin/busybox\n', 'usr/bin/ls': Buffer.alloc(64) })).toBe('unknown');
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
