/**
 * Queued pipelines (BullMQ on a local redis-server) against the local `run()`
 * on the same tiny VMs, in one run:
 * - one worker against `run()` with concurrency 1: the queue's overhead per
 *   VM (enqueue, job fetch, progress and result writes, the VM lock, the
 *   reach check) in ms per job;
 * - two workers against `run()` with concurrency 2;
 * - throughput (VMs a minute) with one and two workers.
 * Workers run in this process (startWorker), timed from the enqueue to the
 * last job's end; each round uses fresh outputs and a queue of its own.
 *
 *   npx tsx bench/scale-queue.ts      (BENCH_ROUNDS, BENCH_VMS)
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { enqueuePipeline, plan, run, startWorker, type PipelineConfig } from '../src/index.js';
import { startRedis } from '../test/helpers/redis.js';
import { tinyLinuxImage } from '../test/helpers/tiny-linux.js';
import { median, printComparisons, timeIt } from './lib.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const VMS = Number(process.env.BENCH_VMS ?? 6);

function config(inputs: string[], out: string, concurrency: number): PipelineConfig {
  return { concurrency, stages: ['fetch', 'flatten', 'inspect', 'fix', 'convert', 'validate'], vms: inputs.map((input, i) => ({ name: `vm${i}`, input: [input], output: { path: path.join(out, `vm${i}.qcow2`) }, fixers: ['fstab'] })) };
}

/** Enqueues the VMs on a queue of their own and runs `workers` workers until every job ended. */
async function queued(url: string, inputs: string[], out: string, queue: string, workers: number): Promise<void> {
  let ended = 0;
  let failed = '';
  let allEnded!: () => void;
  const done = new Promise<void>((resolve) => (allEnded = resolve));
  const started = await Promise.all(Array.from({ length: workers }, () => startWorker({
    connection: { url },
    queue,
    onEvent: (e) => {
      if (e.type !== 'job-end') return;
      if (e.outcome !== 'done') failed ||= `${e.vm}: ${e.error?.code}: ${e.error?.message}`;
      if (++ended === inputs.length) allEnded();
    },
  })));
  try {
    await enqueuePipeline(config(inputs, out, 1), { connection: { url }, queue });
    await done;
    if (failed) throw new Error(failed);
  } finally {
    await Promise.all(started.map((w) => w.close()));
  }
}

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-bench-queue-'));
  const redis = await startRedis();
  try {
    const inputs = await Promise.all(Array.from({ length: VMS }, (_, i) => tinyLinuxImage(work, `vm${i}.raw`)));
    const times = { local1: [] as number[], local2: [] as number[], queue1: [] as number[], queue2: [] as number[] };
    for (let round = 0; round < ROUNDS; round++) {
      const out = async (what: string) => {
        const dir = path.join(work, `${what}-${round}`);
        await mkdir(dir);
        return dir;
      };
      const local = async (concurrency: number) => {
        const report = await run(await plan(config(inputs, await out(`local${concurrency}`), concurrency)));
        if (report.failed) throw new Error(report.vms.find((v) => v.error)!.error!.message);
      };
      // Alternate who goes first, so neither always gets the warmer page cache.
      const order = [
        async () => times.local1.push(await timeIt(() => local(1))),
        async () => times.queue1.push(await timeIt(async () => queued(redis.url, inputs, await out('queue1'), `bench1-${round}`, 1))),
        async () => times.local2.push(await timeIt(() => local(2))),
        async () => times.queue2.push(await timeIt(async () => queued(redis.url, inputs, await out('queue2'), `bench2-${round}`, 2))),
      ];
      for (const step of round % 2 ? order.reverse() : order) await step();
      for (const what of ['local1', 'local2', 'queue1', 'queue2']) await rm(path.join(work, `${what}-${round}`), { recursive: true });
    }
    const [l1, l2, q1, q2] = [median(times.local1), median(times.local2), median(times.queue1), median(times.queue2)];
    printComparisons(`queued pipeline vs run() on ${VMS} tiny VMs (every stage, median of ${ROUNDS}; baseline: run())`, [
      { what: 'per VM: 1 worker vs run() concurrency 1', vmcraftMs: q1 / VMS, baselineMs: l1 / VMS },
      { what: 'batch: 1 worker vs run() concurrency 1', vmcraftMs: q1, baselineMs: l1 },
      { what: 'batch: 2 workers vs run() concurrency 2', vmcraftMs: q2, baselineMs: l2 },
      { what: 'batch: 2 workers vs 1 worker', vmcraftMs: q2, baselineMs: q1 },
    ]);
    const perMinute = (ms: number) => ((VMS * 60_000) / ms).toFixed(1);
    console.log(`queue overhead: ${((q1 - l1) / VMS).toFixed(1)} ms per job (1 worker), ${((q2 - l2) / VMS).toFixed(1)} ms per job (2 workers)`);
    console.log(`throughput: ${perMinute(q1)} VMs/min with 1 worker, ${perMinute(q2)} with 2 (run(): ${perMinute(l1)} at concurrency 1, ${perMinute(l2)} at 2); ${os.cpus().length} cores`);
  } finally {
    await redis.stop();
    await rm(work, { recursive: true, force: true });
  }
}

await main();
