import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirGuestReader } from '../../../src/fs/reader.js';
import { inspectLinuxRoot } from '../../../src/inspect/linux/index.js';
import { parseKeyValue } from '../../../src/inspect/parsers/key-value.js';
import { DISTROS } from './distros.js';

let base: string;
beforeAll(async () => (base = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-test-distros-'))));
afterAll(async () => rm(base, { recursive: true, force: true }));

/** The first 20 bytes of an ELF header: class, byte order and machine are what arch detection reads. */
function elfHeader(machine: number, is64: boolean, little: boolean): Buffer {
  const h = Buffer.alloc(64);
  h.write('\x7fELF', 0, 'latin1');
  h[4] = is64 ? 2 : 1;
  h[5] = little ? 1 : 2;
  h[6] = 1;
  if (little) h.writeUInt16LE(machine, 18);
  else h.writeUInt16BE(machine, 18);
  return h;
}

async function makeRoot(name: string, files: Record<string, string>, elf = elfHeader(0x3e, true, true)): Promise<string> {
  const root = path.join(base, name);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), content);
  }
  await mkdir(path.join(root, 'usr/bin'), { recursive: true });
  await writeFile(path.join(root, 'usr/bin/ls'), elf);
  await symlink('usr/bin', path.join(root, 'bin'));
  await writeFile(path.join(root, 'etc/fstab'), files['etc/fstab'] ?? '');
  return root;
}

describe('inspectLinuxRoot on real release files', () => {
  it.each(DISTROS.map((d) => [d.name, d] as const))('%s', async (name, distro) => {
    const facts = await inspectLinuxRoot(dirGuestReader(await makeRoot(name, distro.files)));
    // libguestfs' build id and vmcraft's extra prettyName come from os-release (/etc first).
    const osRelease = parseKeyValue(distro.files['etc/os-release'] ?? distro.files['usr/lib/os-release'] ?? '');
    const fromOsRelease = { buildId: osRelease.BUILD_ID ?? 'unknown', ...(osRelease.PRETTY_NAME ? { prettyName: osRelease.PRETTY_NAME } : {}) };
    expect(facts).toEqual({ type: 'linux', arch: 'x86_64', fstab: [], crypttab: [], ...fromOsRelease, ...distro.expect });
  });
});

describe('architecture from the ELF header of a guest binary', () => {
  it.each([
    ['x86_64', 0x3e, true, true],
    ['i386', 0x03, false, true],
    ['aarch64', 0xb7, true, true],
    ['arm', 0x28, false, true],
    ['ppc64le', 0x15, true, true],
    ['ppc64', 0x15, true, false],
    ['s390x', 0x16, true, false],
    ['riscv64', 0xf3, true, true],
    ['mips64el', 0x08, true, true],
  ] as const)('%s', async (arch, machine, is64, little) => {
    const root = await makeRoot(`arch-${arch}`, { 'etc/hostname': 'h\n' }, elfHeader(machine, is64, little));
    expect((await inspectLinuxRoot(dirGuestReader(root)))?.arch).toBe(arch);
  });

  it('is unknown without a readable ELF binary', async () => {
    const root = await makeRoot('arch-none', { 'etc/hostname': 'h\n' }, Buffer.from('#!/bin/sh\n'));
    expect((await inspectLinuxRoot(dirGuestReader(root)))?.arch).toBe('unknown');
  });
});

describe('what is not a Linux root', () => {
  it('a tree without /etc, /bin or fstab/hosts', async () => {
    const boot = path.join(base, 'boot-only');
    await mkdir(path.join(boot, 'grub'), { recursive: true });
    await writeFile(path.join(boot, 'vmlinuz'), 'x');
    expect(await inspectLinuxRoot(dirGuestReader(boot))).toBeUndefined();
    const noFstab = path.join(base, 'no-fstab');
    await mkdir(path.join(noFstab, 'etc'), { recursive: true });
    await mkdir(path.join(noFstab, 'bin'));
    expect(await inspectLinuxRoot(dirGuestReader(noFstab))).toBeUndefined();
  });

  it('a root whose /bin symlink points out of the guest is judged inside it', async () => {
    const root = path.join(base, 'escaping-bin');
    await mkdir(path.join(root, 'etc'), { recursive: true });
    await writeFile(path.join(root, 'etc/hosts'), '127.0.0.1 localhost\n');
    await symlink('/usr/bin', path.join(root, 'bin'));
    expect(await inspectLinuxRoot(dirGuestReader(root))).toBeUndefined();
  });
});

describe('fstab is part of the facts', () => {
  it('parses the guest fstab', async () => {
    const root = await makeRoot('with-fstab', { 'etc/hostname': 'h\n', 'etc/fstab': 'UUID=abc / ext4 defaults 0 1\n/dev/vdb1\t/srv\txfs\tnoatime\n' });
    expect((await inspectLinuxRoot(dirGuestReader(root)))?.fstab).toEqual([
      { spec: 'UUID=abc', file: '/', vfstype: 'ext4', options: ['defaults'], freq: 0, passno: 1 },
      { spec: '/dev/vdb1', file: '/srv', vfstype: 'xfs', options: ['noatime'], freq: 0, passno: 0 },
    ]);
  });
});
