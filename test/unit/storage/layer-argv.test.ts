/**
 * The argv vmcraft builds for LUKS, LVM and md, asserted through a recording
 * runner (nothing runs). The layers' context has a kernel with device-mapper
 * and md (this host has neither), and, in one test each, one without them:
 * then no tool that needs them must run.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VmcraftError } from '../../../src/core/errors.js';
import { parseBlkidUdev } from '../../../src/storage/blkid.js';
import { VM_MODE_HINT } from '../../../src/storage/kernel.js';
import { LuksLayer, keysFor } from '../../../src/storage/luks.js';
import { LvmLayer, lvmConfig } from '../../../src/storage/lvm.js';
import { MdLayer } from '../../../src/storage/md.js';
import { recordedTeardowns } from '../../../src/core/teardown.js';
import type { BlockDevice, DeviceKind } from '../../../src/storage/types.js';
import { RecordingRunner, fakeContext, sample, type RecordedCall, type Reply } from './fakes.js';

let ctx: Awaited<ReturnType<typeof fakeContext>>;
afterEach(async () => ctx?.dispose());

/** A device as blkid describes it in a captured output. */
function dev(name: string, hostPath: string, blkidSample: string, kind: DeviceKind = 'disk', drive = 0): BlockDevice {
  return { name, hostPath, kind, drive, probe: parseBlkidUdev(sample(blkidSample)) };
}

const LUKS_UUID = '5b2c6a1e-0d4f-4e8a-9c3b-7f1e2d3c4b5a';
const LUKS_NAME = `luks-${LUKS_UUID}`;

/** cryptsetup's failure for a wrong passphrase (exit code 2), as the runner reports it. */
function wrongKey(call: RecordedCall): VmcraftError {
  const argv = [call.file, ...call.args];
  return new VmcraftError('ECOMMAND', `${argv.join(' ')} failed with exit code 2`, { command: { command: argv.join(' '), argv, exitCode: 2, stderr: 'No key available with this passphrase.', durationMs: 1 } });
}

