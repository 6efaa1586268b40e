/** The pipeline from a VMware OVA: FETCH unpacks it (manifest checked), the rest runs on its disk. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plan, run } from '../../../src/index.js';
import { loadFixtures } from '../../fixtures/lib/manifest.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { vmwareOvf } from '../../helpers/ovf.js';

let dir: string;
let remove: () => Promise<void>;
let ova: string;

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('pipeline-ova'));
  const pkg = path.join(dir, 'pkg');
  await mkdir(pkg);
  const fixture = (await loadFixtures()).debian12!.path;
  await execa('qemu-img', ['convert', '-f', 'qcow2', '-O', 'vmdk', '-o', 'subformat=streamOptimized', fixture, path.join(pkg, 'web01-disk1.vmdk')]);
  const { stdout } = await execa('qemu-img', ['info', '--output=json', fixture]);
  await writeFile(path.join(pkg, 'web01.ovf'), vmwareOvf('web01-disk1.vmdk', Math.ceil((JSON.parse(stdout) as { 'virtual-size': number })['virtual-size'] / 2 ** 20)));
  await writeFile(path.join(pkg, 'web01.mf'), `SHA256(web01.ovf)= ${await sha256File(path.join(pkg, 'web01.ovf'))}\nSHA256(web01-disk1.vmdk)= ${await sha256File(path.join(pkg, 'web01-disk1.vmdk'))}\n`);
  ova = path.join(dir, 'web01.ova');
  await execa('tar', ['-C', pkg, '--format=ustar', '-cf', ova, 'web01.ovf', 'web01.mf', 'web01-disk1.vmdk']);
}, 120_000);
afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

describe('pipeline from an OVA', () => {
  it('unpacks it with its manifest checked, migrates its disk, and leaves the OVA byte-identical', async () => {
    const before = await sha256File(ova);
    const output = path.join(dir, 'web01.qcow2');
    const p = await plan({ vms: [{ name: 'web01', input: [ova], output: { path: output } }] });
    expect(p.vms[0]!.sources).toEqual([{ path: ova, format: 'ova', chain: [{ path: ova, format: 'ova' }], flatten: 'none' }]);
    const dry = await run(p, { dryRun: true });
    expect(dry.vms[0]!.status).toBe('dry-run');
    const report = await run(p);
    expect(report.vms[0]!.error?.message).toBeUndefined();
    const fetch = report.vms[0]!.stages[0]!.result as { disks: { path: string; format: string }[]; ova: { descriptor: { name: string; cpus: number; memoryMiB: number }; manifestVerified: boolean }[] };
    expect(fetch.disks).toMatchObject([{ path: path.join(p.vms[0]!.workDir, 'ova-0', 'web01-disk1.vmdk'), format: 'vmdk' }]);
    expect(fetch.ova[0]).toMatchObject({ manifestVerified: true, descriptor: { name: 'web01', cpus: 2, memoryMiB: 4096 } });
    expect(report.vms[0]!.stages.find((s) => s.name === 'inspect')!.result).toMatchObject({ os: { distro: 'debian', hostname: 'vmcraft-debian' } });
    await execa('qemu-img', ['check', output]);
    expect(await sha256File(ova)).toBe(before);
    const again = await run(p);
    expect(again.vms[0]!.stages.map((s) => s.status)).toEqual(['reused', 'reused', 'reused', 'reused', 'reused', 'reused']);
  }, 180_000);
});
