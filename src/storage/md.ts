/**
 * The md (software RAID) layer: members found on this session's devices are
 * assembled with no config file (never the host's /etc/mdadm), once all are
 * present, or degraded with a warning when the scan ends; stopped on shutdown.
 */
import { readdir } from 'node:fs/promises';
import type { Runner } from '../core/exec.js';
import { pushTeardown } from '../core/teardown.js';
import { newDevice } from './device.js';
import { requireKernelFeature } from './kernel.js';
import type { BlockDevice, LayerContext, StorageLayer } from './types.js';

/** What `mdadm --examine --export` says of a member. */
export interface MdMember { uuid: string; devices: number; name?: string; level?: string }

/**
 * Parses `mdadm --examine --export` (KEY=VALUE lines), e.g.
 * `MD_LEVEL=raid1\\nMD_DEVICES=2\\nMD_NAME=host:root\\nMD_UUID=8e0b…`.
 */
export function parseMdExamine(text: string): MdMember | undefined {
  const v = Object.fromEntries(text.split('\n').map((l) => l.split('=')).filter((p) => p.length >= 2).map(([k, ...r]) => [k!.trim(), r.join('=').trim()]));
  if (!v.MD_UUID) return undefined;
  return { uuid: v.MD_UUID, devices: Number(v.MD_DEVICES ?? 0), ...(v.MD_NAME ? { name: v.MD_NAME } : {}), ...(v.MD_LEVEL ? { level: v.MD_LEVEL } : {}) };
}

async function freeMdDevice(): Promise<string> {
  const used = new Set(await readdir('/sys/block').catch(() => [] as string[]));
  for (let n = 100; n < 1000; n++) if (!used.has(`md${n}`)) return `/dev/md${n}`;
  throw new Error('no free md device number');
}

async function examine(member: BlockDevice, runner: Runner): Promise<MdMember | undefined> {
  const { stdout } = await runner.run('mdadm', ['--examine', '--export', member.hostPath], { okExitCodes: [0, 1] });
  return parseMdExamine(stdout);
}

export class MdLayer implements StorageLayer {
  readonly name = 'md';
  readonly #members = new Map<string, { info: MdMember; devices: BlockDevice[] }>();
  readonly #assembled = new Set<string>();

  detect(device: BlockDevice): boolean {
    return device.probe.type === 'linux_raid_member';
  }

  async activate(member: BlockDevice, ctx: LayerContext): Promise<BlockDevice[]> {
    const info = await examine(member, ctx.runner);
    if (!info) return [];
    // A member found once its array runs (a spare, a late disk after a degraded assembly) cannot join it
    // read-only and must not start a second assembly of the same members.
    if (this.#assembled.has(info.uuid)) {
      ctx.warn(`${member.name} belongs to RAID array ${info.name ?? info.uuid}, assembled already without it: left out`);
      return [];
    }
    const group = this.#members.get(info.uuid) ?? { info, devices: [] };
    group.devices.push(member);
    this.#members.set(info.uuid, group);
    return group.devices.length >= info.devices ? [await this.#assemble(info.uuid, ctx, false)] : [];
  }

  async finish(ctx: LayerContext): Promise<BlockDevice[]> {
    const pending = [...this.#members.keys()].filter((uuid) => !this.#assembled.has(uuid));
    const made: BlockDevice[] = [];
    for (const uuid of pending) made.push(await this.#assemble(uuid, ctx, true));
    return made;
  }

  async #assemble(uuid: string, ctx: LayerContext, degraded: boolean): Promise<BlockDevice> {
    const group = this.#members.get(uuid)!;
    this.#assembled.add(uuid);
    requireKernelFeature(ctx, 'md', `the RAID array ${group.info.name ?? uuid} (${group.devices.map((d) => d.name).join(', ')})`);
    if (degraded) ctx.warn(`RAID array ${group.info.name ?? uuid} has ${group.devices.length} of its ${group.info.devices} members: assembling it degraded`);
    const md = await freeMdDevice();
    await ctx.runner.run('mdadm', ['--assemble', md, '--config=none', '--run', ...(ctx.readonly ? ['--readonly'] : []), ...group.devices.map((d) => d.hostPath)]);
    await pushTeardown(ctx, `RAID array ${md}`, { file: 'mdadm', args: ['--stop', md] });
    const shortName = group.info.name?.split(':').pop() || uuid.slice(0, 8);
    return newDevice(`/dev/md/${shortName}`, md, 'md', group.devices[0]!, ctx);
  }
}
