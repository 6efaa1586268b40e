/**
 * The storage work-list loop (expandDevices) with fake layers: each "finds"
 * the devices inside a device from an in-memory map, so stacking orders,
 * layers that wait for a group, degraded completion and failures are tested
 * without any tool or kernel.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VmcraftError } from '../../../src/core/errors.js';
import { expandDevices } from '../../../src/storage/scan.js';
import type { BlockDevice, DeviceKind, LayerContext, StorageLayer } from '../../../src/storage/types.js';
import { RecordingRunner, fakeContext } from './fakes.js';

/** A device whose blkid type is `type` (what the layers' detect looks at). */
function dev(name: string, type?: string, kind: DeviceKind = 'disk'): BlockDevice {
  return { name, hostPath: `/host${name}`, kind, drive: 0, probe: { raw: {}, ...(type ? { type } : {}) } };
}

/** Every layer call, in order: `luks:activate /dev/sda`, `lvm:finish`. */
let log: string[] = [];

/** A layer for one blkid type that opens each device into what `inside` maps it to. */
function simpleLayer(name: string, type: string, inside: Record<string, BlockDevice[]>): StorageLayer {
  return {
    name,
    detect: (d) => d.probe.type === type,
    async activate(d, ctx) {
      log.push(`${name}:activate ${d.name}`);
      const found = inside[d.name] ?? [];
      if (found.length) ctx.cleanup.push(`${name} ${d.name}`, async () => void log.push(`${name}:release ${d.name}`));
      return found;
    },
  };
}

/**
 * A layer whose groups need several members (LVM PVs, RAID members): a group
 * activates once all its members are seen, or, incomplete, from finish().
 */
function groupLayer(name: string, type: string, groups: Record<string, { members: string[]; gives: BlockDevice[] }>): StorageLayer {
  const seen = new Map<string, Set<string>>();
  const done = new Set<string>();
  const groupOf = (d: BlockDevice) => Object.entries(groups).find(([, g]) => g.members.includes(d.name))?.[0];
  const activateGroup = (group: string, ctx: LayerContext, degraded: boolean) => {
    done.add(group);
    if (degraded) ctx.warn(`${name} ${group} degraded`);
    ctx.cleanup.push(`${name} ${group}`, async () => void log.push(`${name}:release ${group}`));
    return groups[group]!.gives;
  };
  return {
    name,
    detect: (d) => d.probe.type === type,
    async activate(d, ctx) {
      log.push(`${name}:activate ${d.name}`);
      const group = groupOf(d);
      if (!group) return [];
      const members = seen.get(group) ?? new Set();
      members.add(d.name);
      seen.set(group, members);
      return members.size === groups[group]!.members.length && !done.has(group) ? activateGroup(group, ctx, false) : [];
    },
    async finish(ctx) {
      log.push(`${name}:finish`);
      return [...seen.keys()].filter((g) => !done.has(g)).flatMap((g) => activateGroup(g, ctx, true));
    },
  };
}

const names = (devices: BlockDevice[]) => devices.map((d) => d.name);

let ctx: Awaited<ReturnType<typeof fakeContext>>;
afterEach(async () => {
  await ctx?.dispose();
  log = [];
});

