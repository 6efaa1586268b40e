/**
 * Hives crafted against their reader (test/helpers/hostile-hives.ts): a
 * subkey list looping back to an ancestor made hivexregedit grow to 6.5 GB,
 * a parent-pointer loop made every call pass 3 GB, absurd counts came back
 * as ECOMMAND with the host path. Every read — from the host, through the
 * registry calls, the hivex_* calls, edits and Windows inspection — must be
 * EREGISTRY naming the hive's guest path, within seconds.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS } from '../../../src/index.js';
import { Runner } from '../../../src/core/exec.js';
import { VmcraftError } from '../../../src/core/errors.js';
import { exportKey, mergeEdits, readKey } from '../../../src/registry/hive.js';
import { runHivexregedit } from '../../../src/registry/hivexregedit.js';
import { DEFECTS, loopParents, writeBaseHive, writeHostileHive, writeInflatedHive, type Defect } from '../../helpers/hostile-hives.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { buildWindowsImage } from '../../helpers/windows-image.js';

let dir: string;
let remove: () => Promise<void>;
let image: string;
const HOSTILE = [...(Object.keys(DEFECTS) as Defect[]), 'inflated'] as const;
const SOFTWARE = '/Windows/System32/config/SOFTWARE';
/** A read must give up within this (the loops used to run until the 120 s time limit, or the host's memory, ran out). */
const QUICK_MS = 30_000;

/** The host path of a crafted hive. */
const hostile = (name: string) => path.join(dir, 'hives', name);

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('hostile-hives'));
  await mkdir(path.join(dir, 'hives'));
  const base = await writeBaseHive(path.join(dir, 'base.hive'));
  for (const defect of Object.keys(DEFECTS) as Defect[]) await writeHostileHive(hostile(defect), base, defect);
  // 40 values naming the data of one of 900 000 bytes: a 0.9 MiB file whose export is 110 MB of hex.
  await writeInflatedHive(hostile('inflated'), 40, 900_000);
  image = path.join(dir, 'windows.raw');
  await buildWindowsImage(dir, image, async (tree) => {
    // SOFTWARE's \Microsoft names \Microsoft\Windows NT as its parent: inspection reads \Microsoft\Windows NT\CurrentVersion.
    const software = path.join(tree, SOFTWARE);
    await writeFile(software, loopParents(await readFile(software), 'Microsoft', 'Windows NT'));
    await mkdir(path.join(tree, 'hostile'));
    for (const name of HOSTILE) await copyFile(hostile(name), path.join(tree, 'hostile', name));
  });
}, 300_000);
afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

/** Runs `read` and expects EREGISTRY naming `shown`, not a host path, within {@link QUICK_MS}. */
async function refused(read: () => Promise<unknown>, shown: string): Promise<VmcraftError> {
  const started = Date.now();
  const err = await read().then(() => { throw new Error(`expected ${shown} to be refused`); }, (e: unknown) => e as VmcraftError);
  expect(Date.now() - started).toBeLessThan(QUICK_MS);
  expect(err).toMatchObject({ code: 'EREGISTRY', message: expect.stringContaining(shown) });
  expect(err.message).not.toContain(dir);
  return err;
}

describe('hives crafted against hivex, read from the host', () => {
  const runner = new Runner();

  it.each(HOSTILE)('%s: an export, a key read and a merge are EREGISTRY naming the hive as shown', async (name) => {
    const shown = `/hostile/${name}`;
    await refused(() => exportKey(hostile(name), '\\', runner, 0, shown), shown);
    await refused(() => readKey(hostile(name), '\\', runner, shown), shown);
    if (name === 'data-length' || name === 'value-count' || name === 'truncated') return;
    // hivex edits what it can reach of the others, and a merge reads the hive too: refused as well, the file untouched.
    const copy = path.join(dir, `${name}.merge`);
    await copyFile(hostile(name), copy);
    await refused(() => mergeEdits(copy, [{ op: 'createKey', key: '\\New' }], runner, shown), shown);
    expect(await sha256File(copy)).toBe(await sha256File(hostile(name)));
  });

  it('refuses a FIFO in place of a hive at once (hivexregedit would wait on it until its time limit)', async () => {
    const fifo = path.join(dir, 'fifo');
    await execa('mkfifo', [fifo]);
    await refused(() => readKey(fifo, '\\', runner, '/Windows/System32/config/SYSTEM'), '/Windows/System32/config/SYSTEM');
  });

  it('stops hivexregedit itself at its memory limit when a loop reaches it', async () => {
    for (const name of ['subkey-loop', 'parent-loop']) {
      const err = await refused(() => runHivexregedit(runner, ['--export', hostile(name), '\\'], { host: hostile(name), shown: `/hostile/${name}`, bytes: 12_288 }), `/hostile/${name}`);
      expect(err.message).toMatch(/hivexregedit (ran out of|was killed by \w+ within) the 256 MiB of memory allowed for reading 12 KiB/);
    }
  });
});

describe('hives crafted against hivex, in a guest', () => {
  it('are refused by every registry and hivex_* call, with the guest path', async () => {
    const before = await sha256File(image);
    {
      await using g = await GuestFS.open(image, { readonly: true, tmpDir: dir });
      await g.mountRo('/dev/sda1', '/');
      for (const name of HOSTILE) {
        const guest = `/hostile/${name}`;
        await refused(() => g.registryKeys(guest, '\\'), guest);
        await refused(() => g.registryExport(guest, '\\'), guest);
        await refused(() => g.hivexOpen(guest), guest);
      }
      await refused(() => g.registryRead(SOFTWARE, '\\Microsoft\\Windows NT\\CurrentVersion', 'ProductName'), SOFTWARE);
      expect(g.resources().filter((r) => r.startsWith('hivex'))).toEqual([]);
    }
    expect(await sha256File(image)).toBe(before);
  });

  it('leave a hive untouched when an edit is refused', async () => {
    await using g = await GuestFS.open(image, { tmpDir: dir });
    await g.mount('/dev/sda1', '/');
    for (const name of ['subkey-loop', 'parent-loop'] as const) {
      const guest = `/hostile/${name}`;
      const sum = await g.checksum('sha256', guest);
      await refused(() => g.registryWrite(guest, [{ op: 'createKey', key: '\\New' }]), guest);
      await refused(() => g.registryMerge(guest, 'Windows Registry Editor Version 5.00\n\n[\\New]\n'), guest);
      expect(await g.checksum('sha256', guest)).toBe(sum);
    }
    expect((await g.ls('/hostile')).sort()).toEqual([...HOSTILE].sort());
  });

  it('make Windows inspection skip the root with a warning, the host unharmed', async () => {
    await using g = await GuestFS.open(image, { readonly: true, tmpDir: dir });
    const warnings: string[] = [];
    g.on('log', (e: { level: string; message: string }) => { if (e.level === 'warn') warnings.push(e.message); });
    const started = Date.now();
    expect(await g.inspectOs()).toEqual([]);
    expect(Date.now() - started).toBeLessThan(QUICK_MS);
    expect(warnings).toEqual([expect.stringMatching(/^inspection skipped \/dev\/sda1: \/Windows\/System32\/config\/SOFTWARE is corrupt or hostile: the parent pointer of \\Microsoft/)]);
    expect(warnings.join('\n')).not.toContain(dir);
  });
});
