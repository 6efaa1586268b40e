/**
 * `vmcraft pipeline`: plan and run migration pipelines from YAML files.
 *   vmcraft pipeline plan base.yaml vm.yaml [--json]     the plan, nothing touched
 *   vmcraft pipeline run base.yaml vm.yaml [--dry-run] [--json] [--concurrency N]
 *   vmcraft pipeline schema                               the configuration's JSON Schema
 * Exit codes: 0 every VM ok, 1 a VM failed, 2 a bad configuration.
 */
import type { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { VmcraftError } from '../core/errors.js';
import { loadPipelineConfig } from '../pipeline/index.js';
import { plan } from '../pipeline/plan.js';
import { formatSummary } from '../pipeline/report.js';
import { run } from '../pipeline/run.js';
import { jsonSchema } from '../pipeline/schema.js';
import type { PipelineEvent, PipelinePlan } from '../pipeline/types.js';
import { outputFlags, progressBars, reportCommand, traceEvent } from './output.js';
import type { ShellIo } from './shell.js';
import { commandReportsInterruption } from './interrupt.js';
import { addModeOptions, requestedMode } from './mode.js';

/** The plan as shown: passphrases replaced by `***`. */
function shownPlan(p: PipelinePlan): PipelinePlan {
  return { ...p, vms: p.vms.map((vm) => ({ ...vm, keys: vm.keys.map(() => '***') })) };
}

function humanEvent(e: PipelineEvent): string | undefined {
  switch (e.type) {
    case 'stage-end':
      return `${e.vm}: ${e.stage} ${e.status}${e.status === 'reused' ? '' : ` (${(e.durationMs / 1000).toFixed(1)} s)`}`;
    case 'note':
      return `${e.vm}: ${e.stage}: ${e.message}`;
    case 'vm-end':
      return `${e.vm}: ${e.status}${e.error ? ` — ${e.error.split('\n')[0]}` : ''}`;
    default:
      return undefined;
  }
}

/** Progress of the running CONVERT stages: one bar per VM on a terminal. */
async function stageBars(): Promise<{ update(e: PipelineEvent): void; log(text: string): void; stop(): void } | undefined> {
  const cliProgress = await progressBars(process.stderr);
  if (!cliProgress) return undefined;
  const multi = new cliProgress.MultiBar({ format: '{vm} {stage} [{bar}] {percentage}% | {rate} MiB/s | ETA {eta_formatted}', stream: process.stderr, hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
  const bars = new Map<string, SingleBar>();
  return {
    update(e) {
      if (e.type === 'progress') {
        const key = `${e.vm}/${e.stage}`;
        if (!bars.has(key)) bars.set(key, multi.create(100, 0, { vm: e.vm, stage: e.stage, rate: '0' }));
        bars.get(key)!.update(e.progress.percent, { rate: (e.progress.rateBytesPerSecond / 2 ** 20).toFixed(1) });
      } else if (e.type === 'stage-end' && bars.has(`${e.vm}/${e.stage}`)) {
        multi.remove(bars.get(`${e.vm}/${e.stage}`)!);
        bars.delete(`${e.vm}/${e.stage}`);
      }
    },
    log: (text) => multi.log(`${text}\n`),
    stop: () => multi.stop(),
  };
}

async function planFromFiles(files: string[], concurrency?: string): Promise<PipelinePlan> {
  const config = await loadPipelineConfig(files);
  if (concurrency !== undefined) {
    const n = Number(concurrency);
    if (!Number.isInteger(n) || n < 1) throw new VmcraftError('EINVAL', `Expected --concurrency to be a whole number ≥ 1, got \`${concurrency}\``);
    config.concurrency = n;
  }
  return plan(config);
}

/** Adds `pipeline plan|run|schema` to the program. */
export function addPipelineCommands(program: Command, io: ShellIo): void {
  const pipeline = program.command('pipeline').description('migrate VMs: FETCH → FLATTEN → INSPECT → FIX → CONVERT → VALIDATE, from YAML files (see docs/pipeline.md)');

  pipeline
    .command('plan')
    .description('show what a run would do (chains, fixers, outputs, checks); nothing is touched')
    .argument('<configs...>', 'YAML files, merged in order')
    .option('--json', 'print the plan as JSON')
    .action(async (files: string[], opts: { json?: boolean }) => {
      const p = shownPlan(await planFromFiles(files));
      if (opts.json) return io.out(JSON.stringify(p, null, 2));
      for (const vm of p.vms) {
        io.out(`${vm.name}: ${vm.stages.join(' → ')}`);
        for (const s of vm.sources) io.out(`  input  ${s.path} (${s.format}${s.chain.length > 1 ? `, chain of ${s.chain.length}${s.flatten === 'merge' ? ', merged by FLATTEN' : ''}` : ''})`);
        io.out(`  output ${vm.output.path} (${vm.output.format}${vm.output.compress ? ', compressed' : ''})`);
        io.out(`  fixers ${vm.fix.fixers.join(', ')}${vm.fix.virtioWin ? `; VirtIO drivers ${vm.fix.virtioDrivers.join(', ')} from ${vm.fix.virtioWin}` : ''}`);
        for (const n of vm.notes) io.out(`  note   ${n}`);
      }
    });

  addModeOptions(pipeline
    .command('run')
    .description('run the pipeline (resumes where an earlier run stopped); --dry-run plans every stage and the fixes without writing')
    .argument('<configs...>', 'YAML files, merged in order')
    .option('--dry-run', 'plan every stage and fix; write nothing')
    .option('--json', 'print events and the report as JSON lines')
    .option('--concurrency <n>', 'VMs at once (overrides the configuration)'))
    .action(async (files: string[], opts: { dryRun?: boolean; json?: boolean; concurrency?: string }) => {
      const p = await planFromFiles(files, opts.concurrency);
      const bars = opts.json ? undefined : await stageBars();
      const controller = new AbortController();
      // First Ctrl-C: stop after the running step (state and report stay consistent); second: quit at once
      // (what is left is released by the next launch). A listener stays registered throughout: with none,
      // execa's exit handler would re-raise the signal and end the process before the report.
      const abort = () => {
        if (controller.signal.aborted) process.exit(130);
        if (!opts.json && !outputFlags().quiet) io.err('interrupted: stopping after the running step (Ctrl-C again to quit at once)');
        controller.abort(new VmcraftError('EABORTED', 'interrupted'));
      };
      process.on('SIGINT', abort).on('SIGTERM', abort);
      commandReportsInterruption();
      const flags = outputFlags();
      try {
        const report = await run(p, {
          dryRun: opts.dryRun ?? false,
          signal: controller.signal,
          ...(requestedMode() ? { mode: requestedMode() } : {}),
          ...(flags.verbose || flags.trace ? { onTrace: reportCommand } : {}),
          onEvent: (e) => {
            if (opts.json) return io.out(JSON.stringify(e));
            if (flags.trace) return traceEvent('pipeline', { ...e });
            bars?.update(e);
            const line = flags.quiet ? undefined : humanEvent(e);
            if (line) (bars ? bars.log(line) : io.err(line));
          },
        });
        bars?.stop();
        if (opts.json) io.out(JSON.stringify({ type: 'report', report }));
        else io.out(formatSummary(report).trimEnd());
        process.exitCode = report.failed ? 1 : 0;
      } finally {
        bars?.stop();
        process.off('SIGINT', abort).off('SIGTERM', abort);
      }
    });

  pipeline
    .command('schema')
    .description('print the JSON Schema of pipeline configurations')
    .action(() => io.out(JSON.stringify(jsonSchema(), null, 2)));
}
