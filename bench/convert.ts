/**
 * convert() against bare `qemu-img convert` on a 2 GiB sparse-ish raw image
 * (random data at a few offsets), to qcow2 plain and compressed, in one run.
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
    const rows = [];
    const cases = [
      { what: 'raw → qcow2', compress: false, checksum: false },
      { what: 'raw → qcow2 compressed', compress: true, checksum: false },
      { what: 'raw → qcow2 + sha256 (vs + sha256sum)', compress: false, checksum: true },
    ];
    for (const c of cases) {
      const ours: number[] = [];
      const bare: number[] = [];
      const a = path.join(work, 'a.qcow2');
      const b = path.join(work, 'b.qcow2');
      const runOurs = async () => ours.push(await timeIt(() => convert(src, a, { format: 'qcow2', compress: c.compress, checksum: c.checksum })));
      const runBare = async () => bare.push(await timeIt(async () => {
        await execa('qemu-img', ['convert', '-p', '-f', 'raw', '-O', 'qcow2', ...(c.compress ? ['-c'] : []), src, b]);
        if (c.checksum) await execa('sha256sum', [b]);
      }));
      for (let round = 0; round < ROUNDS; round++) {
        // Alternate who goes first, so neither always gets the warmer page cache.
        for (const run of round % 2 ? [runBare, runOurs] : [runOurs, runBare]) await run();
        await rm(a);
        await rm(b);
      }
      rows.push({ what: `2 GiB ${c.what}`, vmcraftMs: median(ours), baselineMs: median(bare) });
    }
    printComparisons(`convert() vs bare qemu-img convert (median of ${ROUNDS})`, rows);
    for (const r of rows) console.log(`${r.what}: overhead ${(((r.vmcraftMs - r.baselineMs) / r.baselineMs) * 100).toFixed(2)} % (target < 2 %)`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
