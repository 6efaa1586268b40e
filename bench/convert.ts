/**
 * convert() against bare `qemu-img convert` on a 2 GiB sparse-ish raw image
 * (random data at a few offsets), to qcow2 plain and compressed, in one run;
 * plus the same disk from qcow2 (the path with qemu-img info beside the run).
 * Prints the overhead ratio (target: under 2 %).
 *
 *   npx tsx bench/convert.ts
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { convert } from '../src/convert/index.js';
import { median, printComparisons, timeIt } from './lib.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-bench-convert-'));
  try {
    const src = path.join(work, 'src.raw');
    await execa('truncate', ['-s', '2G', src]);
    for (const offsetMiB of [0, 300, 900, 1500, 2000]) {
      await execa('dd', ['if=/dev/urandom', `of=${src}`, 'bs=1M', 'count=32', `seek=${offsetMiB}`, 'conv=notrunc', 'status=none']);
    }
    // The same disk as qcow2, to measure the path where convert() also asks qemu-img info for the size.
    const srcQcow2 = path.join(work, 'src.qcow2');
    await execa('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', src, srcQcow2]);
    const rows = [];
    const paired: string[] = [];
    const cases = [
      { what: 'raw → qcow2', from: src, fromFormat: 'raw', compress: false, checksum: false },
      { what: 'raw → qcow2 compressed', from: src, fromFormat: 'raw', compress: true, checksum: false },
      { what: 'qcow2 → qcow2', from: srcQcow2, fromFormat: 'qcow2', compress: false, checksum: false },
      { what: 'raw → qcow2 + sha256 (vs + sha256sum)', from: src, fromFormat: 'raw', compress: false, checksum: true },
    ];
    for (const c of cases) {
      const ours: number[] = [];
      const bare: number[] = [];
      const a = path.join(work, 'a.qcow2');
      const b = path.join(work, 'b.qcow2');
      const runOurs = async () => ours.push(await timeIt(() => convert(c.from, a, { format: 'qcow2', compress: c.compress, checksum: c.checksum })));
      const runBare = async () => bare.push(await timeIt(async () => {
        await execa('qemu-img', ['convert', '-p', '-f', c.fromFormat, '-O', 'qcow2', ...(c.compress ? ['-c'] : []), c.from, b]);
        if (c.checksum) await execa('sha256sum', [b]);
      }));
      // The fast cases are short enough for scheduling noise to matter: give them more rounds.
      const rounds = c.compress ? ROUNDS : ROUNDS * 3;
      for (let round = 0; round < rounds; round++) {
        // Alternate who goes first, so neither always gets the warmer page cache.
        for (const run of round % 2 ? [runBare, runOurs] : [runOurs, runBare]) await run();
        await rm(a);
        await rm(b);
      }
      rows.push({ what: `2 GiB ${c.what}`, vmcraftMs: median(ours), baselineMs: median(bare) });
      // Paired: each round ran both back to back, so the median of the per-round differences resists noise best.
      const diffs = ours.map((o, i) => o - bare[i]!);
      paired.push(`${`2 GiB ${c.what}`.padEnd(44)} ${median(diffs).toFixed(1).padStart(8)} ms ${((median(diffs) / median(bare)) * 100).toFixed(2).padStart(8)} %  (${rounds} rounds)`);
    }
    printComparisons(`convert() vs bare qemu-img convert (medians; ${ROUNDS} rounds compressed, ${ROUNDS * 3} otherwise)`, rows);
    console.log(`\npaired overhead (median of per-round differences; target < 2 %)`);
    for (const line of paired) console.log(line);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