describe('expandDevices: stacking orders', () => {
  it('LVM on LUKS on a partition: each layer opens what the one below made', async () => {
    ctx = await fakeContext(new RecordingRunner());
    const layers = [
      simpleLayer('part', 'dos', { '/dev/sda': [dev('/dev/sda1', 'ext4', 'partition'), dev('/dev/sda2', 'crypto_LUKS', 'partition')] }),
      simpleLayer('luks', 'crypto_LUKS', { '/dev/sda2': [dev('/dev/mapper/luks-1', 'LVM2_member', 'crypt')] }),
      groupLayer('lvm', 'LVM2_member', { vg: { members: ['/dev/mapper/luks-1'], gives: [dev('/dev/vg/root', 'xfs', 'lv'), dev('/dev/vg/swap', 'swap', 'lv')] } }),
    ];
    const found = await expandDevices([dev('/dev/sda', 'dos')], ctx, layers);
    expect(names(found)).toEqual(['/dev/sda', '/dev/sda1', '/dev/sda2', '/dev/mapper/luks-1', '/dev/vg/root', '/dev/vg/swap']);
    expect(ctx.cleanup.labels()).toEqual(['part /dev/sda', 'luks /dev/sda2', 'lvm vg']);
    expect(ctx.warnings).toEqual([]);
  });

  it('LUKS on LVM: an LV that is a LUKS container is opened too', async () => {
    ctx = await fakeContext(new RecordingRunner());
    const layers = [
      simpleLayer('luks', 'crypto_LUKS', { '/dev/vg/secret': [dev('/dev/mapper/luks-2', 'ext4', 'crypt')] }),
      groupLayer('lvm', 'LVM2_member', { vg: { members: ['/dev/sda'], gives: [dev('/dev/vg/root', 'ext4', 'lv'), dev('/dev/vg/secret', 'crypto_LUKS', 'lv')] } }),
    ];
    const found = await expandDevices([dev('/dev/sda', 'LVM2_member')], ctx, layers);
    expect(names(found)).toEqual(['/dev/sda', '/dev/vg/root', '/dev/vg/secret', '/dev/mapper/luks-2']);
    expect(ctx.cleanup.labels()).toEqual(['lvm vg', 'luks /dev/vg/secret']);
  });

  it('LVM on md: the VG waits for the array, the array for both members', async () => {
    ctx = await fakeContext(new RecordingRunner());
    const layers = [
      groupLayer('md', 'linux_raid_member', { root: { members: ['/dev/sda', '/dev/sdb'], gives: [dev('/dev/md/root', 'LVM2_member', 'md')] } }),
      groupLayer('lvm', 'LVM2_member', { vg: { members: ['/dev/md/root'], gives: [dev('/dev/vg/root', 'ext4', 'lv')] } }),
    ];
    const found = await expandDevices([dev('/dev/sda', 'linux_raid_member'), dev('/dev/sdb', 'linux_raid_member')], ctx, layers);
    expect(names(found)).toEqual(['/dev/sda', '/dev/sdb', '/dev/md/root', '/dev/vg/root']);
    expect(log).toEqual(['md:activate /dev/sda', 'md:activate /dev/sdb', 'lvm:activate /dev/md/root', 'md:finish', 'lvm:finish']);
    expect(ctx.warnings).toEqual([]);
  });

  it('works the same whatever order the layers are listed in', async () => {
    const run = async (reverse: boolean) => {
      ctx = await fakeContext(new RecordingRunner());
      const layers = [
        simpleLayer('luks', 'crypto_LUKS', { '/dev/sdb': [dev('/dev/mapper/luks-b', 'LVM2_member', 'crypt')] }),
        groupLayer('lvm', 'LVM2_member', { vg: { members: ['/dev/sda', '/dev/mapper/luks-b'], gives: [dev('/dev/vg/root', 'ext4', 'lv')] } }),
      ];
      const found = await expandDevices([dev('/dev/sda', 'LVM2_member'), dev('/dev/sdb', 'crypto_LUKS')], ctx, reverse ? layers.reverse() : layers);
      await ctx.dispose();
      return new Set(names(found));
    };
    const expected = new Set(['/dev/sda', '/dev/sdb', '/dev/mapper/luks-b', '/dev/vg/root']);
    expect(await run(false)).toEqual(expected);
    expect(await run(true)).toEqual(expected);
  });
});

describe('expandDevices: devices that appear late', () => {
  it('a VG whose second PV is inside LUKS is activated complete once LUKS has opened, not degraded', async () => {
    ctx = await fakeContext(new RecordingRunner());
    const layers = [
      simpleLayer('luks', 'crypto_LUKS', { '/dev/sdb': [dev('/dev/mapper/luks-b', 'LVM2_member', 'crypt')] }),
      groupLayer('lvm', 'LVM2_member', { vg: { members: ['/dev/sda', '/dev/mapper/luks-b'], gives: [dev('/dev/vg/root', 'ext4', 'lv')] } }),
    ];
    const found = await expandDevices([dev('/dev/sda', 'LVM2_member'), dev('/dev/sdb', 'crypto_LUKS')], ctx, layers);
    expect(names(found)).toEqual(['/dev/sda', '/dev/sdb', '/dev/mapper/luks-b', '/dev/vg/root']);
    expect(ctx.warnings).toEqual([]);
    expect(log.indexOf('lvm:activate /dev/mapper/luks-b')).toBeLessThan(log.indexOf('lvm:finish'));
  });

  it('an incomplete group is finished degraded, and what it gives is scanned by every layer in turn', async () => {
    ctx = await fakeContext(new RecordingRunner());
    const layers = [
      groupLayer('md', 'linux_raid_member', { root: { members: ['/dev/sda', '/dev/sdb'], gives: [dev('/dev/md/root', 'crypto_LUKS', 'md')] } }),
      simpleLayer('luks', 'crypto_LUKS', { '/dev/md/root': [dev('/dev/mapper/luks-md', 'LVM2_member', 'crypt')] }),
      groupLayer('lvm', 'LVM2_member', { vg: { members: ['/dev/mapper/luks-md'], gives: [dev('/dev/vg/root', 'ext4', 'lv')] } }),
    ];
    const found = await expandDevices([dev('/dev/sda', 'linux_raid_member')], ctx, layers);
    expect(names(found)).toEqual(['/dev/sda', '/dev/md/root', '/dev/mapper/luks-md', '/dev/vg/root']);
    expect(ctx.warnings).toEqual(['md root degraded']);
    expect(ctx.cleanup.labels()).toEqual(['md root', 'luks /dev/md/root', 'lvm vg']);
    // Two finish rounds: the first gives the array, the second finds nothing new.
    expect(log.filter((l) => l === 'md:finish')).toHaveLength(2);
  });

  it('a VG whose second PV is on a degraded array is activated whole: the array is scanned before LVM gives up waiting', async () => {
    ctx = await fakeContext(new RecordingRunner());
    const layers = [
      groupLayer('md', 'linux_raid_member', { data: { members: ['/dev/sdb', '/dev/sdc'], gives: [dev('/dev/md/data', 'LVM2_member', 'md')] } }),
      groupLayer('lvm', 'LVM2_member', { vg: { members: ['/dev/sda', '/dev/md/data'], gives: [dev('/dev/vg/root', 'ext4', 'lv')] } }),
    ];
    const found = await expandDevices([dev('/dev/sda', 'LVM2_member'), dev('/dev/sdb', 'linux_raid_member')], ctx, layers);
    expect(names(found)).toEqual(['/dev/sda', '/dev/sdb', '/dev/md/data', '/dev/vg/root']);
    expect(ctx.warnings).toEqual(['md data degraded']);
    expect(log).toContain('lvm:activate /dev/md/data');
    expect(log.indexOf('lvm:activate /dev/md/data')).toBeLessThan(log.indexOf('lvm:finish'));
  });

  it('a device no layer detects is listed and nothing is activated', async () => {
    ctx = await fakeContext(new RecordingRunner());
    const found = await expandDevices([dev('/dev/sda', 'ext4')], ctx, [simpleLayer('luks', 'crypto_LUKS', {})]);
    expect(names(found)).toEqual(['/dev/sda']);
    expect(log).toEqual([]);
    expect(ctx.cleanup.size).toBe(0);
  });
});

