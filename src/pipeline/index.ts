/** Pipeline configuration: load, merge and validate YAML files. (The stages themselves are not written yet.) */
import { loadConfigFiles } from './config.js';
import { validateConfig } from './schema.js';

/** One VM of a pipeline configuration. */
export interface PipelineVm {
  name: string;
  input: string[];
  output: { path: string; format?: string; compress?: boolean };
  keys?: string[];
  fixers?: string[];
  renameInterfaces?: Record<string, string>;
  regenerateGrub?: boolean;
  virtioWin?: string;
  validate?: { check?: boolean; inspect?: boolean };
}

/** A validated pipeline configuration. */
export interface PipelineConfig {
  workDir?: string;
  concurrency?: number;
  vms: PipelineVm[];
}

/** Reads YAML files (merged in order: maps deeply, lists replace, null deletes) and validates the result. */
export async function loadPipelineConfig(files: string[]): Promise<PipelineConfig> {
  const merged = await loadConfigFiles(files);
  validateConfig(merged);
  return merged.data as unknown as PipelineConfig;
}
