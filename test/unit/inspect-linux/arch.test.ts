import { symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dirGuestReader } from '../../../src/fs/reader.js';
import { inspectLinuxRoot } from '../../../src/inspect/linux/index.js';
import { EM, elfHeader } from '../../helpers/elf.js';
import { RootCopies } from './guest-root.js';

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
