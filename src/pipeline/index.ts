/**
 * The migration pipeline: YAML configuration → `plan()` (nothing touched)
 * → `run()` (FETCH → FLATTEN → INSPECT → FIX → CONVERT → VALIDATE, with
 * resume, reports and a concurrency limit).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { VmcraftError } from '../core/errors.js';
import { loadConfigFiles, type MergedConfig } from './config.js';
import { validateConfig } from './schema.js';

/** One VM of a pipeline configuration. */
export interface PipelineVm {
  name: string;
  input: string[];
  output: { path: string; format?: 'qcow2' | 'raw' | 'vmdk' | 'vhdx' | 'vhd' | 'vdi'; compress?: boolean; overwrite?: boolean };
  /** Stages to run for this VM (default: the configuration's, else all). */
  stages?: string[];
  keys?: string[];
  /** A file of LUKS passphrases, one a line, read when the VM runs. */
  keyFile?: string;
  fixers?: string[];
  renameInterfaces?: Record<string, string>;
  regenerateGrub?: boolean;
  virtioWin?: string;
  virtioDrivers?: string[];
  validate?: { check?: boolean; inspect?: boolean; boot?: { marker?: string; timeoutSec?: number; memoryMiB?: number; accel?: 'auto' | 'kvm' | 'tcg' } };
  /** Options of custom stages, by stage name. */
  options?: Record<string, unknown>;
}

/** A validated pipeline configuration. */
export interface PipelineConfig {
  workDir?: string;
  concurrency?: number;
  /** Stages to run (default: all), always in their fixed order. */
  stages?: string[];
  /** Queued pipelines: tries in all and the first backoff for transient failures. */
  retry?: { attempts?: number; backoffSec?: number };
  vms: PipelineVm[];
}

/** Resolves a relative host path against the directory of the file that set it. */
function resolveFrom(merged: MergedConfig, key: string, value: string): string {
  const origin = merged.origins.get(key);
  return path.resolve(origin ? path.dirname(origin.file) : '.', value);
}

/** Makes every host path of the configuration absolute, relative paths taken from the file that wrote them. */
function resolvePaths(merged: MergedConfig): PipelineConfig {
  const config = merged.data as unknown as PipelineConfig;
  return {
    ...config,
    ...(config.workDir ? { workDir: resolveFrom(merged, 'workDir', config.workDir) } : {}),
    vms: config.vms.map((vm, i) => ({
      ...vm,
      input: vm.input.map((p, j) => resolveFrom(merged, `vms.${i}.input.${j}`, p)),
      output: { ...vm.output, path: resolveFrom(merged, `vms.${i}.output.path`, vm.output.path) },
      ...(vm.virtioWin ? { virtioWin: resolveFrom(merged, `vms.${i}.virtioWin`, vm.virtioWin) } : {}),
      ...(vm.keyFile ? { keyFile: resolveFrom(merged, `vms.${i}.keyFile`, vm.keyFile) } : {}),
    })),
  };
}

/** Every input must be a file that exists: ENOENT naming the file, line and key of each one that is not. */
async function checkInputs(merged: MergedConfig, config: PipelineConfig): Promise<void> {
  const problems: string[] = [];
  for (const [i, vm] of config.vms.entries()) {
    for (const [j, input] of vm.input.entries()) {
      const info = await stat(input).catch(() => undefined);
      if (info?.isFile()) continue;
      const origin = merged.origins.get(`vms.${i}.input.${j}`);
      problems.push(`${origin ? `${origin.file}:${origin.line}` : '(merged config)'}: vms.${i}.input.${j}: ${input} ${info ? 'is not a file' : 'does not exist'}`);
    }
  }
  if (problems.length) throw new VmcraftError('ENOENT', `missing pipeline input(s):\n${problems.join('\n')}`);
}

/**
 * Reads YAML files (merged in order: maps deeply, lists replace, null
 * deletes), validates the result (errors name file, line and key), makes
 * relative paths absolute from the directory of the file that set them and
 * checks that every input exists.
 */
export async function loadPipelineConfig(files: string[]): Promise<PipelineConfig> {
  const merged = await loadConfigFiles(files);
  validateConfig(merged);
  const config = resolvePaths(merged);
  await checkInputs(merged, config);
  return config;
}
