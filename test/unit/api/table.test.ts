import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { API, type ApiEntry } from '../../../src/api/table.js';
import { GuestFS } from '../../../src/index.js';
import { renderAll } from '../../../scripts/gen-docs.js';

const entries = API as readonly ApiEntry[];
const proto = GuestFS.prototype as unknown as Record<string, unknown>;

/** Public methods along GuestFS's prototype chain (EventEmitter's own excluded). */
function publicMethods(): string[] {
  const names = new Set<string>();
  for (let p = GuestFS.prototype; p && p !== Object.prototype && p.constructor.name !== 'EventEmitter'; p = Object.getPrototypeOf(p)) {
    for (const name of Object.getOwnPropertyNames(p)) {
      const d = Object.getOwnPropertyDescriptor(p, name)!;
      if (name !== 'constructor' && typeof d.value === 'function' && d.enumerable === false && !name.includes('_')) names.add(name);
    }
  }
  return [...names];
}

describe('the API table', () => {
  it('names only methods GuestFS implements, and every libguestfs alias is the same function', () => {
    for (const e of entries) {
      expect(typeof proto[e.name], e.name).toBe('function');
      if (e.libguestfs) expect(proto[e.libguestfs], e.libguestfs).toBe(proto[e.name]);
    }
  });

  it('lists every public method of GuestFS', () => {
    const listed = new Set(entries.flatMap((e) => [e.name, e.libguestfs ?? e.name]));
    // The session's own helpers the calls use (@internal, not in the docs).
    const internal = new Set(['assertLaunched', 'device', 'layerContext', 'fileContext', 'warn', 'track', 'startVm', 'mirror']);
    const missing = publicMethods().filter((m) => !listed.has(m) && !internal.has(m));
    expect(missing).toEqual([]);
  });

  it('follows the naming rules (libguestfs checks.ml)', () => {
    const names = entries.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    for (const e of entries) {
      expect(e.summary, e.name).toMatch(/^[a-z]/);
      expect(e.summary.endsWith('.'), e.name).toBe(false);
      expect(e.name).toMatch(/^[a-z][A-Za-z0-9]*$/);
      if (e.libguestfs) expect(e.libguestfs).toMatch(/^[a-z][a-z0-9_]*$/);
    }
  });

  it('gives every argument a kind, and optional arguments only after the required ones', () => {
    for (const e of entries) {
      const firstOptional = e.args.findIndex((arg) => arg.optional);
      if (firstOptional >= 0) expect(e.args.slice(firstOptional).every((arg) => arg.optional), e.name).toBe(true);
      expect(new Set(e.args.map((arg) => arg.name)).size, e.name).toBe(e.args.length);
    }
  });

  it('has the generated files (docs/compat.md, docs/errors.md, src/api/generated.ts…) up to date', () => {
    const root = path.join(import.meta.dirname, '../../..');
    for (const [file, text] of Object.entries(renderAll())) {
      expect(readFileSync(path.join(root, file), 'utf8'), `${file}: run npx tsx scripts/gen-docs.ts`).toBe(text);
    }
  });
});
