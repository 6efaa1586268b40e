/**
 * Launch + inspect through each backend (nbd, fuse, loop) on the same image,
 * as ratios to the fastest. Needs a kernel with nbd: run it in the VM harness,
 *   npx tsx test/vm/run.ts -- npx tsx bench/backends.ts
 * (absolute times under emulation mean little; the ratios do).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { GuestFS, type BackendName } from '../src/index.js';
import { median, timeIt } from './lib.js';

const FIXTURES = process.env.VMCRAFT_FIXTURES ?? '/var/cache/vmcraft/fixtures';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-bench-backends-'));
  try {
    // The same disk as qcow2 (for nbd and fuse) and as raw (for loop, and nbd/fuse on raw).
    const qcow2 = path.join(FIXTURES, 'debian12.qcow2');
    const raw = path.join(work, 'debian12.raw');
    await execa('qemu-img', ['convert', '-f', 'qcow2', '-O', 'raw', qcow2, raw]);
    const cases: [string, string, BackendName][] = [
      ['qcow2', qcow2, 'nbd'], ['qcow2', qcow2, 'fuse'], ['raw', raw, 'nbd'], ['raw', raw, 'fuse'], ['raw', raw, 'loop'],
    ];
    const results: { what: string; ms: number }[] = [];
    for (const [format, image, backend] of cases) {
      const times: number[] = [];
      for (let round = 0; round <= ROUNDS; round++) {
        const t = await timeIt(async () => {
          await using g = await GuestFS.open(image, { readonly: true, backend, tmpDir: work });
          await g.inspectOs();
        });
        if (round > 0) times.push(t);
      }
      results.push({ what: `${format} via ${backend}`, ms: median(times) });
    }
    const fastest = Math.min(...results.map((r) => r.ms));
    console.log(`\nlaunch + inspectOs + close by backend (median of ${ROUNDS}; ratio to the fastest)`);
    for (const r of results) console.log(`${r.what.padEnd(16)} ${r.ms.toFixed(0).padStart(8)} ms ${(r.ms / fastest).toFixed(2).padStart(7)}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
