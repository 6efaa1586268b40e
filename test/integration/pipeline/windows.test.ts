/**
 * The pipeline on the Windows fixture as Hyper-V leaves it after a
 * checkpoint: a differencing VHD over a dynamic VHD. FLATTEN merges the
 * chain, FIX injects the VirtIO drivers, VALIDATE finds the services, and
 * hivexget reads them in the output.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GuestFS, plan, run } from '../../../src/index.js';
import { findLeftovers, NOTHING_LEFT } from '../../helpers/leaks.js';
import { scratchDir, sha256File } from '../../helpers/images.js';
import { makeDifferencing } from '../../helpers/vhd.js';
import { buildVirtioTree, buildWindowsImage } from '../../helpers/windows-image.js';

let dir: string;
let remove: () => Promise<void>;
let top: string;
let base: string;
let drivers: string;

/** A pattern the checkpoint wrote into the gap between the GPT and the first partition (bytes 512 KiB – 516 KiB). */
const MARK = { offset: 512 * 1024, length: 4096, byte: 0x5a };

beforeAll(async () => {
  ({ dir, remove } = await scratchDir('pipeline-windows'));
  const raw = path.join(dir, 'windows.raw');
  await buildWindowsImage(dir, raw);
  base = path.join(dir, 'win-base.vhd');
  top = path.join(dir, 'win-checkpoint.vhd');
  await execa('qemu-img', ['convert', '-f', 'raw', '-O', 'vpc', '-o', 'force_size=on', raw, base]);
  const { stdout } = await execa('qemu-img', ['info', '--output=json', base]);
  await execa('qemu-img', ['create', '-q', '-f', 'vpc', '-o', 'force_size=on', top, String((JSON.parse(stdout) as { 'virtual-size': number })['virtual-size'])]);
  await execa('qemu-io', ['-f', 'vpc', '-c', `write -P ${MARK.byte} ${MARK.offset} ${MARK.length}`, top]);
  await makeDifferencing(top, base, [[MARK.offset, MARK.offset + MARK.length]]);
  drivers = await buildVirtioTree(dir);
}, 120_000);
afterAll(async () => {
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
});

describe('pipeline on a Windows VHD checkpoint chain', () => {
  it('merges the chain, injects the drivers, validates the services; the chain stays byte-identical', async () => {
    const before = [await sha256File(top), await sha256File(base)];
    const output = path.join(dir, 'out', 'win01.qcow2');
    await mkdir(path.dirname(output));
    const p = await plan({ vms: [{ name: 'win01', input: [top], output: { path: output }, virtioWin: drivers, virtioDrivers: ['viostor', 'netkvm'] }] });
    expect(p.vms[0]!.sources).toEqual([{ path: top, format: 'vhd', chain: [{ path: top, format: 'vhd' }, { path: base, format: 'vhd' }], flatten: 'merge' }]);

    const dry = await run(p, { dryRun: true });
    expect(dry.vms[0]!.stages.find((s) => s.name === 'fix')).toMatchObject({ status: 'planned' }); // a VHD chain cannot be opened before it is merged

    const report = await run(p);
    expect(report.vms[0]!.error?.message).toBeUndefined();
    const stage = (name: string) => report.vms[0]!.stages.find((s) => s.name === name)!.result as Record<string, never>;
    expect(stage('flatten')).toMatchObject({ merged: [{ from: top, chain: [top, base] }] });
    expect(stage('inspect')).toMatchObject({ os: { type: 'windows', productName: 'Windows Server 2019 Standard', hostname: 'win-srv01', computerName: 'WIN-SRV01' } });
    expect(stage('fix')).toMatchObject({ virtio: { applied: true } });
    expect(stage('validate')).toMatchObject({ inspect: { services: ['\\ControlSet002\\Services\\viostor', '\\ControlSet002\\Services\\netkvm'] } });

    // The checkpoint's own sectors and the parent's filesystem are both in the output.
    const { stdout } = await execa('qemu-io', ['-r', '-f', 'qcow2', '-c', `read -P ${MARK.byte} ${MARK.offset} ${MARK.length}`, output]);
    expect(stdout).not.toContain('Pattern verification failed');
    await GuestFS.with(output, { readonly: true, tmpDir: dir }, async (g) => {
      await g.mountRoot((await g.inspectOs())[0]!);
      expect(await g.exists('/Windows/System32/drivers/viostor.sys')).toBe(true);
      const hive = path.join(dir, 'SYSTEM');
      await g.download('/Windows/System32/config/SYSTEM', hive);
      expect((await execa('hivexget', [hive, '\\ControlSet002\\Services\\viostor', 'Start'])).stdout.trim()).toBe('0');
      expect((await execa('hivexget', [hive, '\\ControlSet002\\Services\\netkvm', 'ImagePath'])).stdout.trim()).toMatch(/netkvm\.sys$/i);
    });
    expect([await sha256File(top), await sha256File(base)]).toEqual(before);
    expect(JSON.parse(await readFile(`${output}.report.json`, 'utf8'))).toMatchObject({ status: 'ok' });
  }, 180_000);
});
