/**
 * The stage contract and the ordered stage table. Stages are optional, their
 * order is not: a run executes the chosen stages in table order, and a
 * custom stage goes after the built-in (or custom) stage it names.
 */
import { VmcraftError } from '../core/errors.js';
import type { Runner, TraceEvent } from '../core/exec.js';
import type { SessionMode } from '../api/options.js';
import type { ProgressEvent } from '../convert/progress.js';
import type { StageRecord } from './state.js';
import type { BuiltinStageName, DiskRef, VmPlan } from './types.js';

/** What a stage gets. */
export interface StageContext {
  plan: VmPlan;
  /** Where the stage may put files: the VM's work directory (a temporary one in a dry run). */
  workDir: string;
  /** The disks as the stage before left them (for FETCH: the configured sources, stamped). */
  disks: DiskRef[];
  /** Results of the earlier stages of this VM (reused ones included), by stage name. */
  results: Record<string, unknown>;
  /** This stage's record from an earlier run, when there is one (its outputs may be overwritten). */
  previous?: StageRecord;
  signal: AbortSignal;
  /** Runs the stage's own external commands. */
  runner: Runner;
  /** Receives the external commands of the sessions a stage opens. */
  onTrace?: (event: TraceEvent) => void;
  /** Where the sessions a stage opens run (the run's `mode`; auto when absent). */
  mode?: SessionMode;
  /** Reports something noticed (it goes to the events and the report). */
  note(message: string): void;
  /** Reports progress of a long copy. */
  progress(event: ProgressEvent): void;
}

/** What a stage returns: its part of the report and, when it made new images, the disks for the next stage. */
export interface StageOutcome {
  result: unknown;
  /** The disks the next stage works on (unchanged when absent). */
  disks?: DiskRef[];
}

/**
 * A pipeline stage.
 *
 * @example
 * ```ts
 * const audit: Stage = {
 *   name: 'audit',
 *   after: 'inspect',
 *   async run(ctx) {
 *     return { result: { disks: ctx.disks.map((d) => d.path) } };
 *   },
 * };
 * await run(await plan(config, { stages: [audit] }), { stages: [audit] });
 * ```
 */
export interface Stage {
  /** Unique name (lower case). */
  name: string;
  /** For a custom stage: the stage it runs after. */
  after?: string;
  /** The part of the plan this stage depends on; a change of it makes a re-run redo the stage. @default the VM's custom options for this stage */
  options?(plan: VmPlan): unknown;
  /** Dry run: what the stage would do, without writing anything. @default reports that the stage would run */
  plan?(ctx: StageContext): Promise<StageOutcome>;
  /** Does the work. */
  run(ctx: StageContext): Promise<StageOutcome>;
}

/** The built-in stage names in their fixed order. */
export const BUILTIN_STAGES: readonly BuiltinStageName[] = ['fetch', 'flatten', 'inspect', 'fix', 'convert', 'validate'];

/** Puts custom stages after the stage each names; checks names are unique and anchors exist. */
export function orderStages<T extends { name: string; after?: string }>(builtins: readonly T[], custom: readonly T[]): T[] {
  const table = [...builtins];
  const pending = [...custom];
  while (pending.length) {
    const index = pending.findIndex((s) => table.some((t) => t.name === s.after));
    if (index < 0) {
      const s = pending[0]!;
      if (!s.after) throw new VmcraftError('EINVAL', `custom stage ${JSON.stringify(s.name)} must say which stage it runs after (\`after\`)`);
      throw new VmcraftError('EINVAL', `custom stage ${JSON.stringify(s.name)} runs after ${JSON.stringify(s.after)}, which is no stage (known: ${[...table, ...pending].map((t) => t.name).join(', ')})`);
    }
    const [stage] = pending.splice(index, 1);
    if (table.some((t) => t.name === stage!.name)) throw new VmcraftError('EINVAL', `two stages are named ${JSON.stringify(stage!.name)}`);
    // After the anchor and after custom stages already placed after it, so registration order is kept.
    let at = table.findIndex((t) => t.name === stage!.after) + 1;
    while (at < table.length && custom.some((c) => c.name === table[at]!.name && c.after === stage!.after)) at++;
    table.splice(at, 0, stage!);
  }
  return table;
}
