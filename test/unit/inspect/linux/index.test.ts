/**
 * inspectLinuxRoot (src/inspect/linux/index.ts): what a Linux root's files say,
 * on the distro samples (./distros.ts), the architecture from a guest binary's
 * ELF header, what is not a Linux root, the fstab, and hostile files (release
 * files and hostname read up to 64 KiB, fstab up to 1 MiB, a product name at
 * most 256 characters, a hostname at most 253 (RFC 1123); a file that cannot
 * be read is absent, with a warning).
 */
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dirGuestReader } from '../../../../src/fs/reader.js';
import { inspectLinuxRoot } from '../../../../src/inspect/linux/index.js';
import { parseKeyValue } from '../../../../src/inspect/parsers/key-value.js';
import { EM, elfHeader } from '../../../helpers/elf.js';
import { FIXTURE_ROOTS, GuestRoots } from '../guest-root.js';
import { DISTROS, FIXTURE_SAMPLES, isFixture, releaseFacts, sampleTitle, type DistroSample } from './distros.js';
import { FSTABS } from './fstabs.js';

const roots = new GuestRoots();
afterAll(() => roots.removeAll());

const X86_64 = elfHeader(EM.x86_64, 64, 'le');
const X86_64_LS = { 'usr/bin/ls': X86_64 };

/** A root of `files` with an empty /etc/fstab (unless given), `elf` at /usr/bin/ls and /bin → usr/bin. */
async function mergedUsrRoot(name: string, files: Record<string, string>, elf: Buffer = X86_64): Promise<string> {
  const root = await roots.create(name, { 'etc/fstab': '', ...files, 'usr/bin/ls': elf });
  await symlink('usr/bin', path.join(root, 'bin'));
  return root;
}

/** A sample's root with an x86_64 /usr/bin/ls: a copy of its fixture root, or its inline files. */
const sampleRoot = (sample: DistroSample) => (isFixture(sample) ? roots.copy(sample.root, X86_64_LS) : mergedUsrRoot(sample.name, sample.files));

/** os-release of a root (/etc first, as inspection reads it), parsed, or {}. */
async function osRelease(root: string): Promise<Record<string, string>> {
  for (const file of ['etc/os-release', 'usr/lib/os-release']) {
    const text = await readFile(path.join(root, file), 'utf8').catch(() => undefined);
    if (text !== undefined) return parseKeyValue(text);
  }
  return {};
}

/**
 * The full facts a sample must inspect as: its release facts (for a fixture
 * root libguestfs' values with vmcraft's documented deviations), libguestfs'
 * build id (os-release BUILD_ID) and vmcraft's extra prettyName (os-release
 * PRETTY_NAME).
 */
async function expected(sample: DistroSample, root: string, arch: string) {
  const release = await osRelease(root);
  return {
    type: 'linux',
    ...releaseFacts(sample),
    buildId: release.BUILD_ID ?? 'unknown',
    ...(release.PRETTY_NAME ? { prettyName: release.PRETTY_NAME } : {}),
    arch,
    fstab: isFixture(sample) ? FSTABS[sample.fstab] : [],
    crypttab: (isFixture(sample) && sample.crypttab) || [],
  };
}

describe('inspectLinuxRoot on the distro samples', () => {
  it.each(DISTROS.map((sample) => [sampleTitle(sample), sample] as const))('%s', async (_title, sample) => {
    const root = await sampleRoot(sample);
    expect(await inspectLinuxRoot(dirGuestReader(root))).toEqual(await expected(sample, root, 'x86_64'));
  });

  it('gives the same facts on the committed fixture roots in place, with arch unknown (no ELF binary there)', async () => {
    for (const row of FIXTURE_SAMPLES) {
      const inPlace = await inspectLinuxRoot(dirGuestReader(path.join(FIXTURE_ROOTS, row.root)));
      const copied = await inspectLinuxRoot(dirGuestReader(await roots.copy(row.root, X86_64_LS)));
      expect(inPlace?.arch, row.root).toBe('unknown');
      expect({ ...inPlace, arch: 'x86_64' }, row.root).toEqual(copied);
    }
  });
});

