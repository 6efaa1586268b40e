import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dirGuestReader } from '../../../src/fs/reader.js';
import { inspectLinuxRoot } from '../../../src/inspect/linux/index.js';
import { parseKeyValue } from '../../../src/inspect/parsers/key-value.js';
import { DISTRO_ROOTS, type DistroRoot } from './distros.js';
import { FSTABS } from './fstabs.js';
import { EM, elfHeader } from '../../helpers/elf.js';
import { FIXTURE_ROOTS, RootCopies } from './guest-root.js';

const copies = new RootCopies();
afterAll(() => copies.removeAll());

const X86_64_LS = { 'usr/bin/ls': elfHeader(EM.x86_64, 64, 'le') };

/** os-release of a fixture root (/etc first, as inspection reads it), parsed, or {}. */
async function osRelease(row: DistroRoot): Promise<Record<string, string>> {
  for (const file of ['etc/os-release', 'usr/lib/os-release']) {
    const text = await readFile(path.join(FIXTURE_ROOTS, row.root, file), 'utf8').catch(() => undefined);
    if (text !== undefined) return parseKeyValue(text);
  }
  return {};
}

/**
 * The full facts a root must inspect as: libguestfs' values with vmcraft's
 * documented deviations, libguestfs' build id (os-release BUILD_ID) and
 * vmcraft's extra prettyName (os-release PRETTY_NAME).
 */
async function expected(row: DistroRoot, arch: string) {
  const release = await osRelease(row);
  return {
    type: 'linux',
    ...row.libguestfs,
    ...row.vmcraft,
    buildId: release.BUILD_ID ?? 'unknown',
    ...(release.PRETTY_NAME ? { prettyName: release.PRETTY_NAME } : {}),
    arch,
    fstab: FSTABS[row.fstab],
    crypttab: row.crypttab ?? [],
  };
}

describe('inspectLinuxRoot on real release files of many distros', () => {
  const title = (row: DistroRoot) => (row.bug ? `${row.root} [vmcraft bug: ${row.bug}]` : row.root);
  it.each(DISTRO_ROOTS.map((row) => [title(row), row] as const))('%s', async (_title, row) => {
    const root = await copies.copy(row.root, X86_64_LS);
    expect(await inspectLinuxRoot(dirGuestReader(root))).toEqual(await expected(row, 'x86_64'));
  });

  it('gives the same facts on the committed trees in place, with arch unknown (no ELF binary there)', async () => {
    for (const row of DISTRO_ROOTS) {
      const inPlace = await inspectLinuxRoot(dirGuestReader(path.join(FIXTURE_ROOTS, row.root)));
      const copied = await inspectLinuxRoot(dirGuestReader(await copies.copy(row.root, X86_64_LS)));
      expect(inPlace?.arch, row.root).toBe('unknown');
      expect({ ...inPlace, arch: 'x86_64' }, row.root).toEqual(copied);
    }
  });
});

describe('the fixture set', () => {
  it('has a table row for every root and a root for every row', async () => {
    const dirs = (await readdir(FIXTURE_ROOTS, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(dirs.sort()).toEqual(DISTRO_ROOTS.map((r) => r.root).sort());
    expect(dirs.length).toBeGreaterThanOrEqual(20);
  });

  it('names the source of every root in SOURCES.md', async () => {
    const sources = await readFile(path.join(FIXTURE_ROOTS, 'SOURCES.md'), 'utf8');
    for (const { root } of DISTRO_ROOTS) expect(sources, root).toContain(`| ${root} |`);
  });

  it('documents every deviation from libguestfs and deviates in every documented row', () => {
    for (const row of DISTRO_ROOTS) {
      expect(row.vmcraft === undefined, row.root).toBe(row.why === undefined);
      for (const [field, value] of Object.entries(row.vmcraft ?? {})) {
        expect(row.libguestfs[field as keyof typeof row.libguestfs], `${row.root}.${field}`).not.toEqual(value);
      }
    }
  });

  it('every fstab style has entries', () => {
    for (const row of DISTRO_ROOTS) expect(FSTABS[row.fstab]?.length, row.root).toBeGreaterThan(0);
  });
});
