/**
 * The LVM layer. Only this session's PVs are ever seen (a private LVM_SYSTEM_DIR
 * and a filter that accepts just them), nothing is written to the host's
 * /etc/lvm, and read-only sessions activate LVs read-only. A VG is activated
 * once all its PVs are found, or degraded (partial) when the scan ends.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { VmcraftError } from '../core/errors.js';
import type { RunOptions } from '../core/exec.js';
import { pushTeardown, type TeardownCommand } from '../core/teardown.js';
import { newDevice } from './device.js';
import { requireKernelFeature } from './kernel.js';
import type { BlockDevice, LayerContext, StorageLayer } from './types.js';

/** A logical volume as `lvs` reports it. */
export interface LvInfo { vg: string; lv: string; dmPath: string; size: number; attr: string }

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The `--config` that confines LVM to `devices` and keeps it away from udev and /etc/lvm. */
export function lvmConfig(devices: readonly string[], readonlyVgs: readonly string[] = []): string {
  const filter = `[${devices.map((d) => `"a|^${escapeRegex(d)}$|"`).join(', ')}${devices.length ? ', ' : ''}"r|.*|"]`;
  const ro = readonlyVgs.length ? ` read_only_volume_list=[${readonlyVgs.map((v) => `"${v}"`).join(', ')}]` : '';
  return [
    `devices { filter=${filter} global_filter=${filter} obtain_device_list_from_udev=0 use_devicesfile=0 scan_lvs=1 }`,
    `activation { udev_sync=0 udev_rules=0 monitoring=0${ro} }`,
    'backup { backup=0 archive=0 }',
    'global { use_lvmetad=0 event_activation=0 }',
  ].join(' ');
}

interface Report<K extends string> { report: { [key in K]?: Record<string, string>[] }[] }

/** Parses `lvm … --reportformat json` output into the rows of one report. */
export function parseLvmReport(json: string, key: 'pv' | 'vg' | 'lv'): Record<string, string>[] {
  return ((JSON.parse(json) as Report<typeof key>).report ?? []).flatMap((r) => r[key] ?? []);
}

/** dm name of an LV: dashes doubled (`my-vg`/`root` → `my--vg-root`). */
export function dmName(vg: string, lv: string): string {
  return `${vg.replace(/-/g, '--')}-${lv.replace(/-/g, '--')}`;
}

/** An active device-mapper device: its name and its dm UUID (`LVM-…` for LVs, `CRYPT-LUKS2-…` for LUKS mappings). */
export interface DmDevice { name: string; uuid: string }

/**
 * The VG whose LV (or LV layer) a dm device is, or undefined when LVM did not
 * make it (its dm UUID does not start with `LVM-`): the name up to the first
 * single dash, dashes undoubled (`my--vg-root` → `my-vg`, not `my`).
 */
export function vgOfDmDevice(dm: DmDevice): string | undefined {
  if (!dm.uuid.startsWith('LVM-')) return undefined;
  for (let i = 0; i < dm.name.length; i++) {
    if (dm.name[i] !== '-') continue;
    if (dm.name[i + 1] === '-') {
      i++;
      continue;
    }
    return dm.name.slice(0, i).replace(/--/g, '-');
  }
  return undefined;
}

/** The host's active dm devices, from sysfs (a node that a removal without udev left in /dev/mapper is not one). */
async function activeDmDevices(): Promise<DmDevice[]> {
  const blocks = (await readdir('/sys/block').catch(() => [] as string[])).filter((b) => b.startsWith('dm-'));
  const read = (block: string, file: string) => readFile(`/sys/block/${block}/dm/${file}`, 'utf8').then((s) => s.trim(), () => '');
  return Promise.all(blocks.map(async (b) => ({ name: await read(b, 'name'), uuid: await read(b, 'uuid') })));
}

/** An active dm device of the host that belongs to a VG named `vg` (LVM's own devices only), if any. */
export async function hostVgClash(vg: string): Promise<DmDevice | undefined> {
  return (await activeDmDevices()).find((d) => vgOfDmDevice(d) === vg);
}

