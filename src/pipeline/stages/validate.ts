/**
 * VALIDATE: the outputs checked before anyone boots them: `qemu-img check`,
 * re-opened and re-inspected (the same OS as INSPECT found, every fstab
 * filesystem resolvable, for Windows the injected driver services present),
 * and optionally booted under QEMU. Read-only: the outputs stay as they are.
 */
import { VmcraftError, isVmcraftError } from '../../core/errors.js';
import { qemuDriver } from '../../attach/detect.js';
import type { GuestFS } from '../../guestfs.js';
import type { OsInfo } from '../../inspect/types.js';
import type { InjectReport } from '../../api/types.js';
import { bootCheck } from '../boot.js';
import type { Stage, StageContext } from '../stage.js';
import type { InspectResult } from './inspect.js';
import { guestRoot, withDisks } from './session.js';

/** Facts that must not change between INSPECT and the output. */
const SAME_FACTS = ['type', 'distro', 'productName', 'majorVersion', 'minorVersion', 'arch', 'hostname', 'osinfo'] as const;

/** fstab types that name no block device. */
const VIRTUAL_FS = new Set(['tmpfs', 'proc', 'sysfs', 'devpts', 'devtmpfs', 'cgroup', 'cgroup2', 'nfs', 'nfs4', 'cifs', 'smbfs', 'fuse', 'none', 'bind', 'overlay', 'iso9660', 'udf', 'auto']);

/** `qemu-img check` of each output; formats without checks are noted. */
async function checkImages(ctx: StageContext): Promise<{ path: string; ok: boolean | 'unsupported' }[]> {
  const out: { path: string; ok: boolean | 'unsupported' }[] = [];
  for (const disk of ctx.disks) {
    try {
      await ctx.runner.run('qemu-img', ['check', '-q', '-f', qemuDriver(disk.format), disk.path], { signal: ctx.signal, timeoutMs: 3600_000 });
      out.push({ path: disk.path, ok: true });
    } catch (err) {
      // Exit code 63: the format has no consistency checks (raw, vpc).
      if (isVmcraftError(err) && err.command?.exitCode === 63) out.push({ path: disk.path, ok: 'unsupported' });
      else throw new VmcraftError('EVALIDATE', `qemu-img check found problems in ${disk.path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err, path: disk.path });
    }
  }
  return out;
}

/** Differences from what INSPECT found, fstab entries that resolve to nothing, services missing. */
async function reinspect(ctx: StageContext, g: GuestFS, os: OsInfo): Promise<{ problems: string[]; fstab: { spec: string; file: string; device?: string }[]; services: string[] }> {
  const problems: string[] = [];
  const before = (ctx.results.inspect as InspectResult | undefined)?.os;
  if (before) {
    for (const key of SAME_FACTS) if (before[key] !== os[key]) problems.push(`${key} was ${JSON.stringify(before[key])} before the migration and is ${JSON.stringify(os[key])} in the output`);
  }
  const resolved = g.inspectFstabDevices(os.root);
  const fstab = resolved.map(({ entry, device }) => ({ spec: entry.spec, file: entry.file, ...(device ? { device } : {}) }));
  for (const [i, { entry, device }] of resolved.entries()) {
    const needed = !VIRTUAL_FS.has(entry.vfstype) && !entry.options.includes('noauto') && !entry.options.includes('nofail');
    if (needed && !device) problems.push(`fstab line ${i + 1} (${entry.spec} ${entry.file}) names no disk of the output`);
  }
  const services: string[] = [];
  const virtio = (ctx.results.fix as { virtio?: InjectReport } | undefined)?.virtio;
  if (os.type === 'windows' && virtio?.applied) {
    const hive = `${os.windows!.systemroot}/System32/config/SYSTEM`;
    for (const cs of virtio.plan.controlSets) {
      for (const d of virtio.plan.drivers) {
        const key = `\\${cs}\\Services\\${d.inf.service?.name ?? d.driver}`;
        if (await g.registryKeys(hive, key).then(() => true, () => false)) services.push(key);
        else problems.push(`the injected service ${key} is missing from the output's SYSTEM hive`);
      }
    }
  }
  return { problems, fstab, services };
}

export const validateStage: Stage = {
  name: 'validate',
  options: (plan) => plan.validate,
  async run(ctx) {
    const { check, inspect, boot } = ctx.plan.validate;
    const result: Record<string, unknown> = {};
    if (check) result.check = await checkImages(ctx);
    if (inspect || boot) {
      await withDisks(ctx, ctx.disks, true, async (g) => {
        const os = await guestRoot(ctx, g);
        await g.mountRoot(os.root);
        if (inspect) {
          const found = await reinspect(ctx, g, os);
          result.inspect = { root: os.root, fstab: found.fstab, services: found.services };
          if (found.problems.length) throw new VmcraftError('EVALIDATE', `${ctx.plan.name}: the output does not look like the input:\n${found.problems.join('\n')}`);
        }
        if (boot) result.boot = await bootCheck(ctx, g, os, ctx.disks, boot);
      });
    }
    return { result };
  },
};
