/**
 * run(): executes a plan, VM by VM under a concurrency limit (one VM failing
 * does not stop the others), stage by stage in table order. Each finished
 * stage is recorded in the VM's state file, so a re-run after a crash or an
 * abort reuses the stages whose options and inputs are unchanged and whose
 * outputs are still there, and redoes the rest.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { VmcraftError, isVmcraftError } from '../core/errors.js';
import { defaultRunner, Runner, type TraceEvent } from '../core/exec.js';
import { lazy } from '../core/lazy.js';
import { orderStages, type Stage, type StageContext, type StageOutcome } from './stage.js';
import { BUILTIN_STAGE_TABLE } from './stages/index.js';
import { sha256File } from '../core/hash.js';
import { withKeyFile } from './keys.js';
import { disksHold, hashOf, loadState, sameDisks, saveState, stampFile, type VmState } from './state.js';
import type { DiskRef, PipelineEvent, PipelinePlan, PipelineReport, StageReport, VmPlan, VmReport } from './types.js';
import type { SessionMode } from '../api/options.js';

const loadPLimit = lazy(() => import('p-limit'));

/** Options of {@link run}. */
export interface RunOptions {
  /**
   * Aborts the run: no further stage starts (a running conversion or boot test stops at once), and
   * the VMs not finished are reported as EABORTED. The run's sessions install no signal handlers of
   * their own: a program that wants Ctrl-C to stop a run cleanly aborts this signal, as
   * `vmcraft pipeline run` does (a process killed outright leaves its sessions to the next launch,
   * which releases them).
   */
  signal?: AbortSignal;
  /** Called with every event (stage start/end, progress, notes). */
  onEvent?: (event: PipelineEvent) => void;
  /** Plan every stage (fixer plans included) without writing anything: no state, no report, no output. @default false */
  dryRun?: boolean;
  /** The custom stages the plan was made with. */
  stages?: Stage[];
  /** Called after every external command of the run (argv with secrets redacted, exit code, duration). */
  onTrace?: (event: TraceEvent) => void;
  /** Where the stages' sessions run (GuestFSOptions.mode): `vm` keeps every source image off this host's kernel. @default 'auto' */
  mode?: SessionMode;
}

/**
 * The configured sources as disks: every file of each chain (or the OVA),
 * stamped with size and mtime at once; sha256s known from the last run are
 * reused, the others are computed in the background (`hashed` settles when
 * every stamp has its sha256), so the first stages need not wait for a full
 * read of every source.
 */
async function sourceDisks(vm: VmPlan, state: VmState, hash: boolean): Promise<{ disks: DiskRef[]; hashed: Promise<void> }> {
  const known = (state.stages.fetch?.inputs ?? []).flatMap((d) => d.files);
  const disks: DiskRef[] = [];
  const pending: Promise<void>[] = [];
  for (const source of vm.sources) {
    const files = [];
    for (const link of source.chain) {
      const stamp = await stampFile(link.path, known, false);
      if (hash && !stamp.sha256) pending.push(sha256File(link.path).then((sum) => void (stamp.sha256 = sum)));
      files.push(stamp);
    }
    disks.push({ path: source.path, format: source.format, files });
  }
  return { disks, hashed: Promise.all(pending).then(() => undefined) };
}

/** A failure as the reports record it: its code and message (and a failed release's, when there was one). */
export function errorSummary(err: unknown): { code: string; message: string } {
  const cleanup = (err as { cleanupError?: Error } | undefined)?.cleanupError;
  const also = cleanup ? ` (releasing the session failed too: ${cleanup.message})` : '';
  return isVmcraftError(err) ? { code: err.code, message: `${err.message}${also}` } : { code: 'EIO', message: `${err instanceof Error ? err.message : String(err)}${also}` };
}

/** The outputs a VM's CONVERT produced, for the report. */
function produced(results: Record<string, unknown>): VmReport['produced'] {
  const convert = results.convert as { produced?: VmReport['produced'] } | undefined;
  return (convert?.produced ?? []).map(({ path: p, format, size, sha256 }) => ({ path: p, format, size, sha256 }));
}

