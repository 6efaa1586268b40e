/**
 * The LVM calls that change volumes: create, resize, rename and remove PVs,
 * VGs and LVs, with libguestfs' semantics. Every lvm command runs with the
 * session's private configuration (only its own devices, never the host's
 * /etc/lvm or VGs); the session's device list follows what changed, and the
 * VGs made here are deactivated on close like those found at launch.
 */
import { VmcraftError } from '../../core/errors.js';
import { probeDevice } from '../../storage/blkid.js';
import { requireKernelFeature } from '../../storage/kernel.js';
import { hostVgClash, LvmLayer, vgTeardownLabel } from '../../storage/lvm.js';
import type { BlockDevice, LayerContext } from '../../storage/types.js';
import { a } from '../args.js';
import { defineCall, type Guest } from '../entry.js';

const v = '0.2.0';

/** What LVM accepts in a VG or LV name; a leading dash would read as an option. */
const LVM_NAME = /^[A-Za-z0-9+_.][A-Za-z0-9+_.-]{0,126}$/;

function checkName(what: string, name: string): string {
  if (!LVM_NAME.test(name) || name === '.' || name === '..') {
    throw new VmcraftError('EINVAL', `${JSON.stringify(name)} is not a valid ${what} name (letters, digits and + _ . -, not starting with -)`);
  }
  return name;
}

/** The session's LVM layer and layer context, once the kernel is known to have device-mapper. */
function lvmOf(g: Guest, what: string): { layer: LvmLayer; ctx: LayerContext } {
  g.assertLaunched();
  const ctx = g.layerContext();
  requireKernelFeature(ctx, 'deviceMapper', what);
  const layer = g.layers.find((l): l is LvmLayer => l instanceof LvmLayer);
  if (!layer) throw new VmcraftError('EUNSUPPORTED', 'this session has no LVM layer');
  return { layer, ctx };
}

/** `/dev/VG/LV` of a session LV → its VG and LV names. */
function lvNames(g: Guest, device: string): { vg: string; lv: string } {
  const d = g.device(device);
  if (d.kind !== 'lv') throw new VmcraftError('EINVAL', `${device} is not a logical volume`);
  const [, , vg, lv] = d.name.split('/');
  return { vg: vg!, lv: lv! };
}

function checkPercent(percent: number): void {
  if (percent < 0 || percent > 100) throw new VmcraftError('EINVAL', `percent must be from 0 to 100, got ${percent}`);
}

function checkMbytes(mbytes: number): void {
  if (mbytes <= 0) throw new VmcraftError('EINVAL', `mbytes must be positive, got ${mbytes}`);
}

function dropDevices(g: Guest, gone: (d: BlockDevice) => boolean): void {
  g.devices = g.devices.filter((d) => !gone(d));
}

const inVg = (vg: string) => (d: BlockDevice) => d.kind === 'lv' && d.name.startsWith(`/dev/${vg}/`);

/** Refuses a VG name that an active VG of the host has: its dm names would clash (as at launch). */
async function refuseHostVg(vg: string): Promise<void> {
  const clash = await hostVgClash(vg);
  if (clash) throw new VmcraftError('EEXIST', `a volume group named ${vg} is already active on this host (/dev/mapper/${clash.name}): choose another name`);
}

/** Drops the deactivation of a VG that is gone or renamed from the cleanup stack. */
function forgetVgTeardown(g: Guest, vg: string): void {
  const entry = g.cleanup.find(vgTeardownLabel(vg));
  if (entry) g.cleanup.forget(entry);
}

/** Creates an LV (`sizeArgs`: `-L 100m` or `-l 50%FREE`) and adds it to the session's devices. */
async function createLv(g: Guest, lv: string, vg: string, sizeArgs: string[]): Promise<void> {
  checkName('logical volume', lv);
  checkName('volume group', vg);
  const { layer, ctx } = lvmOf(g, `the logical volume ${vg}/${lv}`);
  const parent = await layer.pvOf(ctx, vg);
  await layer.run(ctx, ['lvcreate', '--yes', ...sizeArgs, '-n', lv, vg]);
  const made = (await layer.lvDevices(ctx, vg, parent)).filter((d) => d.name === `/dev/${vg}/${lv}`);
  g.devices.push(...made);
}

