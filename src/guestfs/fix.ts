/**
 * The Linux fixers of the GuestFS façade (make a guest from VMware, Hyper-V
 * or a cloud boot on KVM): plan first (nothing written), then apply (backups
 * first), and a report. Running a fixer twice changes nothing the second time.
 */
import { VmcraftError } from '../core/errors.js';
import { applyPlan } from '../fix/apply.js';
import type { FixContext } from '../fix/context.js';
import { LINUX_FIXERS, type LinuxFixOptions } from '../fix/linux/plans.js';
import { isEmptyPlan, type FixPlan, type FixReport } from '../fix/types.js';
import { resolveFstabSpec } from '../inspect/fstab-devices.js';
import { GuestFSCustomize } from './customize.js';

/** Options of {@link GuestFSFix.fixPlan}. */
export type FixOptions = LinuxFixOptions;

/** Fixers for guests moving to KVM. */
export class GuestFSFix extends GuestFSCustomize {
  /** Names of the Linux fixers, in the order they run. */
  fixers(): string[] {
    return Object.keys(LINUX_FIXERS);
  }

  /** What the fixers would change in the mounted guest; nothing is written. */
  async fixPlan(names: string[] = this.fixers(), options: FixOptions = {}): Promise<FixPlan[]> {
    const unknown = names.filter((n) => !(n in LINUX_FIXERS));
    if (unknown.length) throw new VmcraftError('EINVAL', `unknown fixer(s) ${unknown.join(', ')} (known: ${this.fixers().join(', ')})`);
    const ctx: FixContext = { target: this, stableName: (spec) => this.#stableName(spec) };
    const plans: FixPlan[] = [];
    for (const name of names) plans.push(await LINUX_FIXERS[name]!(ctx, options));
    return plans;
  }

  /** Applies plans from {@link GuestFSFix.fixPlan}: backups under /var/lib/vmcraft/backups, then writes and commands. */
  async fixApply(plans: FixPlan[]): Promise<FixReport[]> {
    if (this.isReadonlyPath('/')) throw new VmcraftError('EREADONLY', 'the guest is mounted read-only: fixes cannot be applied');
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const reports: FixReport[] = [];
    for (const plan of plans) reports.push(isEmptyPlan(plan) ? { fixer: plan.fixer, changed: [], commands: [], notes: plan.notes } : await applyPlan(this, plan, stamp));
    return reports;
  }

  #stableName(spec: string): string | undefined {
    const device = resolveFstabSpec(spec, this.devices);
    if (device?.probe.uuid) return `UUID=${device.probe.uuid}`;
    if (device?.probe.partEntry?.uuid) return `PARTUUID=${device.probe.partEntry.uuid}`;
    return undefined;
  }
}
