/**
 * FIX: makes the guest boot on KVM. The changes go into a qcow2 overlay per
 * disk in the work directory, backed by the disk as FLATTEN left it, so the
 * sources are never opened for writing; CONVERT then writes the overlay and
 * its backing as one standalone image. Linux guests get the fixers (plan,
 * backups, apply); Windows guests get the VirtIO drivers when a virtio-win
 * tree is configured.
 */
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { qemuDriver } from '../../attach/detect.js';
import { imageInfo } from '../../convert/info.js';
import type { GuestFS } from '../../guestfs.js';
import type { OsInfo } from '../../inspect/types.js';
import type { Stage, StageContext } from '../stage.js';
import { stampFile } from '../state.js';
import type { DiskRef } from '../types.js';
import { guestRoot, openableBeforeRun, withDisks, type OpenableDisk } from './session.js';

/** Plans (dry run) or applies the fixes on a mounted guest. */
async function fixGuest(ctx: StageContext, g: GuestFS, os: OsInfo, apply: boolean): Promise<unknown> {
  const fix = ctx.plan.fix;
  await g.mountRoot(os.root);
  const guest = { root: os.root, type: os.type, distro: os.distro, productName: os.productName };
  if (os.type === 'windows') {
    if (!fix.virtioWin) {
      ctx.note('a Windows guest and no virtioWin tree configured: no VirtIO drivers injected (it may not find its disk on KVM)');
      return { guest };
    }
    return { guest, virtio: await g.injectVirtioDrivers(fix.virtioWin, { drivers: fix.virtioDrivers, dryRun: !apply }) };
  }
  if (os.type !== 'linux') {
    ctx.note(`no fixers for ${os.type} guests`);
    return { guest };
  }
  const plans = await g.fixPlan(fix.fixers, { renameInterfaces: fix.renameInterfaces, regenerateGrub: fix.regenerateGrub });
  return apply ? { guest, plans, reports: await g.fixApply(plans) } : { guest, plans };
}

export const fixStage: Stage = {
  name: 'fix',
  options: (plan) => plan.fix,
  async plan(ctx) {
    if (!openableBeforeRun(ctx.disks)) {
      ctx.note('the fixes can be planned only once FETCH/FLATTEN have run (an OVA to unpack or a VHD chain to merge)');
      return { result: undefined };
    }
    return { result: await withDisks(ctx, ctx.disks, true, async (g) => fixGuest(ctx, g, await guestRoot(ctx, g), false)) };
  },
  async run(ctx) {
    const overlays = ctx.disks.map((_, i) => path.join(ctx.workDir, `disk${i}-fixed.qcow2`));
    const partials: OpenableDisk[] = overlays.map((o, i) => ({ path: `${o}.partial`, format: 'qcow2', files: [{ path: `${o}.partial` }, ...ctx.disks[i]!.files] }));
    let result: unknown;
    try {
      for (const [i, disk] of ctx.disks.entries()) {
        // -u: qemu-img does not open the disk's chain by the names in its headers; the size comes from the verified chain.
        const { virtualSize } = await imageInfo(disk.path, { format: disk.format, chain: disk.files, runner: ctx.runner });
        await ctx.runner.run('qemu-img', ['create', '-q', '-f', 'qcow2', '-u', '-F', qemuDriver(disk.format), '-b', path.resolve(disk.path), partials[i]!.path, String(virtualSize)], { signal: ctx.signal });
      }
      result = await withDisks(ctx, partials, false, async (g) => fixGuest(ctx, g, await guestRoot(ctx, g), true));
    } catch (err) {
      await Promise.all(partials.map((p) => rm(p.path, { force: true })));
      throw err;
    }
    const disks: DiskRef[] = [];
    for (const [i, disk] of ctx.disks.entries()) {
      // The overlay names its backing file, not itself: renaming it keeps it whole.
      await rename(partials[i]!.path, overlays[i]!);
      disks.push({ path: overlays[i]!, format: 'qcow2', files: [await stampFile(overlays[i]!), ...disk.files] });
    }
    return { result, disks };
  },
};
