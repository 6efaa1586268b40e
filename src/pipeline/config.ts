/**
 * Pipeline configuration: YAML files merged in order (maps merge deeply,
 * lists replace, `null` deletes), then validated with errors that name the
 * file, the line and the key. Unknown keys are errors.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { VmcraftError, fromFsError } from '../core/errors.js';

/** Where a config value came from. */
export interface Origin { file: string; line: number }

/** Merged config data with the origin of every key path (`vms.0.output.format`). */
export interface MergedConfig { data: Record<string, unknown>; origins: Map<string, Origin> }

function toPlain(node: Node | null, file: string, lines: LineCounter, path: string, origins: Map<string, Origin>): unknown {
  const line = node?.range ? lines.linePos(node.range[0]).line : 0;
  if (path) origins.set(path, { file, line });
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const pair of node.items) {
      const key = String(isScalar(pair.key) ? pair.key.value : pair.key);
      const keyLine = (pair.key as Node | null)?.range ? lines.linePos((pair.key as Node).range![0]).line : line;
      origins.set(path ? `${path}.${key}` : key, { file, line: keyLine });
      out[key] = toPlain(pair.value as Node | null, file, lines, path ? `${path}.${key}` : key, origins);
      origins.set(path ? `${path}.${key}` : key, { file, line: keyLine });
    }
    return out;
  }
  if (isSeq(node)) return node.items.map((item, i) => toPlain(item as Node, file, lines, `${path}.${i}`, origins));
  return isScalar(node) ? node.value : null;
}

/** Parses one YAML document (text) into plain data with origins; syntax errors name file and line. */
export function parseConfigText(text: string, file: string, origins = new Map<string, Origin>()): Record<string, unknown> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    throw new VmcraftError('EINVAL', `${file}:${lines.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`);
  }
  const data = toPlain(doc.contents as Node | null, file, lines, '', origins);
  if (data === null || data === undefined) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new VmcraftError('EINVAL', `${file}:1: the configuration must be a map of keys`);
  return data as Record<string, unknown>;
}

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
