/**
 * Pipeline configuration: YAML files merged in order (maps merge deeply,
 * lists replace, `null` deletes), then validated with errors that name the
 * file, the line and the key. Unknown keys are errors.
 */
import { readFile } from 'node:fs/promises';
import { fromFsError } from '../core/errors.js';
import { lazy } from '../core/lazy.js';
import type { Origin } from './yaml.js';

export type { Origin };

/** Merged config data with the origin of every key path (`vms.0.output.format`). */
export interface MergedConfig { data: Record<string, unknown>; origins: Map<string, Origin> }

const loadYamlParser = lazy(() => import('./yaml.js'));

/** Merges `over` into `base`: maps deeply, lists and scalars replace, `null` deletes the key. */
export function mergeConfig(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete out[key];
    else if (isPlainObject(value) && isPlainObject(out[key])) out[key] = mergeConfig(out[key] as Record<string, unknown>, value);
    else out[key] = value;
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads and merges config files in order. */
export async function loadConfigFiles(files: string[]): Promise<MergedConfig> {
  const { parseConfigText } = await loadYamlParser();
  const origins = new Map<string, Origin>();
  let data: Record<string, unknown> = {};
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch((err: unknown) => {
      throw fromFsError(err, file, 'cannot read config');
    });
    data = mergeConfig(data, parseConfigText(text, file, origins));
  }
  return { data, origins };
}