class VmRun {
  readonly #stages: StageReport[] = [];
  readonly #results: Record<string, unknown> = {};
  #disks: DiskRef[] = [];
  /** Settles when the sources' sha256s are known (records must not be compared or written before). */
  #sourcesHashed: Promise<void> = Promise.resolve();
  /** State writes, in order, each after the sources' sha256s are known. */
  #saving: Promise<void> = Promise.resolve();

  constructor(
    /** The plan; its key file's passphrases are added when the run starts. */
    private vm: VmPlan,
    private readonly table: Stage[],
    private readonly options: RunOptions & { signal: AbortSignal; runner: Runner },
  ) {}

  #emit(event: PipelineEvent): void {
    this.options.onEvent?.(event);
  }

  #context(stage: Stage, workDir: string, state: VmState): StageContext {
    const { vm } = this;
    return {
      plan: vm, workDir, disks: this.#disks, results: this.#results, signal: this.options.signal, runner: this.options.runner,
      ...(this.options.onTrace ? { onTrace: this.options.onTrace } : {}),
      ...(this.options.mode ? { mode: this.options.mode } : {}),
      ...(state.stages[stage.name] ? { previous: state.stages[stage.name] } : {}),
      note: (message) => this.#emit({ type: 'note', vm: vm.name, stage: stage.name, message }),
      progress: (progress) => this.#emit({ type: 'progress', vm: vm.name, stage: stage.name, progress }),
    };
  }

  /** Whether the recorded stage can stand for a new run of it. */
  async #reusable(stage: Stage, state: VmState, optionsHash: string): Promise<boolean> {
    const record = state.stages[stage.name];
    return record !== undefined && record.optionsHash === optionsHash && sameDisks(record.inputs, this.#disks) && (await disksHold(record.outputs));
  }

  /** Plans, reuses or runs one stage. */
  async #outcome(stage: Stage, ctx: StageContext, state: VmState, started: number): Promise<{ outcome: StageOutcome; status: StageReport['status'] }> {
    const { vm } = this;
    const optionsHash = hashOf(stage.options ? stage.options(vm) : (vm.options[stage.name] ?? null));
    if (this.options.dryRun) return { outcome: stage.plan ? await stage.plan(ctx) : { result: { wouldRun: true } }, status: 'planned' };
    if (state.stages[stage.name]) await this.#sourcesHashed;
    if (await this.#reusable(stage, state, optionsHash)) {
      const record = state.stages[stage.name]!;
      return { outcome: { result: record.result, disks: record.outputs }, status: 'reused' };
    }
    if (this.options.signal.aborted) throw this.options.signal.reason ?? new VmcraftError('EABORTED', 'the pipeline was aborted');
    const outcome = await stage.run(ctx);
    const durationMs = Math.round(performance.now() - started);
    state.stages[stage.name] = { optionsHash, inputs: this.#disks, outputs: outcome.disks ?? this.#disks, result: outcome.result ?? null, durationMs, finishedAt: new Date().toISOString() };
    // Written once the sources' sha256s are known; a crash before that only loses reuse, never correctness.
    this.#saving = this.#saving.then(async () => {
      await this.#sourcesHashed;
      await saveState(vm.stateFile, state);
    });
    return { outcome, status: 'done' };
  }

  async #stage(stage: Stage, workDir: string, state: VmState): Promise<StageReport> {
    const { vm } = this;
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    this.#emit({ type: 'stage-start', vm: vm.name, stage: stage.name });
    try {
      const { outcome, status } = await this.#outcome(stage, this.#context(stage, workDir, state), state, started);
      this.#results[stage.name] = outcome.result;
      if (outcome.disks) this.#disks = outcome.disks;
      this.#emit({ type: 'stage-end', vm: vm.name, stage: stage.name, status, durationMs: elapsed() });
      return { name: stage.name, status, durationMs: elapsed(), ...(outcome.result !== undefined ? { result: outcome.result } : {}) };
    } catch (err) {
      this.#stages.push({ name: stage.name, status: 'failed', durationMs: elapsed() });
      this.#emit({ type: 'stage-end', vm: vm.name, stage: stage.name, status: 'failed', durationMs: elapsed() });
      throw err;
    }
  }

  async run(): Promise<VmReport> {
    const { vm, options } = this;
    const startedAt = new Date();
    const started = performance.now();
    this.#emit({ type: 'vm-start', vm: vm.name });
    let error: VmReport['error'];
    // A dry run writes nothing: its sessions get a temporary directory, removed at the end.
    const workDir = options.dryRun ? await mkdtemp(path.join(os.tmpdir(), 'vmcraft-plan-')) : vm.workDir;
    try {
      if (!options.dryRun) await mkdir(workDir, { recursive: true });
      this.vm = await withKeyFile(vm);
      const state = options.dryRun ? { version: 1 as const, vm: vm.name, stages: {} } : await loadState(vm.stateFile, vm.name);
      const sources = await sourceDisks(vm, state, !options.dryRun);
      this.#disks = sources.disks;
      this.#sourcesHashed = sources.hashed;
      this.#sourcesHashed.catch(() => undefined); // awaited where needed; an error surfaces there
      for (const name of vm.stages) {
        this.#stages.push(await this.#stage(this.table.find((s) => s.name === name)!, workDir, state));
      }
      await this.#saving;
    } catch (err) {
      error = errorSummary(err);
      // A stage that failed because the run was being aborted (its command killed by the same Ctrl-C) was aborted.
      if (options.signal.aborted && error.code !== 'EABORTED') error = { code: 'EABORTED', message: `${(options.signal.reason as Error | undefined)?.message ?? 'aborted'} (${error.code}: ${error.message})` };
      await this.#saving.catch(() => undefined); // the stages that finished are still recorded
    } finally {
      if (options.dryRun) await rm(workDir, { recursive: true, force: true });
    }
    for (const name of vm.stages.slice(this.#stages.length)) this.#stages.push({ name, status: 'not-run', durationMs: 0 });
    const report: VmReport = {
      name: vm.name,
      status: error ? 'failed' : options.dryRun ? 'dry-run' : 'ok',
      startedAt: startedAt.toISOString(),
      durationMs: Math.round(performance.now() - started),
      stages: this.#stages,
      produced: produced(this.#results),
      ...(error ? { error } : {}),
      reportFile: vm.reportFile,
    };
    if (!options.dryRun) await writeFile(vm.reportFile, `${JSON.stringify(report, null, 2)}\n`).catch(() => undefined);
    this.#emit({ type: 'vm-end', vm: vm.name, status: report.status, durationMs: report.durationMs, ...(error ? { error: error.message } : {}) });
    return report;
  }
}

/**
 * Runs a plan made by `plan()`: every VM (at most `plan.concurrency` at
 * once), each through its stages; returns one report per VM (also written as
 * JSON beside its output) and the counts. A VM that fails is reported and the
 * others go on; an aborted run reports the VMs it did not finish as failed
 * with EABORTED.
 */
export async function run(plan: PipelinePlan, options: RunOptions = {}): Promise<PipelineReport> {
  const table = orderStages(BUILTIN_STAGE_TABLE, options.stages ?? []);
  for (const vm of plan.vms) {
    const missing = vm.stages.filter((n) => !table.some((s) => s.name === n));
    if (missing.length) throw new VmcraftError('EINVAL', `${vm.name}: the plan names stage(s) ${missing.join(', ')} that this run was not given (pass them in options.stages)`);
  }
  const signal = options.signal ?? new AbortController().signal;
  const runner = options.onTrace ? new Runner({ onTrace: options.onTrace }) : defaultRunner;
  const started = performance.now();
  const { default: pLimit } = await loadPLimit();
  const limit = pLimit(plan.concurrency);
  const vms = await Promise.all(plan.vms.map((vm) => limit(() => new VmRun(vm, table, { ...options, signal, runner }).run())));
  return { vms, ok: vms.filter((v) => v.status !== 'failed').length, failed: vms.filter((v) => v.status === 'failed').length, durationMs: Math.round(performance.now() - started) };
}
