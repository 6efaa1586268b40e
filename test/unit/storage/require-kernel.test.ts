/**
 * The session's own view of its kernel (LayerContext.kernel, what VM-mode's
 * `auto` moves on): requireKernel refuses a layer whose kernel support is
 * missing with EUNSUPPORTED and the feature, and the LVM, LUKS and md layers
 * ask it before any tool runs. The host probe is replaced by one that has
 * device-mapper and md, so only the context says they are missing.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { VmcraftError } from '../../../src/core/errors.js';
import type { HostCapabilities } from '../../../src/core/probe.js';
import { parseBlkidUdev } from '../../../src/storage/blkid.js';
import { LuksLayer } from '../../../src/storage/luks.js';
import { LvmLayer } from '../../../src/storage/lvm.js';
import { MdLayer } from '../../../src/storage/md.js';
import { requireKernel, type BlockDevice, type LayerContext } from '../../../src/storage/types.js';
import { RecordingRunner, fakeContext, sample } from './fakes.js';

vi.mock('../../../src/core/probe.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/core/probe.js')>();
  return {
    ...real,
    probeHost: async (): Promise<HostCapabilities> => ({ root: true, tools: {}, kernelFilesystems: [], kernel: { nbd: false, fuse: true, loop: true, deviceMapper: true, md: true } }),
  };
});

const dev = (name: string, hostPath: string, blkidSample: string): BlockDevice => ({ name, hostPath, kind: 'disk', drive: 0, probe: parseBlkidUdev(sample(blkidSample)) });

let ctx: Awaited<ReturnType<typeof fakeContext>> | undefined;
afterEach(async () => {
  await ctx?.dispose();
  ctx = undefined;
});

/** The error `fn` throws (it must throw). */
function thrown(fn: () => unknown): VmcraftError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(VmcraftError);
    return err as VmcraftError;
  }
  throw new Error('expected a throw');
}

describe('requireKernel', () => {
  const device = dev('/dev/sdb2', '/dev/loop3p2', 'blkid-udev-lvm2-pv.txt');
  const context = (kernel: LayerContext['kernel']) => ({ kernel }) as LayerContext;

  it('refuses device-mapper layers on a kernel without it: EUNSUPPORTED, feature device-mapper, naming the device', () => {
    const err = thrown(() => requireKernel(context({ deviceMapper: false, md: true }), 'deviceMapper', device, 'is an LVM physical volume'));
    expect(err.code).toBe('EUNSUPPORTED');
    expect(err.feature).toBe('device-mapper');
    expect(err.message).toMatch(/^\/dev\/sdb2 is an LVM physical volume: that needs device-mapper in the kernel/);
    expect(err.message).toContain("mode 'vm' or 'auto'");
  });

  it('refuses md layers on a kernel without it: feature md', () => {
    const err = thrown(() => requireKernel(context({ deviceMapper: true, md: false }), 'md', device, 'is a RAID member'));
    expect(err.code).toBe('EUNSUPPORTED');
    expect(err.feature).toBe('md');
    expect(err.message).toMatch(/^\/dev\/sdb2 is a RAID member: that needs md in the kernel/);
  });

  it('passes when the kernel has the feature (the other one missing does not matter)', () => {
    expect(() => requireKernel(context({ deviceMapper: true, md: false }), 'deviceMapper', device, 'x')).not.toThrow();
    expect(() => requireKernel(context({ deviceMapper: false, md: true }), 'md', device, 'x')).not.toThrow();
  });
});

describe('the layers ask requireKernel before any tool runs', () => {
  const without = { kernel: { deviceMapper: false, md: false } };

  it('LVM: an LVM2_member on a kernel without device-mapper — EUNSUPPORTED device-mapper, no lvm command', async () => {
    const runner = new RecordingRunner();
    ctx = await fakeContext(runner, without);
    const err = await new LvmLayer().activate(dev('/dev/sda', '/dev/loop0', 'blkid-udev-lvm2-pv.txt'), ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VmcraftError);
    expect(err).toMatchObject({ code: 'EUNSUPPORTED', feature: 'device-mapper' });
    expect((err as Error).message).toContain('/dev/sda is an LVM physical volume');
    expect(runner.calls).toEqual([]);
    expect(ctx.cleanup.size).toBe(0);
  });

  it('LUKS (key given): a crypto_LUKS device on a kernel without device-mapper — EUNSUPPORTED device-mapper, no cryptsetup', async () => {
    const runner = new RecordingRunner();
    ctx = await fakeContext(runner, { ...without, keys: [{ key: 'secret' }] });
    const err = await new LuksLayer().activate(dev('/dev/sda', '/dev/loop7', 'blkid-udev-luks2.txt'), ctx).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EUNSUPPORTED', feature: 'device-mapper' });
    expect((err as Error).message).toContain('/dev/sda is LUKS-encrypted');
    expect((err as Error).message).not.toContain('secret');
    expect(runner.calls).toEqual([]);
  });

  it('md: a linux_raid_member on a kernel without md — EUNSUPPORTED md, no mdadm (not even --examine)', async () => {
    const runner = new RecordingRunner();
    ctx = await fakeContext(runner, without);
    const err = await new MdLayer().activate(dev('/dev/sdb', '/dev/loop5', 'blkid-udev-md-member.txt'), ctx).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EUNSUPPORTED', feature: 'md' });
    expect((err as Error).message).toContain('/dev/sdb is a RAID member');
    expect(runner.calls).toEqual([]);
  });

  it('each layer goes on to its tool when the context has the feature (the check is not always refusing)', async () => {
    const runner = new RecordingRunner();
    ctx = await fakeContext(runner, { kernel: { deviceMapper: false, md: true } });
    // md is there: mdadm --examine runs (its empty answer: not a member it knows).
    expect(await new MdLayer().activate(dev('/dev/sdb', '/dev/loop5', 'blkid-udev-md-member.txt'), ctx)).toEqual([]);
    expect(runner.argvs().map((a) => a.slice(0, 2))).toEqual([['mdadm', '--examine']]);
  });
});
