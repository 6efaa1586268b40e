/**
 * The migration pipeline against bare `qemu-img convert` on the Debian
 * fixture given as a vmdk (1.4 GiB virtual, ~310 MiB used), in one run:
 * - the whole pipeline (FETCH → … → VALIDATE with fixers and checks) against
 *   the conversion alone: what inspection, fixing and validation cost;
 * - FETCH + CONVERT only against the conversion: the pipeline's own overhead;
 * - a re-run with every stage reused against the conversion.
 *
 *   npx tsx bench/pipeline.ts
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { plan, run, type PipelineConfig } from '../src/index.js';
import { loadFixtures } from '../test/fixtures/lib/manifest.js';
import { median, printComparisons, timeIt } from './lib.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-bench-pipeline-'));
  try {
    const input = path.join(work, 'web01.vmdk');
    await execa('qemu-img', ['convert', '-f', 'qcow2', '-O', 'vmdk', (await loadFixtures()).debian12!.path, input]);
    const bare = async (round: number) => execa('qemu-img', ['convert', '-f', 'vmdk', '-O', 'qcow2', input, path.join(work, `bare-${round}.qcow2`)]);
    const pipeline = async (round: number, stages?: string[]) => {
      const dir = path.join(work, `run-${round}-${stages ? 'short' : 'full'}`);
      await mkdir(dir, { recursive: true });
      const config: PipelineConfig = { ...(stages ? { stages } : {}), vms: [{ name: 'web01', input: [input], output: { path: path.join(dir, 'web01.qcow2') } }] };
      const report = await run(await plan(config));
      if (report.failed) throw new Error(report.vms[0]!.error!.message);
      return config;
    };
    const times = { full: [] as number[], short: [] as number[], rerun: [] as number[], bare: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate who goes first, so neither always gets the warmer page cache.
      const ours = async () => {
        let config: PipelineConfig | undefined;
        times.full.push(await timeIt(async () => (config = await pipeline(round))));
        times.short.push(await timeIt(() => pipeline(round, ['fetch', 'convert'])));
        times.rerun.push(await timeIt(async () => run(await plan(config!))));
      };
      const baseline = async () => times.bare.push(await timeIt(() => bare(round)));
      if (round % 2) await baseline().then(ours);
      else await ours().then(baseline);
      await rm(path.join(work, `bare-${round}.qcow2`));
      await rm(path.join(work, `run-${round}-full`), { recursive: true });
      await rm(path.join(work, `run-${round}-short`), { recursive: true });
    }
    const base = median(times.bare);
    printComparisons(`pipeline vs qemu-img convert (vmdk → qcow2, median of ${ROUNDS})`, [
      { what: 'whole pipeline (inspect, fix, check, re-inspect)', vmcraftMs: median(times.full), baselineMs: base },
      { what: 'fetch + convert only', vmcraftMs: median(times.short), baselineMs: base },
      { what: 're-run, every stage reused', vmcraftMs: median(times.rerun), baselineMs: base },
    ]);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

await main();
