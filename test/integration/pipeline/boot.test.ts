/**
 * VALIDATE's boot test on the Debian fixture that has a kernel: the output is
 * booted under QEMU with its own kernel and initrd (rebuilt by FIX with the
 * virtio modules) and must mount its root from the virtio disk; a marker the
 * console never prints fails the run with the console's last lines.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plan, run } from '../../../src/index.js';
import { loadFixtures, type FixtureManifest } from '../../fixtures/lib/manifest.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir, sha256File } from '../../helpers/images.js';

let dir: string;
let remove: () => Promise<void>;
let fixtures: FixtureManifest;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('pipeline-boot'));
  fixtures = await loadFixtures();
});
afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

describe('pipeline boot test', () => {
  it('boots the output with its own kernel until the root filesystem is mounted from virtio; the input stays byte-identical', async () => {
    const input = fixtures.debianKernel!.path;
    const before = await sha256File(input);
    const output = path.join(dir, 'k1.qcow2');
    const report = await run(await plan({ vms: [{ name: 'k1', input: [input], output: { path: output }, validate: { boot: { timeoutSec: 300 } } }] }));
    expect(report.vms[0]!.error?.message).toBeUndefined();
    const fix = report.vms[0]!.stages.find((s) => s.name === 'fix')!.result as { reports: { fixer: string; commands: { argv: string[]; exitCode: number }[] }[] };
    expect(fix.reports.find((r) => r.fixer === 'initramfs')!.commands).toEqual([{ argv: ['update-initramfs', '-u', '-k', 'all'], exitCode: 0 }]);
    const boot = (report.vms[0]!.stages.find((s) => s.name === 'validate')!.result as { boot: { kernel: string; matched: string; accel: string } }).boot;
    expect(boot.kernel).toMatch(/^\/boot\/vmlinuz-6\.1\.0-\d+-cloud-amd64$/);
    expect(boot.matched).toMatch(/EXT4-fs \(vda1\): mounted filesystem/);
    expect(await sha256File(input)).toBe(before);
  }, 600_000);

  it('fails VALIDATE with EVALIDATE and the console tail when the marker does not come in time', async () => {
    const output = path.join(dir, 'k2.qcow2');
    const report = await run(await plan({ vms: [{ name: 'k2', input: [fixtures.debianKernel!.path], output: { path: output }, validate: { boot: { marker: 'a line no kernel prints', timeoutSec: 20, accel: 'tcg' } } }] }));
    expect(report.vms[0]!.status).toBe('failed');
    expect(report.vms[0]!.error!.message).toMatch(/^the boot test/);
    expect(report.vms[0]!.error!.code).toBe('EVALIDATE');
    expect(report.vms[0]!.error!.message).toMatch(/saw no \/a line no kernel prints\/ on the console .*timed out[\s\S]*last console lines:\n\S/);
    // The tail is whatever the console printed last: kernel lines, initramfs
    // "Begin:" lines, or a shell prompt when the guest got that far.
    expect(report.vms[0]!.error!.message.split('last console lines:\n')[1]).toMatch(/\[\s*\d+\.\d+\]|Begin:|Linux|EXT4|virtio/);
    expect(report.vms[0]!.stages.at(-1)).toMatchObject({ name: 'validate', status: 'failed' });
  }, 600_000);
});
