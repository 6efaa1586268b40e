/**
 * The layers of DESIGN.md ("data flows down, each layer only calls the ones
 * below it"): every import of every src/ module — static, type-only,
 * re-export or dynamic import() — names its own layer or one below it.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = path.join(import.meta.dirname, '../../../src');

/**
 * The layers, top first, as DESIGN.md draws them; a row is one layer, named by
 * the top-level folders and files of src/ that stand in it.
 */
const LAYERS: readonly (readonly string[])[] = [
  // The entry points: the CLI, and the agent a VM-mode session runs in its VM.
  ['cli', 'vm-agent.ts'],
  // The package entry hands on every layer's public names, the pipeline's included.
  ['index.ts'],
  // The pipeline on a queue (BullMQ jobs, workers, dashboard): on top of run(), as DESIGN.md's pipeline/queue/.
  ['scale'],
  ['pipeline'],
  // The façade; sample/ builds the demo disk image the package exports beside GuestFS.
  ['guestfs.ts', 'guestfs', 'sample'],
  // VM mode runs the same Session in a QEMU VM, its calls proxied from api/'s table:
  // it may import api/, and the façade above chooses host or VM per session.
  ['vm'],
  ['api'],
  // guest-target.ts: the subset of calls fix/ and customize/ work over.
  ['fix', 'customize', 'guest-target.ts'],
  ['convert'],
  ['inspect'],
  // augeas/: config files through augtool, beside the registry's hives.
  ['registry', 'augeas'],
  ['chroot'],
  ['fs'],
  ['storage'],
  ['attach'],
  ['core'],
];

/** Height of each top-level name: 0 for core, counting up. */
const HEIGHT = new Map(LAYERS.flatMap((names, i) => names.map((name) => [name, LAYERS.length - 1 - i] as const)));

/** The top-level entry of src/ that `file` (an absolute path) belongs to, or undefined outside src/. */
function topOf(file: string): string | undefined {
  const rel = path.relative(SRC, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const [top, ...rest] = rel.split(path.sep);
  // A module at the root is named by its source file, whichever extension the import spells.
  return rest.length === 0 ? top!.replace(/\.js$/, '.ts') : top;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith('.ts') ? [full] : [];
  }));
  return nested.flat().sort();
}

/** The relative module specifiers a file imports or re-exports (comments and strings are not imports). */
function importsOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName).filter((spec) => spec.startsWith('.'));
}

describe('layers (DESIGN.md)', async () => {
  const files = await sourceFiles(SRC);
  const show = (file: string) => path.relative(path.dirname(SRC), file);

  it('places every top-level folder and file of src/ in a layer', async () => {
    const tops = (await readdir(SRC)).filter((name) => !name.startsWith('.'));
    expect(tops.filter((name) => !HEIGHT.has(name))).toEqual([]);
  });

  it('has no import that runs up a layer', async () => {
    const upward: string[] = [];
    for (const file of files) {
      const from = topOf(file)!;
      for (const spec of importsOf(await readFile(file, 'utf8'))) {
        const target = path.resolve(path.dirname(file), spec);
        const to = topOf(target);
        if (to === undefined || to === from) continue;
        if ((HEIGHT.get(to) ?? Infinity) > (HEIGHT.get(from) ?? Infinity)) upward.push(`${show(file)} -> ${show(target)} (${from} is below ${to})`);
      }
    }
    expect(upward).toEqual([]);
  });
});
