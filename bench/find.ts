/**
 * Walking a whole guest: `g.find('/')` against a bare `find ROOT`, and
 * `g.checksumsOut('sha256', '/')` (libguestfs `checksums_out`) against a bare
 * `find ROOT -type f -print0 | xargs -0 sha256sum`, on the same mounted Debian
 * fixture (read-only), in one run, medians printed as ratios.
 *
 *   npx tsx bench/find.ts [image.qcow2]
 */
import path from 'node:path';
import { execa } from 'execa';
import { median, mountedGuest, printComparisons, timeIt } from './lib.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

const { g, root, tmpDir, close } = await mountedGuest();
try {
  const sums = path.join(tmpDir, 'sums');
  const times = { find: [] as number[], bareFind: [] as number[], sums: [] as number[], bareSums: [] as number[] };
  // One warm-up pass each, so every round reads from the page cache.
  await g.find('/');
  await execa('sh', ['-c', 'find "$1" -type f -print0 | xargs -0 sha256sum >/dev/null', 'sh', root]);
  for (let i = 0; i < ROUNDS; i++) {
    times.find.push(await timeIt(() => g.find('/')));
    times.bareFind.push(await timeIt(() => execa('find', [root], { stdout: 'ignore' })));
    times.sums.push(await timeIt(() => g.checksumsOut('sha256', '/', sums)));
    times.bareSums.push(await timeIt(() => execa('sh', ['-c', 'find "$1" -type f -print0 | xargs -0 sha256sum >"$2"', 'sh', root, sums])));
  }
  console.log(`${(await g.find('/')).length} entries`);
  printComparisons(`walking the guest (median of ${ROUNDS})`, [
    { what: "find('/') vs find ROOT", vmcraftMs: median(times.find), baselineMs: median(times.bareFind) },
    { what: "checksumsOut('sha256','/') vs find|xargs sha256sum", vmcraftMs: median(times.sums), baselineMs: median(times.bareSums) },
  ]);
} finally {
  await close();
}
