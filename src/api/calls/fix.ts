/**
 * The Linux fixers (make a guest from VMware, Hyper-V or a cloud boot on
 * KVM): plan first (nothing written), then apply (backups first), and a
 * report. Running a fixer twice changes nothing the second time.
 */
import { VmcraftError } from '../../core/errors.js';
import { lazy } from '../../core/lazy.js';
import type { FixContext } from '../../fix/context.js';
import { LINUX_FIXERS } from '../../fix/linux/plans.js';
import { isEmptyPlan, type FixPlan, type FixReport } from '../../fix/types.js';
import { resolveFstabSpec } from '../../inspect/fstab-devices.js';
import { a } from '../args.js';
import { defineCall, type Guest } from '../entry.js';
import type { FixOptions } from '../types.js';

const v = '0.1.0';

// Loaded by the first fixApply: planning needs no writer.
const apply = lazy(() => import('../../fix/apply.js'));

const fixerNames = (): string[] => Object.keys(LINUX_FIXERS);

/** `UUID=…` (else `PARTUUID=…`) of the session device an fstab spec names. */
function stableName(g: Guest, spec: string): string | undefined {
  const device = resolveFstabSpec(spec, g.devices);
  if (device?.probe.uuid) return `UUID=${device.probe.uuid}`;
  if (device?.probe.partEntry?.uuid) return `PARTUUID=${device.probe.partEntry.uuid}`;
  return undefined;
}

async function fixPlan(g: Guest, names: string[] = fixerNames(), options: FixOptions = {}): Promise<FixPlan[]> {
  const unknown = names.filter((n) => !(n in LINUX_FIXERS));
  if (unknown.length) throw new VmcraftError('EINVAL', `unknown fixer(s) ${unknown.join(', ')} (known: ${fixerNames().join(', ')})`);
  const ctx: FixContext = { target: g, stableName: (spec) => stableName(g, spec) };
  const plans: FixPlan[] = [];
  for (const name of names) plans.push(await LINUX_FIXERS[name]!(ctx, options));
  return plans;
}

/** A plan's shape (plans may come from JSON, in the shell or the pipeline); EINVAL naming the first bad one. */
function checkPlans(plans: FixPlan[]): void {
  if (!Array.isArray(plans)) throw new VmcraftError('EINVAL', 'fixApply: expected plans to be a list of plans from fixPlan()');
  plans.forEach((p, i) => {
    const ok = typeof p === 'object' && p !== null && typeof p.fixer === 'string' && Array.isArray(p.changes) && Array.isArray(p.commands) && Array.isArray(p.notes)
      && p.changes.every((c) => typeof c === 'object' && c !== null && typeof c.path === 'string' && Array.isArray(c.reasons)
        && [c.before, c.after].every((t) => t === undefined || typeof t === 'string'))
      && p.commands.every((argv) => Array.isArray(argv) && argv.every((w) => typeof w === 'string'));
    if (!ok) throw new VmcraftError('EINVAL', `fixApply: plans[${i}] is not a plan from fixPlan() ({ fixer, changes, commands, notes })`);
  });
}

async function fixApply(g: Guest, plans: FixPlan[]): Promise<FixReport[]> {
  checkPlans(plans);
  if (g.mountTable.isReadonlyPath('/')) throw new VmcraftError('EREADONLY', 'the guest is mounted read-only: fixes cannot be applied');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const reports: FixReport[] = [];
  for (const plan of plans) reports.push(isEmptyPlan(plan) ? { fixer: plan.fixer, changed: [], commands: [], notes: plan.notes } : await (await apply()).applyPlan(g, plan, stamp));
  return reports;
}

/** The calls of this module, in table order. */
export const FIX_CALLS = [
  defineCall({
    name: 'fixers', group: 'fix', since: v, anytime: true,
    summary: 'list the linux fixers', doc: 'Their names, in the order they run.',
    args: [], returns: 'stringList', ts: 'string[]',
    impl: () => fixerNames(),
  }),
  defineCall({
    name: 'fixPlan', group: 'fix', since: v,
    summary: 'plan the fixes a guest needs to boot on kvm without writing anything',
    doc: 'What the fixers would change in the mounted guest; nothing is written. Apply with {@link GuestFS.fixApply}.',
    args: [
      a.stringList('names', { optional: true, defaultText: 'every fixer', doc: 'fixers to plan, from {@link GuestFS.fixers}' }),
      a.options('options', [
        a.bool('regenerateGrub', { doc: "regenerate grub.cfg with the guest's grub-mkconfig after stabilising root=", defaultText: 'false' }),
        a.struct('renameInterfaces', { ts: 'Record<string, string>', doc: 'network interfaces to rename (old name → the name the NIC has on KVM) in every network configuration' }),
      ], { ts: 'FixOptions' }),
    ],
    returns: 'structList', ts: 'Promise<FixPlan[]>',
    impl: (g, names, options) => fixPlan(g, names, options),
  }),
  defineCall({
    name: 'fixApply', group: 'fix', since: v, writes: true,
    summary: 'apply fix plans with backups of every file changed',
    doc: 'Applies plans from {@link GuestFS.fixPlan}: backups under /var/lib/vmcraft/backups, then writes and commands.',
    args: [a.struct('plans', { ts: 'FixPlan[]', doc: 'from fixPlan() (the shell takes them as JSON)' })],
    returns: 'structList', ts: 'Promise<FixReport[]>',
    impl: (g, plans) => fixApply(g, plans),
  }),
];
