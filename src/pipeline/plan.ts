/**
 * plan(): from a validated configuration to an explicit, serialisable plan.
 * It reads image headers and chains (to decide what FLATTEN must do) and the
 * state files (to know which outputs the pipeline wrote before), and writes
 * nothing.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { VmcraftError, isVmcraftError } from '../core/errors.js';
import { resolveChain } from '../attach/chain.js';
import { detectFormat } from '../attach/detect.js';
import { LINUX_FIXERS } from '../fix/linux/plans.js';
import { DEFAULT_BOOT_MARKER } from './boot.js';
import type { PipelineConfig, PipelineVm } from './index.js';
import { orderStages, type Stage } from './stage.js';
import { BUILTIN_STAGE_TABLE } from './stages/index.js';
import { needsMerge } from './stages/session.js';
import type { PipelinePlan, SourcePlan, VmPlan } from './types.js';

/** Options of {@link plan}. */
export interface PlanOptions {
  /** Custom stages (each says which stage it runs after); pass the same ones to `run()`. */
  stages?: Stage[];
}

const DEFAULT_DRIVERS = ['viostor', 'vioscsi', 'netkvm'];

/** A source and its chain, which must lie in the source's directory (as VMware, Hyper-V and libvirt keep snapshots). */
async function planSource(input: string): Promise<SourcePlan> {
  const { format } = await detectFormat(input);
  if (format === 'ova') return { path: input, format, chain: [{ path: input, format }], flatten: 'none' };
  const allowDir = path.dirname(await realpath(input));
  const chain = (await resolveChain(input, { format, chain: { allowDir } })).map((l) => ({ path: l.path, format: l.format }));
  return { path: input, format, chain, flatten: needsMerge(format, chain.length) ? 'merge' : 'none' };
}

/** The outputs an earlier run of this VM wrote (from its state file), which it may replace. */
async function outputsWrittenBefore(stateFile: string): Promise<string[]> {
  const text = await readFile(stateFile, 'utf8').catch(() => undefined);
  if (!text) return [];
  try {
    const state = JSON.parse(text) as { stages?: Record<string, { outputs?: { path: string }[] }> };
    return Object.values(state.stages ?? {}).flatMap((s) => (s.outputs ?? []).map((o) => o.path));
  } catch {
    return [];
  }
}

function chooseStages(vm: PipelineVm, config: PipelineConfig, table: Stage[], label: string): string[] {
  const wanted = vm.stages ?? config.stages;
  if (!wanted) return table.map((s) => s.name);
  const unknown = wanted.filter((n) => !table.some((s) => s.name === n));
  if (unknown.length) throw new VmcraftError('EINVAL', `${label}: unknown stage(s) ${unknown.join(', ')} (known: ${table.map((s) => s.name).join(', ')})`);
  if (wanted.includes('validate') && !wanted.includes('convert')) throw new VmcraftError('EINVAL', `${label}: validate checks what convert wrote; add convert to the stages`);
  return table.filter((s) => wanted.includes(s.name)).map((s) => s.name);
}

async function planVm(vm: PipelineVm, config: PipelineConfig, table: Stage[], index: number): Promise<VmPlan> {
  const label = `vms.${index} (${vm.name})`;
  const output = path.resolve(vm.output.path);
  const stateFile = `${output}.vmcraft-state.json`;
  const sources: SourcePlan[] = [];
  for (const input of vm.input) {
    try {
      sources.push(await planSource(path.resolve(input)));
    } catch (err) {
      if (isVmcraftError(err)) throw new VmcraftError(err.code, `${label}: input ${input}: ${err.message}`, { cause: err, path: input });
      throw err;
    }
  }
  const overwrite = vm.output.overwrite ?? false;
  if (!overwrite && (await stat(output).then(() => true, () => false)) && !(await outputsWrittenBefore(stateFile)).includes(output)) {
    throw new VmcraftError('EEXIST', `${label}: the output ${output} exists and this pipeline did not write it (set output.overwrite: true to replace it)`, { path: output });
  }
  const boot = vm.validate?.boot;
  return {
    name: vm.name,
    workDir: path.resolve(config.workDir ? path.join(config.workDir, vm.name) : path.join(path.dirname(output), '.vmcraft', vm.name)),
    stateFile,
    reportFile: `${output}.report.json`,
    sources,
    stages: chooseStages(vm, config, table, label),
    fix: {
      fixers: vm.fixers ?? Object.keys(LINUX_FIXERS),
      renameInterfaces: vm.renameInterfaces ?? {},
      regenerateGrub: vm.regenerateGrub ?? false,
      ...(vm.virtioWin ? { virtioWin: path.resolve(vm.virtioWin) } : {}),
      virtioDrivers: vm.virtioDrivers ?? DEFAULT_DRIVERS,
    },
    output: { path: output, format: vm.output.format ?? 'qcow2', compress: vm.output.compress ?? false, overwrite },
    validate: {
      check: vm.validate?.check ?? true,
      inspect: vm.validate?.inspect ?? true,
      ...(boot ? { boot: { marker: boot.marker ?? DEFAULT_BOOT_MARKER, timeoutSec: boot.timeoutSec ?? 300, memoryMiB: boot.memoryMiB ?? 1024, accel: boot.accel ?? 'auto' } } : {}),
    },
    keys: vm.keys ?? [],
    ...(vm.keyFile ? { keyFile: path.resolve(vm.keyFile) } : {}),
    options: vm.options ?? {},
    notes: sources.filter((s) => s.flatten === 'merge').map((s) => `${s.path} is a differencing VHD chain of ${s.chain.length}: FLATTEN merges it`),
  };
}

/**
 * Plans a pipeline: which disks (with their verified chains), what FLATTEN
 * must merge, which fixers with which options, the outputs and the checks.
 * Nothing is written. Bad inputs (missing, unknown format, broken chain), an
 * output the pipeline did not write, duplicate names or outputs → VmcraftError.
 */
export async function plan(config: PipelineConfig, options: PlanOptions = {}): Promise<PipelinePlan> {
  const table = orderStages(BUILTIN_STAGE_TABLE, options.stages ?? []);
  const vms: VmPlan[] = [];
  for (const [i, vm] of config.vms.entries()) vms.push(await planVm(vm, config, table, i));
  for (const key of ['name', 'stateFile'] as const) {
    const seen = new Set<string>();
    for (const vm of vms) {
      if (seen.has(vm[key])) throw new VmcraftError('EINVAL', `two VMs share the ${key === 'name' ? 'name' : 'output'} ${key === 'name' ? vm.name : vm.output.path}`);
      seen.add(vm[key]);
    }
  }
  return { version: 1, concurrency: config.concurrency ?? 1, retry: { attempts: config.retry?.attempts ?? 3, backoffSec: config.retry?.backoffSec ?? 30 }, vms };
}
