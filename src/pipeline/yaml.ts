/** One pipeline config file: its YAML text as plain data, with the file and line of every key path. */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { VmcraftError } from '../core/errors.js';

/** Where a config value came from. */
export interface Origin { file: string; line: number }

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