/** Re-reads which LVs `vg` has (after a rename), replacing its devices in the session's list. */
async function refreshVg(g: Guest, layer: LvmLayer, ctx: LayerContext, vg: string, oldVg = vg): Promise<void> {
  const parent = await layer.pvOf(ctx, vg);
  const lvs = await layer.lvDevices(ctx, vg, parent);
  dropDevices(g, inVg(oldVg));
  g.devices.push(...lvs);
}

async function pvcreate(g: Guest, name: string): Promise<void> {
  const { layer, ctx } = lvmOf(g, `pvcreate on ${name}`);
  const d = g.device(name);
  layer.adopt(d);
  try {
    await layer.run(ctx, ['pvcreate', '--force', '--yes', d.hostPath]);
  } catch (err) {
    if (d.probe.type !== 'LVM2_member') layer.disown(d);
    throw err;
  }
  d.probe = await probeDevice(d.hostPath, ctx.runner);
}

async function vgcreate(g: Guest, vg: string, pvNames: string[]): Promise<void> {
  checkName('volume group', vg);
  if (pvNames.length === 0) throw new VmcraftError('EINVAL', 'vgcreate needs at least one physical volume');
  const pvs = pvNames.map((n) => g.device(n));
  const { layer, ctx } = lvmOf(g, `the volume group ${vg}`);
  await refuseHostVg(vg);
  for (const pv of pvs) layer.adopt(pv);
  await layer.run(ctx, ['vgcreate', vg, ...pvs.map((p) => p.hostPath)]);
  await layer.registerVg(ctx, vg);
  await layer.readPvs(ctx);
  for (const pv of pvs) pv.probe = await probeDevice(pv.hostPath, ctx.runner);
}

async function lvremove(g: Guest, device: string): Promise<void> {
  // libguestfs: /dev/VG removes every LV of the VG.
  const vgOnly = /^\/dev\/([^/]+)$/.exec(device)?.[1];
  if (vgOnly !== undefined) {
    checkName('volume group', vgOnly);
    const { layer, ctx } = lvmOf(g, `lvremove of ${device}`);
    await layer.pvOf(ctx, vgOnly);
    await layer.run(ctx, ['lvremove', '--force', vgOnly]);
    dropDevices(g, inVg(vgOnly));
    return;
  }
  const { vg, lv } = lvNames(g, device);
  const { layer, ctx } = lvmOf(g, `lvremove of ${device}`);
  await layer.run(ctx, ['lvremove', '--force', `${vg}/${lv}`]);
  dropDevices(g, (d) => d.name === device);
}

async function vgremove(g: Guest, vg: string): Promise<void> {
  checkName('volume group', vg);
  const { layer, ctx } = lvmOf(g, `vgremove of ${vg}`);
  await layer.pvOf(ctx, vg);
  await layer.run(ctx, ['vgremove', '--force', vg]);
  await layer.readPvs(ctx);
  dropDevices(g, inVg(vg));
  forgetVgTeardown(g, vg);
}

async function pvremove(g: Guest, name: string): Promise<void> {
  const d = g.device(name);
  if (d.probe.type !== 'LVM2_member') throw new VmcraftError('EINVAL', `${name} is not an LVM physical volume`);
  const { layer, ctx } = lvmOf(g, `pvremove on ${name}`);
  // Without --force: lvm refuses a PV that a VG still uses, as libguestfs' pvremove does.
  await layer.run(ctx, ['pvremove', '--yes', d.hostPath]);
  layer.disown(d);
  delete d.vg;
  d.probe = await probeDevice(d.hostPath, ctx.runner);
}

