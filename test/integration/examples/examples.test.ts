import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFixtures, type FixtureManifest } from '../../fixtures/lib/manifest.js';
import { scratchDir } from '../../helpers/images.js';

const EXAMPLES = path.join(import.meta.dirname, '../../../examples');
let fx: FixtureManifest;
let dir: string;
let remove: () => Promise<void>;
beforeAll(async () => {
  fx = await loadFixtures();
  ({ dir, remove } = await scratchDir('examples'));
});
afterAll(async () => remove());

const example = (name: string, args: string[]) => execa('node', ['--import', 'tsx', path.join(EXAMPLES, name), ...args], { reject: false, env: { TMPDIR: dir } });

describe('the examples run and print what they promise', () => {
  it('basic.ts builds the sample guest and inspects it', async () => {
    const r = await example('basic.ts', []);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Root /dev/sda2: Debian GNU/Linux 12 (bookworm) (debian 12.5, x86_64)');
    expect(r.stdout).toContain('--- /etc/hostname\nvmcraft-sample');
    expect(r.stdout).toMatch(/launch \d+(\.\d+)? ms, inspect \d+(\.\d+)? ms/);
  });

  it('basic.ts on the debootstrapped Debian fixture', async () => {
    const r = await example('basic.ts', [fx.debian12!.path]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('hostname vmcraft-debian, packages deb/apt, osinfo debian12');
  });

  it('forensics.ts exports logs with checksums and proves the image unchanged', async () => {
    const out = path.join(dir, 'evidence');
    const r = await example('forensics.ts', [fx.debian12!.path, out]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('os: Debian GNU/Linux 12 (bookworm) (vmcraft-debian)');
    expect(r.stdout).toContain('image unchanged: OK');
    const sums = (await readFile(path.join(out, 'SHA256SUMS'), 'utf8')).trim().split('\n');
    expect(sums.length).toBeGreaterThan(0);
    expect(sums[0]).toMatch(/^[0-9a-f]{64} {2}\/var\/log\/.+\.log$/);
  });
});
