/** Small helpers shared by the benchmarks: timing, medians and a ratio table. */

/** Runs `fn` and returns its duration in milliseconds. */
export async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** The median of a list of numbers. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One measured line: what, vmcraft's time, the baseline's time. */
export interface Comparison {
  what: string;
  vmcraftMs: number;
  baselineMs: number;
}

/** Prints comparisons as a table with ratios (vmcraft / baseline). */
export function printComparisons(title: string, rows: Comparison[]): void {
  console.log(`\n${title}`);
  console.log(`${'what'.padEnd(44)} ${'vmcraft ms'.padStart(11)} ${'baseline ms'.padStart(12)} ${'ratio'.padStart(7)}`);
  for (const r of rows) {
    const ratio = r.vmcraftMs / r.baselineMs;
    console.log(`${r.what.padEnd(44)} ${r.vmcraftMs.toFixed(1).padStart(11)} ${r.baselineMs.toFixed(1).padStart(12)} ${ratio.toFixed(2).padStart(7)}`);
  }
}