async function lvrename(g: Guest, oldDevice: string, newDevice: string): Promise<void> {
  const { vg, lv } = lvNames(g, oldDevice);
  const target = /^\/dev\/([^/]+)\/([^/]+)$/.exec(newDevice);
  if (!target || target[1] !== vg) throw new VmcraftError('EINVAL', `the new name ${newDevice} must be /dev/${vg}/NAME: an LV stays in its volume group`);
  checkName('logical volume', target[2]!);
  const { layer, ctx } = lvmOf(g, `lvrename of ${oldDevice}`);
  await layer.run(ctx, ['lvrename', vg, lv, target[2]!]);
  await refreshVg(g, layer, ctx, vg);
}

async function vgrename(g: Guest, oldVg: string, newVg: string): Promise<void> {
  checkName('volume group', oldVg);
  checkName('volume group', newVg);
  const { layer, ctx } = lvmOf(g, `vgrename of ${oldVg}`);
  await layer.pvOf(ctx, oldVg);
  await refuseHostVg(newVg);
  await layer.run(ctx, ['vgrename', oldVg, newVg]);
  // Its deactivation on close now names the new VG.
  forgetVgTeardown(g, oldVg);
  await layer.registerVg(ctx, newVg);
  await refreshVg(g, layer, ctx, newVg, oldVg);
}

const device = a.device('device');
const lvDevice = a.device('lvdevice', { doc: 'the LV, `/dev/VG/LV`' });
const vgName = a.string('volgroup', { doc: 'volume group name' });
const lvName = a.string('logvol', { doc: 'logical volume name (not a path)' });
const mbytes = a.int('mbytes', { doc: 'size in MiB' });
const percent = a.int('percent', { doc: 'percentage of the free space, from 0 to 100' });
const lvm = 'LVM runs with the session\'s private configuration: only its devices, never the host\'s /etc/lvm or volume groups. Needs device-mapper (`EUNSUPPORTED` on a host without: VM mode has it).';

