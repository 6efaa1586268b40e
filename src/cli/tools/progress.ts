/**
 * The long tools' progress bars on standard error: only where output.ts's progressBars allows
 * them (a terminal, not --json, --quiet or --trace), never coloured, so NO_COLOR has nothing to
 * take away. `withByteProgress` samples how far a piece of work got while it runs.
 */
import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import type { SingleBar } from 'cli-progress';
import { progressBars } from '../output.js';

/** A bar with `format` (cli-progress tokens), started at 0 of `total`; undefined when no bar may be drawn. */
export async function terminalBar(format: string, total: number, json = false, payload: Record<string, unknown> = {}): Promise<SingleBar | undefined> {
  const cliProgress = await progressBars(process.stderr, json);
  if (!cliProgress) return undefined;
  const bar = new cliProgress.SingleBar({ format, stream: process.stderr }, cliProgress.Presets.shades_classic);
  bar.start(total, 0, payload);
  return bar;
}

const MiB = 2 ** 20;
const mib = (bytes: number) => (bytes / MiB).toFixed(1);

/** How far a piece of work is: its total bytes, and how many are done now. */
export interface ByteGauge {
  total: number;
  done(): Promise<number>;
}

/**
 * Runs `work` under a `label [bar] n% | done/total MiB` bar, its value sampled from the gauge
 * four times a second (a failed sample is skipped). `gauge` is only asked for with a bar to draw
 * (sizing the work costs); when it fails, the work runs without a bar, and fails as it will.
 */
export async function withByteProgress<T>(label: string, gauge: () => Promise<ByteGauge>, json: boolean | undefined, work: () => Promise<T>): Promise<T> {
  if (!(await progressBars(process.stderr, json))) return work();
  const g = await gauge().catch(() => undefined);
  if (!g) return work();
  const size = Math.max(g.total, 1);
  const bar = await terminalBar(`${label} [{bar}] {percentage}% | {done}/{size} MiB`, size, json, { done: mib(0), size: mib(size) });
  if (!bar) return work();
  const show = (bytes: number) => {
    const value = Math.min(Math.max(bytes, 0), size);
    bar.update(value, { done: mib(value) });
  };
  let sampling = false;
  const timer = setInterval(() => {
    if (sampling) return;
    sampling = true;
    void g.done().then(show, () => undefined).finally(() => (sampling = false));
  }, 250);
  try {
    const result = await work();
    show(size);
    return result;
  } finally {
    clearInterval(timer);
    bar.stop();
  }
}

/** Bytes of disk the host tree at `file` takes (its blocks, not following symlinks); what vanished meanwhile counts 0. */
export async function hostDiskUsage(file: string): Promise<number> {
  const info = await lstat(file).catch(() => undefined);
  if (!info) return 0;
  let total = info.blocks * 512;
  if (info.isDirectory()) for (const name of await readdir(file).catch(() => [] as string[])) total += await hostDiskUsage(path.join(file, name));
  return total;
}