describe('LUKS', () => {
  it('opens read-only with the key on stdin (--key-file=-), never in argv, as luks-<UUID>; closes it on cleanup', async () => {
    const runner = new RecordingRunner();
    ctx = await fakeContext(runner, { readonly: true, keys: [{ key: 'secret' }] });
    const [opened] = await new LuksLayer().activate(dev('/dev/sda', '/dev/loop7', 'blkid-udev-luks2.txt'), ctx);
    expect(runner.argvs()).toEqual([
      ['cryptsetup', 'open', '--type', 'luks', '--key-file=-', '--readonly', '/dev/loop7', LUKS_NAME],
      ['blkid', '-p', '-o', 'udev', '-c', '/dev/null', `/dev/mapper/${LUKS_NAME}`],
    ]);
    expect(runner.calls[0]!.options).toMatchObject({ input: 'secret', redact: ['secret'] });
    expect(runner.calls.flatMap((c) => c.args).some((a) => a.includes('secret'))).toBe(false);
    expect(opened).toMatchObject({ name: `/dev/mapper/${LUKS_NAME}`, hostPath: `/dev/mapper/${LUKS_NAME}`, kind: 'crypt', parent: '/dev/sda' });

    expect(ctx.cleanup.labels()).toEqual([`LUKS mapping ${LUKS_NAME}`]);
    expect(await recordedTeardowns(ctx.workDir)).toEqual([{ file: 'cryptsetup', args: ['close', LUKS_NAME] }]);
    await ctx.cleanup.releaseAll();
    expect(runner.argvs().at(-1)).toEqual(['cryptsetup', 'close', LUKS_NAME]);
  });

  it('opens read-write (no --readonly) in a writable session', async () => {
    const runner = new RecordingRunner();
    ctx = await fakeContext(runner, { readonly: false, keys: [{ key: 'secret' }] });
    await new LuksLayer().activate(dev('/dev/sda', '/dev/loop7', 'blkid-udev-luks2.txt'), ctx);
    expect(runner.argvs('cryptsetup')).toEqual([['cryptsetup', 'open', '--type', 'luks', '--key-file=-', '/dev/loop7', LUKS_NAME]]);
  });

  it('tries the key naming the device (by LUKS UUID) first, goes on past a wrong key, and never puts a key in argv', async () => {
    const runner = new RecordingRunner((call) => (call.file === 'cryptsetup' && call.options.input !== 'right' ? wrongKey(call) : undefined));
    const keys = [{ key: 'any' }, { device: LUKS_UUID.toUpperCase(), key: 'named' }, { device: '/dev/sdb', key: 'other' }, { key: 'right' }];
    ctx = await fakeContext(runner, { keys });
    const device = dev('/dev/sda', '/dev/loop7', 'blkid-udev-luks2.txt');
    expect(keysFor(device, keys)).toEqual(['named', 'any', 'right']);
    await new LuksLayer().activate(device, ctx);
    expect(runner.calls.filter((c) => c.file === 'cryptsetup').map((c) => c.options.input)).toEqual(['named', 'any', 'right']);
    for (const argv of runner.argvs()) expect(argv.filter((a) => /named|any|right/.test(a))).toEqual([]);
    expect(ctx.cleanup.size).toBe(1);
  });

  it('EBADKEY when no key opens it, with nothing left to close', async () => {
    const runner = new RecordingRunner((call) => (call.file === 'cryptsetup' ? wrongKey(call) : undefined));
    ctx = await fakeContext(runner, { keys: [{ key: 'a' }, { key: 'b' }] });
    await expect(new LuksLayer().activate(dev('/dev/sda', '/dev/loop7', 'blkid-udev-luks2.txt'), ctx)).rejects.toMatchObject({ code: 'EBADKEY', message: 'no key given for /dev/sda opens it (2 tried)' });
    expect(runner.argvs('cryptsetup')).toHaveLength(2);
    expect(ctx.cleanup.size).toBe(0);
  });

  it('without a key: a warning, no cryptsetup', async () => {
    const runner = new RecordingRunner();
    ctx = await fakeContext(runner);
    expect(await new LuksLayer().activate(dev('/dev/sda', '/dev/loop7', 'blkid-udev-luks2.txt'), ctx)).toEqual([]);
    expect(runner.calls).toEqual([]);
    expect(ctx.warnings).toEqual(['/dev/sda is LUKS-encrypted and no key was given: it stays locked (pass keys, or call luksOpen)']);
  });

  it('on a kernel without device-mapper: EUNSUPPORTED, and cryptsetup never sees the key', async () => {
    const runner = new RecordingRunner();
    ctx = await fakeContext(runner, { keys: [{ key: 'secret' }], kernel: { deviceMapper: false, md: true } });
    const refused = new LuksLayer().activate(dev('/dev/sda', '/dev/loop7', 'blkid-udev-luks2.txt'), ctx);
    await expect(refused).rejects.toMatchObject({ code: 'EUNSUPPORTED', feature: 'device-mapper', message: expect.stringMatching(/^this host's kernel has no device-mapper, needed for the LUKS device \/dev\/sda \(UUID [0-9a-f-]{36}\)/) });
    await expect(refused).rejects.not.toMatchObject({ message: expect.stringContaining('secret') });
    expect(runner.calls).toEqual([]);
  });
});

/** Answers the lvm reports from the captures: only the first PV visible when the --config admits only it. */
function lvmReplies(lvAttr = '-wi-a-----') {
  return (call: RecordedCall): Reply | undefined => {
    if (call.file !== 'lvm') return undefined;
    const both = call.args.at(-1)!.includes('/dev/loop1');
    if (call.args[0] === 'pvs') return sample(both ? 'lvm-pvs.json' : 'lvm-pvs-partial.json');
    if (call.args[0] === 'vgs') return sample(both ? 'lvm-vgs.json' : 'lvm-vgs-partial.json');
    // Captured where device-mapper is missing (state "X"): answered as a host with it reports active LVs.
    if (call.args[0] === 'lvs') return sample('lvm-lvs.json').replaceAll('-wi-XX----', lvAttr);
    return '';
  };
}

describe('LVM', () => {
  const pv0 = () => dev('/dev/sda', '/dev/loop0', 'blkid-udev-lvm2-pv.txt');
  const pv1 = () => dev('/dev/sdb', '/dev/loop1', 'blkid-udev-lvm2-pv.txt', 'disk', 1);

  it('waits for every PV, then activates the VG read-only with the private config (only this session\'s PVs), and deactivates it on cleanup', async () => {
    const runner = new RecordingRunner(lvmReplies());
    ctx = await fakeContext(runner, { readonly: true });
    const lvm = new LvmLayer();
    const one = lvmConfig(['/dev/loop0']);
    const both = lvmConfig(['/dev/loop0', '/dev/loop1']);
    const bothRo = lvmConfig(['/dev/loop0', '/dev/loop1'], ['guest-vg']);
    expect(bothRo).toContain('read_only_volume_list=["guest-vg"]');

    expect(await lvm.activate(pv0(), ctx)).toEqual([]);
    expect(runner.argvs()).toEqual([
      ['lvm', 'pvs', '--reportformat', 'json', '-o', 'pv_name,vg_name,vg_uuid', '--config', one],
      ['lvm', 'vgs', '--reportformat', 'json', '-o', 'vg_name,vg_uuid,pv_count', '--config', one],
    ]);
    runner.calls.length = 0;

    const lvs = await lvm.activate(pv1(), ctx);
    expect(runner.argvs('lvm')).toEqual([
      ['lvm', 'pvs', '--reportformat', 'json', '-o', 'pv_name,vg_name,vg_uuid', '--config', both],
      ['lvm', 'vgs', '--reportformat', 'json', '-o', 'vg_name,vg_uuid,pv_count', '--config', both],
      ['lvm', 'vgchange', '-a', 'y', 'guest-vg', '--config', bothRo],
      ['lvm', 'vgmknodes', 'guest-vg', '--config', bothRo],
      ['lvm', 'lvs', '--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', 'vg_name,lv_name,lv_dm_path,lv_size,lv_attr', 'guest-vg', '--config', bothRo],
    ]);
    // Every lvm command runs with the session's own (empty) lvm.conf, never /etc/lvm.
    const systemDir = path.join(ctx.workDir, 'lvm');
    for (const call of runner.calls.filter((c) => c.file === 'lvm')) expect(call.options.env).toEqual({ LVM_SYSTEM_DIR: systemDir, LVM_SUPPRESS_FD_WARNINGS: '1' });
    expect(await readFile(path.join(systemDir, 'lvm.conf'), 'utf8')).toBe('');
    expect(ctx.warnings).toEqual([]);

    expect(lvs.map((d) => [d.name, d.hostPath, d.kind])).toEqual([
      ['/dev/guest-vg/my-swap', '/dev/mapper/guest--vg-my--swap', 'lv'],
      ['/dev/guest-vg/root', '/dev/mapper/guest--vg-root', 'lv'],
    ]);
    expect(runner.argvs('blkid').map((a) => a.at(-1))).toEqual(['/dev/mapper/guest--vg-my--swap', '/dev/mapper/guest--vg-root']);

    expect(ctx.cleanup.labels()).toEqual(['volume group guest-vg']);
    runner.calls.length = 0;
    await ctx.cleanup.releaseAll();
    expect(runner.calls.map((c) => [[c.file, ...c.args], c.options.env])).toEqual([[['lvm', 'vgchange', '-a', 'n', 'guest-vg', '--config', bothRo], { LVM_SYSTEM_DIR: systemDir, LVM_SUPPRESS_FD_WARNINGS: '1' }]]);
    expect(await recordedTeardowns(ctx.workDir)).toEqual([{ file: 'lvm', args: ['vgchange', '-a', 'n', 'guest-vg', '--config', bothRo], env: { LVM_SYSTEM_DIR: systemDir, LVM_SUPPRESS_FD_WARNINGS: '1' } }]);
    // Finishing activates nothing twice.
    runner.calls.length = 0;
    expect(await lvm.finish(ctx)).toEqual([]);
    expect(runner.argvs('lvm').map((a) => a[1])).toEqual(['pvs', 'vgs']);
  });

  it('in a writable session the VG is not in read_only_volume_list', async () => {
    const runner = new RecordingRunner(lvmReplies());
    ctx = await fakeContext(runner, { readonly: false });
    const lvm = new LvmLayer();
    await lvm.activate(pv0(), ctx);
    await lvm.activate(pv1(), ctx);
    const vgchange = runner.argvs('lvm').find((a) => a[1] === 'vgchange')!;
    expect(vgchange).toEqual(['lvm', 'vgchange', '-a', 'y', 'guest-vg', '--config', lvmConfig(['/dev/loop0', '/dev/loop1'])]);
    expect(vgchange.at(-1)).not.toContain('read_only_volume_list');
  });

  it('a VG still missing a PV when the scan ends is activated partial, with a warning', async () => {
    const runner = new RecordingRunner(lvmReplies());
    ctx = await fakeContext(runner);
    const lvm = new LvmLayer();
    await lvm.activate(pv0(), ctx);
    expect(runner.argvs('lvm').some((a) => a[1] === 'vgchange')).toBe(false);
    await lvm.finish(ctx);
    expect(runner.argvs('lvm').find((a) => a[1] === 'vgchange')).toEqual(['lvm', 'vgchange', '-a', 'y', '--activationmode', 'partial', 'guest-vg', '--config', lvmConfig(['/dev/loop0'], ['guest-vg'])]);
    expect(ctx.warnings).toEqual(['volume group guest-vg is missing 1 of its 2 PVs: activating what is there']);
  });

  it('gives the LVs of each VG the drive of that VG\'s own PV, not the first PV found', async () => {
    const report = (kind: string, rows: object[]) => JSON.stringify({ report: [{ [kind]: rows }] });
    const runner = new RecordingRunner((call) => {
      if (call.file !== 'lvm') return undefined;
      if (call.args[0] === 'pvs') return report('pv', [{ pv_name: '/dev/loop0', vg_name: 'vg-a', vg_uuid: 'A' }, { pv_name: '/dev/loop1', vg_name: 'vg-b', vg_uuid: 'B' }]);
      if (call.args[0] === 'vgs') return report('vg', [{ vg_name: 'vg-a', vg_uuid: 'A', pv_count: '1' }, { vg_name: 'vg-b', vg_uuid: 'B', pv_count: '1' }]);
      if (call.args[0] === 'lvs') {
        const vg = call.args[call.args.indexOf('vg_name,lv_name,lv_dm_path,lv_size,lv_attr') + 1]!;
        return report('lv', [{ vg_name: vg, lv_name: 'data', lv_dm_path: `/dev/mapper/${vg.replace(/-/g, '--')}-data`, lv_size: '1048576', lv_attr: '-wi-a-----' }]);
      }
      return '';
    });
    ctx = await fakeContext(runner, { readonly: true });
    const lvm = new LvmLayer();
    const lvs = [...(await lvm.activate(pv0(), ctx)), ...(await lvm.activate(pv1(), ctx))];
    expect(lvs.map((d) => [d.name, d.parent, d.drive])).toEqual([
      ['/dev/vg-a/data', '/dev/sda', 0],
      ['/dev/vg-b/data', '/dev/sdb', 1],
    ]);
  });

  it('lists only the LVs that are active after vgchange', async () => {
    const runner = new RecordingRunner(lvmReplies('-wi-------'));
    ctx = await fakeContext(runner);
    const lvm = new LvmLayer();
    await lvm.activate(pv0(), ctx);
    expect(await lvm.activate(pv1(), ctx)).toEqual([]);
    expect(runner.argvs('blkid')).toEqual([]);
  });

  it('on a kernel without device-mapper: EUNSUPPORTED naming the VG, and vgchange never runs', async () => {
    const runner = new RecordingRunner(lvmReplies());
    ctx = await fakeContext(runner, { kernel: { deviceMapper: false, md: true } });
    const lvm = new LvmLayer();
    await lvm.activate(pv0(), ctx);
    await expect(lvm.activate(pv1(), ctx)).rejects.toMatchObject({ code: 'EUNSUPPORTED', feature: 'device-mapper', message: `this host's kernel has no device-mapper, needed for the LVM volume group guest-vg${VM_MODE_HINT}` });
    expect(runner.argvs('lvm').map((a) => a[1])).toEqual(['pvs', 'vgs', 'pvs', 'vgs']);
    expect(ctx.cleanup.size).toBe(0);
  });
});

describe('md', () => {
  const member = (name: string, hostPath: string) => dev(name, hostPath, 'blkid-udev-md-member.txt');
  const examineReplies = (call: RecordedCall): Reply | undefined => {
    if (call.file !== 'mdadm' || call.args[0] !== '--examine') return undefined;
    return sample(call.args.at(-1) === '/dev/loop4' ? 'mdadm-examine-export-member0.txt' : 'mdadm-examine-export-member1.txt');
  };

  it('examines each member, assembles once both are there (read-only, --config=none), and stops the array on cleanup', async () => {
    const runner = new RecordingRunner(examineReplies);
    ctx = await fakeContext(runner, { readonly: true });
    const md = new MdLayer();
    expect(await md.activate(member('/dev/sda', '/dev/loop4'), ctx)).toEqual([]);
    const [array] = await md.activate(member('/dev/sdb', '/dev/loop5'), ctx);
    const argvs = runner.argvs();
    expect(argvs.slice(0, 2)).toEqual([
      ['mdadm', '--examine', '--export', '/dev/loop4'],
      ['mdadm', '--examine', '--export', '/dev/loop5'],
    ]);
    expect(argvs[2]).toEqual(['mdadm', '--assemble', expect.stringMatching(/^\/dev\/md\d+$/), '--config=none', '--run', '--readonly', '/dev/loop4', '/dev/loop5']);
    const mdPath = argvs[2]![2]!;
    expect(argvs.slice(3)).toEqual([['blkid', '-p', '-o', 'udev', '-c', '/dev/null', mdPath]]);
    expect(runner.calls[0]!.options.okExitCodes).toEqual([0, 1]);
    expect(array).toMatchObject({ name: '/dev/md/root', hostPath: mdPath, kind: 'md', parent: '/dev/sda' });
    expect(ctx.warnings).toEqual([]);

    expect(ctx.cleanup.labels()).toEqual([`RAID array ${mdPath}`]);
    await ctx.cleanup.releaseAll();
    expect(runner.argvs().at(-1)).toEqual(['mdadm', '--stop', mdPath]);
    expect(await md.finish(ctx)).toEqual([]);
  });

  it('a writable session assembles without --readonly', async () => {
    const runner = new RecordingRunner(examineReplies);
    ctx = await fakeContext(runner, { readonly: false });
    const md = new MdLayer();
    await md.activate(member('/dev/sda', '/dev/loop4'), ctx);
    await md.activate(member('/dev/sdb', '/dev/loop5'), ctx);
    expect(runner.argvs('mdadm').find((a) => a[1] === '--assemble')).toEqual(['mdadm', '--assemble', expect.any(String), '--config=none', '--run', '/dev/loop4', '/dev/loop5']);
  });

  it('an array missing a member when the scan ends is assembled degraded, with a warning', async () => {
    const runner = new RecordingRunner(examineReplies);
    ctx = await fakeContext(runner);
    const md = new MdLayer();
    await md.activate(member('/dev/sda', '/dev/loop4'), ctx);
    expect(runner.argvs('mdadm').some((a) => a[1] === '--assemble')).toBe(false);
    await md.finish(ctx);
    expect(runner.argvs('mdadm').find((a) => a[1] === '--assemble')).toEqual(['mdadm', '--assemble', expect.any(String), '--config=none', '--run', '--readonly', '/dev/loop4']);
    expect(ctx.warnings).toEqual(['RAID array guesthost:root has 1 of its 2 members: assembling it degraded']);
  });

  it('a member found after its array was assembled (a spare, a late disk) is left out with a warning, never assembled twice', async () => {
    const runner = new RecordingRunner((call) => (call.args.at(-1) === '/dev/loop6' ? sample('mdadm-examine-export-member1.txt') : examineReplies(call)));
    ctx = await fakeContext(runner);
    const md = new MdLayer();
    await md.activate(member('/dev/sda', '/dev/loop4'), ctx);
    await md.activate(member('/dev/sdb', '/dev/loop5'), ctx);
    expect(await md.activate(member('/dev/sdc', '/dev/loop6'), ctx)).toEqual([]);
    expect(runner.argvs('mdadm').filter((a) => a[1] === '--assemble')).toHaveLength(1);
    expect(ctx.warnings).toEqual(['/dev/sdc belongs to RAID array guesthost:root, assembled already without it: left out']);
  });

  it('a device mdadm finds no superblock on (exit code 1, no output) is left alone', async () => {
    const runner = new RecordingRunner();
    ctx = await fakeContext(runner);
    const md = new MdLayer();
    expect(await md.activate(member('/dev/sda', '/dev/loop4'), ctx)).toEqual([]);
    expect(await md.finish(ctx)).toEqual([]);
    expect(runner.argvs()).toEqual([['mdadm', '--examine', '--export', '/dev/loop4']]);
  });

  it('on a kernel without md: EUNSUPPORTED naming the array, and mdadm --assemble never runs', async () => {
    const runner = new RecordingRunner(examineReplies);
    ctx = await fakeContext(runner, { kernel: { deviceMapper: true, md: false } });
    const md = new MdLayer();
    await md.activate(member('/dev/sda', '/dev/loop4'), ctx);
    await expect(md.activate(member('/dev/sdb', '/dev/loop5'), ctx)).rejects.toMatchObject({
      code: 'EUNSUPPORTED',
      feature: 'md',
      message: `this host's kernel has no md (software RAID) driver, needed for the RAID array guesthost:root (/dev/sda, /dev/sdb)${VM_MODE_HINT}`,
    });
    expect(runner.argvs('mdadm').map((a) => a[1])).toEqual(['--examine', '--examine']);
  });
});
