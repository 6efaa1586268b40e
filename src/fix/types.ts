/** The fixer contract: a plan (nothing written), then apply (backups first), then a report. */

/** One file a fixer would change, with the whole new content. */
export interface FileChange {
  path: string;
  /** Content now (undefined: the file does not exist yet). */
  before?: string;
  /** Content after the fix (undefined: the file is removed). */
  after?: string;
  /** Why, one line per change made in the file. */
  reasons: string[];
}

/** What a fixer would do. Empty when the guest needs nothing. */
export interface FixPlan {
  fixer: string;
  changes: FileChange[];
  /** Guest commands to run after the files are written (regenerate initramfs, grub.cfg…). */
  commands: string[][];
  /** Things noticed and left alone. */
  notes: string[];
}

/** What applying a plan did. */
export interface FixReport {
  fixer: string;
  /** Files written or removed, each with the backup of its old content (when it had one). */
  changed: { path: string; backup?: string; reasons: string[] }[];
  commands: { argv: string[]; exitCode: number }[];
  notes: string[];
}

/** A plan needs nothing done. */
export function isEmptyPlan(plan: FixPlan): boolean {
  return plan.changes.length === 0 && plan.commands.length === 0;
}
