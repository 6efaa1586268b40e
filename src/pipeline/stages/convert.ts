/**
 * CONVERT: writes each disk (with everything it reads: overlay, chain) as one
 * standalone image at its output path, published by a rename when complete.
 * An existing file is replaced only when this pipeline wrote it before (the
 * state file says so) or the configuration allows overwriting.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { convert, type ConvertResult } from '../../convert/convert.js';
import type { Stage } from '../stage.js';
import { stampKnown } from '../state.js';
import type { DiskRef } from '../types.js';

/** The output of disk `index`: the configured path for the first, `name-N.ext` for the others. */
export function outputPath(first: string, index: number): string {
  if (index === 0) return first;
  const ext = path.extname(first);
  return `${first.slice(0, first.length - ext.length)}-${index}${ext}`;
}

/** Removes what a conversion killed before it could clean up left beside `output` (convert()'s temp directories). */
async function removeStaleTemps(output: string): Promise<void> {
  const prefix = `.${path.basename(output)}.vmcraft-`;
  const dir = path.dirname(output);
  for (const entry of await readdir(dir).catch(() => [] as string[])) {
    if (entry.startsWith(prefix)) await rm(path.join(dir, entry), { recursive: true, force: true });
  }
}

export const convertStage: Stage = {
  name: 'convert',
  options: (plan) => plan.output,
  async plan(ctx) {
    return { result: { outputs: ctx.disks.map((d, i) => ({ from: d.path, to: outputPath(ctx.plan.output.path, i), format: ctx.plan.output.format })) } };
  },
  async run(ctx) {
    const { format, compress, overwrite } = ctx.plan.output;
    const written = new Set(ctx.previous?.outputs.map((d) => d.path));
    const produced: (ConvertResult & { from: string })[] = [];
    const disks: DiskRef[] = [];
    for (const [i, disk] of ctx.disks.entries()) {
      const output = outputPath(ctx.plan.output.path, i);
      await removeStaleTemps(output);
      const result = await convert(disk.path, output, {
        format, compress, sourceFormat: disk.format, chain: disk.files, overwrite: overwrite || written.has(output),
        signal: ctx.signal, onProgress: ctx.progress, runner: ctx.runner,
      });
      produced.push({ ...result, from: disk.path });
      disks.push({ path: output, format, files: [await stampKnown(output, result.sha256!)] });
    }
    return { result: { produced: produced.map((p) => ({ from: p.from, path: p.output, format: p.format, size: p.size, virtualSize: p.virtualSize, sha256: p.sha256, durationMs: p.durationMs })) }, disks };
  },
};