/** The cleanup label of a VG's deactivation. */
export function vgTeardownLabel(vg: string): string {
  return `volume group ${vg}`;
}

export class LvmLayer implements StorageLayer {
  readonly name = 'lvm';
  readonly #pvs: BlockDevice[] = [];
  readonly #activated = new Set<string>();

  detect(device: BlockDevice): boolean {
    return device.probe.type === 'LVM2_member';
  }

  async activate(pv: BlockDevice, ctx: LayerContext): Promise<BlockDevice[]> {
    this.#pvs.push(pv);
    return this.#activateReady(ctx, false);
  }

  async finish(ctx: LayerContext): Promise<BlockDevice[]> {
    return this.#activateReady(ctx, true);
  }

  /** Makes `pv` one of the session's PVs, so the private configuration lets LVM see it (pvcreate, vgcreate). */
  adopt(pv: BlockDevice): void {
    if (!this.#pvs.includes(pv)) this.#pvs.push(pv);
  }

  /** Hides a device from LVM again (pvremove wiped it, or pvcreate failed on it). */
  disown(pv: BlockDevice): void {
    const index = this.#pvs.indexOf(pv);
    if (index >= 0) this.#pvs.splice(index, 1);
  }

  /** Runs an lvm command with the session's private configuration (see {@link lvmConfig}). */
  run(ctx: LayerContext, args: string[], options: RunOptions = {}) {
    return this.#lvm(ctx, args, [], options);
  }

  /**
   * The PVs as lvm reports them (`pv_name`, `vg_name`, `vg_uuid`); sets the
   * `vg` of the session's PV devices to match (vgs() lists VGs without LVs from it).
   */
  async readPvs(ctx: LayerContext): Promise<Record<string, string>[]> {
    const rows = parseLvmReport((await this.#lvm(ctx, ['pvs', '--reportformat', 'json', '-o', 'pv_name,vg_name,vg_uuid'])).stdout, 'pv');
    for (const pv of this.#pvs) {
      const vg = rows.find((r) => r.pv_name === pv.hostPath)?.vg_name;
      if (vg) pv.vg = vg;
      else delete pv.vg;
    }
    return rows;
  }

  /** The session PV device that holds a PV of `vg`: where its LVs count as living. */
  async pvOf(ctx: LayerContext, vg: string): Promise<BlockDevice> {
    const rows = await this.readPvs(ctx);
    const pv = this.#pvs.find((p) => rows.some((r) => r.vg_name === vg && r.pv_name === p.hostPath));
    if (!pv) throw new VmcraftError('ENOENT', `no volume group ${vg} in this session`);
    return pv;
  }

  /**
   * Registers a VG this session made active (vgcreate, vgrename): its
   * deactivation goes on the cleanup stack, as for a VG activated at launch.
   */
  async registerVg(ctx: LayerContext, vg: string): Promise<void> {
    const rows = parseLvmReport((await this.#lvm(ctx, ['vgs', '--reportformat', 'json', '-o', 'vg_name,vg_uuid', vg])).stdout, 'vg');
    for (const row of rows) this.#activated.add(row.vg_uuid!);
    await pushTeardown(ctx, vgTeardownLabel(vg), await this.#lvmCommand(ctx, ['vgchange', '-a', 'n', vg]));
  }

  /** The active LVs of `vg` as session devices (after making their /dev/VG/LV nodes), on `parent`. */
  async lvDevices(ctx: LayerContext, vg: string, parent: BlockDevice, readonlyVgs: string[] = []): Promise<BlockDevice[]> {
    await this.#lvm(ctx, ['vgmknodes', vg], readonlyVgs);
    const lvs = parseLvmReport((await this.#lvm(ctx, ['lvs', '--reportformat', 'json', '--units', 'b', '--nosuffix', '-o', 'vg_name,lv_name,lv_dm_path,lv_size,lv_attr', vg], readonlyVgs)).stdout, 'lv');
    return Promise.all(
      lvs.filter((l) => l.lv_attr?.[4] === 'a').map((l) => newDevice(`/dev/${l.vg_name}/${l.lv_name}`, l.lv_dm_path || `/dev/mapper/${dmName(l.vg_name!, l.lv_name!)}`, 'lv', parent, ctx)),
    );
  }

  /** An lvm command with the session's private configuration: only its PVs, the read-only VGs. */
  async #lvmCommand(ctx: LayerContext, args: string[], readonlyVgs: string[] = []): Promise<TeardownCommand & { env: Record<string, string> }> {
    const systemDir = path.join(ctx.workDir, 'lvm');
    await mkdir(systemDir, { recursive: true });
    // An empty private lvm.conf: the host's /etc/lvm/lvm.conf must not apply to guest volumes.
    await writeFile(path.join(systemDir, 'lvm.conf'), '', { flag: 'a' });
    const config = lvmConfig(this.#pvs.map((p) => p.hostPath), readonlyVgs);
    return { file: 'lvm', args: [...args, '--config', config], env: { LVM_SYSTEM_DIR: systemDir, LVM_SUPPRESS_FD_WARNINGS: '1' } };
  }

  async #lvm(ctx: LayerContext, args: string[], readonlyVgs: string[] = [], options: RunOptions = {}) {
    const command = await this.#lvmCommand(ctx, args, readonlyVgs);
    return ctx.runner.run(command.file, command.args, { ...options, env: { ...command.env, ...options.env } });
  }

  /** Activates every VG whose PVs are all present (or any VG, degraded, when `partial`). */
  async #activateReady(ctx: LayerContext, partial: boolean): Promise<BlockDevice[]> {
    if (this.#pvs.length === 0) return [];
    const pvRows = await this.readPvs(ctx);
    const vgRows = parseLvmReport((await this.#lvm(ctx, ['vgs', '--reportformat', 'json', '-o', 'vg_name,vg_uuid,pv_count'], [], { okExitCodes: [0, 5] })).stdout, 'vg');
    const created: BlockDevice[] = [];
    for (const vg of vgRows) {
      if (this.#activated.has(vg.vg_uuid!)) continue;
      // pvs also lists a VG's missing PVs (as "[unknown]"): count only the ones this session has.
      const ours = new Set(this.#pvs.map((p) => p.hostPath));
      const present = pvRows.filter((p) => p.vg_uuid === vg.vg_uuid && ours.has(p.pv_name!)).length;
      const complete = present >= Number(vg.pv_count);
      if (!complete && !partial) continue;
      if (!complete) ctx.warn(`volume group ${vg.vg_name} is missing ${Number(vg.pv_count) - present} of its ${vg.pv_count} PVs: activating what is there`);
      this.#activated.add(vg.vg_uuid!);
      // Its LVs live on the drive of one of its own PVs, not on whichever PV the session found first.
      const parent = this.#pvs.find((p) => pvRows.some((r) => r.vg_uuid === vg.vg_uuid && r.pv_name === p.hostPath))!;
      created.push(...(await this.#activateVg(vg.vg_name!, complete, parent, ctx)));
    }
    return created;
  }

  async #activateVg(vg: string, complete: boolean, parent: BlockDevice, ctx: LayerContext): Promise<BlockDevice[]> {
    // Only LVM's own dm devices, by the VG part of their name: not a LUKS mapping luks-<UUID> (a VG named
    // luks on LUKS), nor the LVs of a VG "<name>-vg" (dm name <name>--vg-root) for a VG named <name>.
    const clash = await hostVgClash(vg);
    if (clash) {
      throw new VmcraftError('EATTACH', `a volume group named ${vg} is already active on this host (/dev/mapper/${clash.name}); vmcraft will not rename the guest's VG, since that writes to the image`);
    }
    requireKernelFeature(ctx, 'deviceMapper', `the LVM volume group ${vg}`);
    const ro = ctx.readonly ? [vg] : [];
    await this.#lvm(ctx, ['vgchange', '-a', 'y', ...(complete ? [] : ['--activationmode', 'partial']), vg], ro);
    await pushTeardown(ctx, vgTeardownLabel(vg), await this.#lvmCommand(ctx, ['vgchange', '-a', 'n', vg], ro));
    return this.lvDevices(ctx, vg, parent, ro);
  }
}
