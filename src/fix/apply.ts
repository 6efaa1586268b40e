/** Applying a fixer's plan: backups of every file first, then the writes, then the guest commands. */
import type { GuestTarget } from '../guest-target.js';
import type { FixPlan, FixReport } from './types.js';

/** Where backups go: one directory per run, mirroring the guest paths (never beside the file, where a config loader could pick it up). */
export function backupPath(stamp: string, path: string): string {
  return `/var/lib/vmcraft/backups/${stamp}${path}`;
}

/** Applies a plan; every changed file's old content is saved under /var/lib/vmcraft/backups first. */
export async function applyPlan(t: GuestTarget, plan: FixPlan, stamp = new Date().toISOString().replace(/[:.]/g, '-')): Promise<FixReport> {
  const report: FixReport = { fixer: plan.fixer, changed: [], commands: [], notes: [...plan.notes] };
  for (const change of plan.changes) {
    let backup: string | undefined;
    if (change.before !== undefined) {
      backup = backupPath(stamp, change.path);
      await t.mkdirP(backup.slice(0, backup.lastIndexOf('/')));
      await t.write(backup, change.before);
    }
    if (change.after === undefined) await t.rm(change.path);
    else {
      await t.mkdirP(change.path.slice(0, change.path.lastIndexOf('/')) || '/');
      await t.write(change.path, change.after);
    }
    report.changed.push({ path: change.path, ...(backup ? { backup } : {}), reasons: change.reasons });
  }
  for (const argv of plan.commands) {
    const { exitCode } = await t.command(argv, { timeoutMs: 1_800_000 });
    report.commands.push({ argv, exitCode });
  }
  return report;
}