describe('expandDevices: a layer that fails', () => {
  it('rejects with the layer\'s typed error; what was activated before stays on the cleanup stack and is released newest first', async () => {
    ctx = await fakeContext(new RecordingRunner());
    const failure = new VmcraftError('EBADKEY', 'no key given for /dev/mapper/luks-1 opens it (1 tried)');
    const failing: StorageLayer = {
      name: 'lvm',
      detect: (d) => d.probe.type === 'LVM2_member',
      async activate(d) {
        log.push(`lvm:activate ${d.name}`);
        throw failure;
      },
    };
    const layers = [
      simpleLayer('part', 'gpt', { '/dev/sda': [dev('/dev/sda1', 'crypto_LUKS', 'partition'), dev('/dev/sda2', 'crypto_LUKS', 'partition')] }),
      simpleLayer('luks', 'crypto_LUKS', { '/dev/sda1': [dev('/dev/mapper/luks-1', 'LVM2_member', 'crypt')], '/dev/sda2': [dev('/dev/mapper/luks-2', 'ext4', 'crypt')] }),
      failing,
    ];
    const error = await expandDevices([dev('/dev/sda', 'gpt')], ctx, layers).catch((e: unknown) => e);
    expect(error).toBe(failure);
    expect(error).toMatchObject({ code: 'EBADKEY' });
    expect(ctx.cleanup.labels()).toEqual(['part /dev/sda', 'luks /dev/sda1', 'luks /dev/sda2']);
    // The loop stopped at the failure: nothing after it was activated or finished.
    expect(log).toEqual(['part:activate /dev/sda', 'luks:activate /dev/sda1', 'luks:activate /dev/sda2', 'lvm:activate /dev/mapper/luks-1']);
    await ctx.cleanup.releaseAll();
    expect(log.slice(4)).toEqual(['luks:release /dev/sda2', 'luks:release /dev/sda1', 'part:release /dev/sda']);
  });

  it('a failure in finish() also rejects, with what activated before still held', async () => {
    ctx = await fakeContext(new RecordingRunner());
    const failure = new VmcraftError('EUNSUPPORTED', "this host's kernel has no md (software RAID) driver, needed for the RAID array root (/dev/sdb)");
    const md: StorageLayer = {
      name: 'md',
      detect: (d) => d.probe.type === 'linux_raid_member',
      activate: async () => [],
      finish: async () => { throw failure; },
    };
    const layers = [simpleLayer('luks', 'crypto_LUKS', { '/dev/sda': [dev('/dev/mapper/luks-a', 'ext4', 'crypt')] }), md];
    await expect(expandDevices([dev('/dev/sda', 'crypto_LUKS'), dev('/dev/sdb', 'linux_raid_member')], ctx, layers)).rejects.toBe(failure);
    expect(ctx.cleanup.labels()).toEqual(['luks /dev/sda']);
  });
});