describe('the fixture roots of the distro samples', () => {
  it('has a table row for every root and a root for every row', async () => {
    const dirs = (await readdir(FIXTURE_ROOTS, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(dirs.sort()).toEqual(FIXTURE_SAMPLES.map((r) => r.root).sort());
    expect(dirs.length).toBeGreaterThanOrEqual(20);
  });

  it('names the source of every root in SOURCES.md', async () => {
    const sources = await readFile(path.join(FIXTURE_ROOTS, 'SOURCES.md'), 'utf8');
    for (const { root } of FIXTURE_SAMPLES) expect(sources, root).toContain(`| ${root} |`);
  });

  it('documents every deviation from libguestfs and deviates in every documented row', () => {
    for (const row of FIXTURE_SAMPLES) {
      expect(row.vmcraft === undefined, row.root).toBe(row.why === undefined);
      for (const [field, value] of Object.entries(row.vmcraft ?? {})) {
        expect(row.libguestfs[field as keyof typeof row.libguestfs], `${row.root}.${field}`).not.toEqual(value);
      }
    }
  });

  it('every fstab style has entries', () => {
    for (const row of FIXTURE_SAMPLES) expect(FSTABS[row.fstab]?.length, row.root).toBeGreaterThan(0);
  });
});

describe('arch from the ELF header of a guest binary', () => {
  async function archOf(files: Record<string, string | Buffer>, name = 'debian-12'): Promise<string | undefined> {
    return (await inspectLinuxRoot(dirGuestReader(await roots.copy(name, files))))?.arch;
  }

  it.each([
    ['x86_64', elfHeader(EM.x86_64, 64, 'le')],
    ['i386', elfHeader(EM.i386, 32, 'le')],
    ['aarch64', elfHeader(EM.aarch64, 64, 'le')],
    ['arm', elfHeader(0x28, 32, 'le')],
    ['ppc64le', elfHeader(EM.ppc64, 64, 'le')],
    ['ppc64', elfHeader(EM.ppc64, 64, 'be')],
    ['s390x', elfHeader(EM.s390, 64, 'be')],
    ['riscv64', elfHeader(EM.riscv, 64, 'le')],
    ['mips64el', elfHeader(0x08, 64, 'le')],
  ] as const)('%s at /bin/ls (/bin → usr/bin)', async (arch, header) => {
    const root = await mergedUsrRoot(`arch-${arch}`, { 'etc/hostname': 'h\n' }, header);
    expect((await inspectLinuxRoot(dirGuestReader(root)))?.arch).toBe(arch);
  });

  it.each([
    ['x86_64', elfHeader(EM.x86_64, 64, 'le')],
    ['aarch64', elfHeader(EM.aarch64, 64, 'le')],
    ['i386', elfHeader(EM.i386, 32, 'le')],
    ['ppc64le', elfHeader(EM.ppc64, 64, 'le')],
    ['s390x', elfHeader(EM.s390, 64, 'be')],
    ['riscv64', elfHeader(EM.riscv, 64, 'le')],
  ] as const)('%s at /usr/bin/ls of a real distro root (merged /usr, /bin a directory)', async (arch, header) => {
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
    const root = await roots.copy('alpine-3.19', { 'usr/bin/dash': elfHeader(EM.aarch64, 64, 'le') });
    await symlink('/usr/bin/dash', path.join(root, 'bin/sh'));
    expect((await inspectLinuxRoot(dirGuestReader(root)))?.arch).toBe('aarch64');
  });

  it('is unknown without a readable ELF binary', async () => {
    const root = await mergedUsrRoot('arch-none', { 'etc/hostname': 'h\n' }, Buffer.from('#!/bin/sh\n'));
    expect((await inspectLinuxRoot(dirGuestReader(root)))?.arch).toBe('unknown');
  });

  it('is unknown when no candidate is an ELF file', async () => {
    expect(await archOf({ 'bin/sh': '#!/bin/busybox\n', 'usr/bin/ls': Buffer.alloc(64) })).toBe('unknown');
  });
});

describe('what is not a Linux root', () => {
  it('a tree without /etc, /bin or fstab/hosts', async () => {
    const boot = await roots.create('boot-only');
    await mkdir(path.join(boot, 'grub'), { recursive: true });
    await writeFile(path.join(boot, 'vmlinuz'), 'x');
    expect(await inspectLinuxRoot(dirGuestReader(boot))).toBeUndefined();
    const noFstab = await roots.create('no-fstab');
    await mkdir(path.join(noFstab, 'etc'), { recursive: true });
    await mkdir(path.join(noFstab, 'bin'));
    expect(await inspectLinuxRoot(dirGuestReader(noFstab))).toBeUndefined();
  });

  it('a root whose /bin symlink points out of the guest is judged inside it', async () => {
    const root = await roots.create('escaping-bin', { 'etc/hosts': '127.0.0.1 localhost\n' });
    await symlink('/usr/bin', path.join(root, 'bin'));
    expect(await inspectLinuxRoot(dirGuestReader(root))).toBeUndefined();
  });
});

describe('fstab is part of the facts', () => {
  it('parses the guest fstab', async () => {
    const root = await mergedUsrRoot('with-fstab', { 'etc/hostname': 'h\n', 'etc/fstab': 'UUID=abc / ext4 defaults 0 1\n/dev/vdb1\t/srv\txfs\tnoatime\n' });
    expect((await inspectLinuxRoot(dirGuestReader(root)))?.fstab).toEqual([
      { spec: 'UUID=abc', file: '/', vfstype: 'ext4', options: ['defaults'], freq: 0, passno: 1 },
      { spec: '/dev/vdb1', file: '/srv', vfstype: 'xfs', options: ['noatime'], freq: 0, passno: 0 },
    ]);
  });
});

describe('inspectLinuxRoot on hostile files', () => {
  /** The bounds inspection promises (src/inspect/guest-files.ts, linux/release.ts, linux/hostname.ts). */
  const SMALL_FILE_LIMIT = 64 * 1024;
  const TABLE_FILE_LIMIT = 1024 * 1024;
  const PRODUCT_NAME_MAX = 256;
  const HOSTNAME_MAX = 253;

  const DEBIAN_OS_RELEASE = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n';

  /** A minimal Debian-like root with `files` (guest path → content) written over it. */
  async function makeRoot(files: Record<string, string> = {}): Promise<string> {
    const root = await roots.create('debian-like', { 'etc/fstab': '', 'etc/debian_version': '12.8\n', 'usr/lib/os-release': DEBIAN_OS_RELEASE, 'etc/hostname': 'guest\n', ...files });
    await mkdir(path.join(root, 'bin'), { recursive: true });
    return root;
  }

  async function inspect(root: string) {
    const warnings: string[] = [];
    const facts = await inspectLinuxRoot(dirGuestReader(root), (m) => warnings.push(m));
    return { facts: facts!, warnings };
  }

  it('cuts a product name to its bound', async () => {
    const osRelease = DEBIAN_OS_RELEASE.replace('Debian GNU', 'D'.repeat(60_000));
    const { facts, warnings } = await inspect(await makeRoot({ 'etc/os-release': osRelease, 'usr/lib/os-release': osRelease }));
    expect(facts.prettyName).toBe('D'.repeat(PRODUCT_NAME_MAX));
    expect(facts).toMatchObject({ distro: 'debian', productName: '12.8', majorVersion: 12, minorVersion: 8 });
    const fedora = await inspect(await makeRoot({ 'etc/os-release': `PRETTY_NAME="${'F'.repeat(60_000)}"\nID=fedora\nVERSION_ID=39\n` }));
    expect(fedora.facts).toMatchObject({ distro: 'fedora', productName: 'F'.repeat(PRODUCT_NAME_MAX), prettyName: 'F'.repeat(PRODUCT_NAME_MAX) });
    expect(warnings).toEqual([]);
  });

  it('ignores a 10 MB os-release and reads the next release file', async () => {
    const root = await makeRoot({ 'etc/os-release': `PRETTY_NAME="${'x'.repeat(10_000_000)}"\n` });
    const { facts, warnings } = await inspect(root);
    expect(facts).toMatchObject({ distro: 'debian', productName: '12.8', prettyName: 'Debian GNU/Linux 12 (bookworm)', majorVersion: 12, minorVersion: 8 });
    expect(warnings).toEqual([`/etc/os-release ignored: larger than ${SMALL_FILE_LIMIT} bytes`]);
  });

  it('goes on past an os-release symlink loop', async () => {
    const root = await makeRoot();
    await symlink('os-release', path.join(root, 'etc/os-release'));
    const { facts, warnings } = await inspect(root);
    expect(facts).toMatchObject({ distro: 'debian', productName: '12.8', prettyName: 'Debian GNU/Linux 12 (bookworm)', hostname: 'guest' });
    expect(warnings).toEqual([expect.stringMatching(/^\/etc\/os-release ignored: ELOOP: /)]);
  });

  it('drops a hostname longer than RFC 1123 allows, for the next file that has one', async () => {
    const long = 'h'.repeat(HOSTNAME_MAX + 1);
    const { facts, warnings } = await inspect(await makeRoot({ 'etc/hostname': `${long}\n`, 'etc/sysconfig/network': 'HOSTNAME=fallback\n' }));
    expect(facts.hostname).toBe('fallback');
    expect(warnings).toEqual([`/etc/hostname ignored: its hostname is longer than ${HOSTNAME_MAX} characters`]);
    expect((await inspect(await makeRoot({ 'etc/hostname': `${'h'.repeat(HOSTNAME_MAX)}\n` }))).facts.hostname).toHaveLength(HOSTNAME_MAX);
  });

  it('reads an fstab of up to 1 MiB, and ignores a larger one with a warning', async () => {
    const line = 'UUID=0f3c / ext4 defaults 0 1\n';
    const big = line.repeat(Math.floor(TABLE_FILE_LIMIT / line.length));
    expect((await inspect(await makeRoot({ 'etc/fstab': big }))).facts.fstab).toHaveLength(Math.floor(TABLE_FILE_LIMIT / line.length));
    const { facts, warnings } = await inspect(await makeRoot({ 'etc/fstab': `${big}${line}` }));
    expect(facts).toMatchObject({ type: 'linux', distro: 'debian', fstab: [] });
    expect(warnings).toEqual([`/etc/fstab ignored: larger than ${TABLE_FILE_LIMIT} bytes`]);
  });
});