/** The calls of this module, in table order. */
export const LVM_CALLS = [
  defineCall({
    name: 'pvcreate', libguestfs: 'pvcreate', group: 'lvm2', since: v, writes: true,
    summary: 'create an lvm physical volume',
    doc: `Makes \`device\` (a partition or a whole device) an LVM PV, wiping what signatures it had. ${lvm}`,
    args: [device], returns: 'void', ts: 'Promise<void>',
    impl: (g, name) => pvcreate(g, name),
  }),
  defineCall({
    name: 'vgcreate', libguestfs: 'vgcreate', group: 'lvm2', since: v, writes: true,
    summary: 'create an lvm volume group',
    doc: `From the PVs \`physvols\` (\`['/dev/sda1']\`). A name that an active volume group of this host has is refused (\`EEXIST\`). ${lvm}`,
    args: [vgName, a.stringList('physvols', { doc: 'the PVs, session device names' })], returns: 'void', ts: 'Promise<void>',
    impl: (g, vg, pvs) => vgcreate(g, vg, pvs),
  }),
  defineCall({
    name: 'lvcreate', libguestfs: 'lvcreate', group: 'lvm2', since: v, writes: true,
    summary: 'create an lvm logical volume',
    doc: `\`logvol\` of \`mbytes\` MiB in \`volgroup\`; \`/dev/VG/LV\` is a session device from now on. ${lvm}`,
    args: [lvName, vgName, mbytes], returns: 'void', ts: 'Promise<void>',
    impl: async (g, lv, vg, size) => {
      checkMbytes(size);
      await createLv(g, lv, vg, ['-L', `${size}m`]);
    },
  }),
  defineCall({
    name: 'lvcreateFree', libguestfs: 'lvcreate_free', group: 'lvm2', since: v, writes: true,
    summary: 'create an lvm logical volume in % remaining free space',
    doc: `\`logvol\` using \`percent\` % of the free space of \`volgroup\`. ${lvm}`,
    args: [lvName, vgName, percent], returns: 'void', ts: 'Promise<void>',
    impl: async (g, lv, vg, pct) => {
      checkPercent(pct);
      await createLv(g, lv, vg, ['-l', `${pct}%FREE`]);
    },
  }),
  defineCall({
    name: 'lvresize', libguestfs: 'lvresize', group: 'lvm2', since: v, writes: true,
    summary: 'resize an lvm logical volume',
    doc: `To \`mbytes\` MiB. Shrinking cuts off the end of the LV: shrink its filesystem first. ${lvm}`,
    args: [lvDevice, mbytes], returns: 'void', ts: 'Promise<void>',
    impl: async (g, name, size) => {
      checkMbytes(size);
      const { vg, lv } = lvNames(g, name);
      const { layer, ctx } = lvmOf(g, `lvresize of ${name}`);
      await layer.run(ctx, ['lvresize', '--force', '-L', `${size}m`, `${vg}/${lv}`]);
    },
  }),
  defineCall({
    name: 'lvresizeFree', libguestfs: 'lvresize_free', group: 'lvm2', since: v, writes: true,
    summary: 'expand an lv to fill free space',
    doc: `Grows the LV by \`percent\` % of the free space of its volume group. ${lvm}`,
    args: [lvDevice, percent], returns: 'void', ts: 'Promise<void>',
    impl: async (g, name, pct) => {
      checkPercent(pct);
      const { vg, lv } = lvNames(g, name);
      const { layer, ctx } = lvmOf(g, `lvresize of ${name}`);
      await layer.run(ctx, ['lvresize', '-l', `+${pct}%FREE`, `${vg}/${lv}`]);
    },
  }),
  defineCall({
    name: 'lvremove', libguestfs: 'lvremove', group: 'lvm2', since: v, writes: true,
    summary: 'remove an lvm logical volume',
    doc: `\`/dev/VG/LV\`; \`/dev/VG\` removes every LV of the volume group. ${lvm}`,
    args: [a.string('device', { doc: '`/dev/VG/LV`, or `/dev/VG`' })], returns: 'void', ts: 'Promise<void>',
    impl: (g, name) => lvremove(g, name),
  }),
  defineCall({
    name: 'vgremove', libguestfs: 'vgremove', group: 'lvm2', since: v, writes: true,
    summary: 'remove an lvm volume group',
    doc: `With every LV in it; its PVs stay PVs. ${lvm}`,
    args: [a.string('vgname', { doc: 'volume group name' })], returns: 'void', ts: 'Promise<void>',
    impl: (g, vg) => vgremove(g, vg),
  }),
  defineCall({
    name: 'pvremove', libguestfs: 'pvremove', group: 'lvm2', since: v, writes: true,
    summary: 'remove an lvm physical volume',
    doc: `Wipes the PV label so LVM no longer sees \`device\`. Refused (\`ECOMMAND\`) while a volume group uses it: remove that first. ${lvm}`,
    args: [device], returns: 'void', ts: 'Promise<void>',
    impl: (g, name) => pvremove(g, name),
  }),
  defineCall({
    name: 'lvrename', libguestfs: 'lvrename', group: 'lvm2', since: v, writes: true,
    summary: 'rename an lvm logical volume',
    doc: `\`/dev/VG/OLD\` → \`/dev/VG/NEW\` (same volume group); the session's device takes the new name. ${lvm}`,
    args: [a.device('logvol', { doc: 'the LV, `/dev/VG/LV`' }), a.string('newlogvol', { doc: 'its new path, `/dev/VG/NEW`' })], returns: 'void', ts: 'Promise<void>',
    impl: (g, from, to) => lvrename(g, from, to),
  }),
  defineCall({
    name: 'vgrename', libguestfs: 'vgrename', group: 'lvm2', since: v, writes: true,
    summary: 'rename an lvm volume group',
    doc: `Its LVs become \`/dev/NEW/…\`. A name that an active volume group of this host has is refused (\`EEXIST\`). ${lvm}`,
    args: [vgName, a.string('newvolgroup', { doc: 'the new name' })], returns: 'void', ts: 'Promise<void>',
    impl: (g, from, to) => vgrename(g, from, to),
  }),
];
