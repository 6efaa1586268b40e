/** Small helpers shared by the benchmarks: timing, medians, a ratio table, a mounted guest. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GuestFS } from '../src/index.js';
import { mountsUnder } from '../src/core/mountinfo.js';

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

/** A read-only session with its inspected root mounted, and the host directory of that root (for bare tools). */
export interface MountedGuest {
  g: GuestFS;
  root: string;
  /** A scratch directory of the run (the session's tmpDir), removed by close(). */
  tmpDir: string;
  /** Closes the session and removes its scratch directory. */
  close(): Promise<void>;
}

/** Opens `argv[2]` (default: the Debian fixture) read-only and mounts its root, as the walk benchmarks need. */
export async function mountedGuest(): Promise<MountedGuest> {
  const image = process.argv[2] ?? path.join(process.env.VMCRAFT_FIXTURES ?? '/var/cache/vmcraft/fixtures', 'debian12.qcow2');
  const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-bench-'));
  const g = await GuestFS.open(image, { readonly: true, tmpDir });
  const close = async () => {
    await g.close();
    await rm(tmpDir, { recursive: true, force: true });
  };
  try {
    await g.mountRoot((await g.inspectOs())[0]!);
    // The guest root is the session's mount named root (its /boot is mounted below it).
    const root = (await mountsUnder(tmpDir)).find((m) => path.basename(m.mountPoint) === 'root')!.mountPoint;
    return { g, root, tmpDir, close };
  } catch (err) {
    await close();
    throw err;
  }
}
