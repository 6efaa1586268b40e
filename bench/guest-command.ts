/**
 * A guest command's cost: `g.command(['true'])` in the sandbox against a bare
 * `chroot ROOT /bin/true` and a bare `bwrap` with only a root, /dev and /proc
 * (no user namespace, covers or filter), on the same mounted Debian fixture,
 * in one run, printed as ratios.
 *
 *   npx tsx bench/guest-command.ts [image.qcow2]
 */
import { execa } from 'execa';
import { median, mountedGuest, printComparisons, timeIt } from './lib.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);

const { g, root, close } = await mountedGuest();
try {
  const times = { vmcraft: [] as number[], chroot: [] as number[], bwrap: [] as number[] };
  for (let i = 0; i < ROUNDS; i++) {
    times.vmcraft.push(await timeIt(() => g.command(['true'])));
    times.chroot.push(await timeIt(() => execa('chroot', [root, '/bin/true'])));
    times.bwrap.push(await timeIt(() => execa('bwrap', ['--bind', root, '/', '--dev', '/dev', '--proc', '/proc', '--unshare-pid', '--', '/bin/true'])));
  }
  printComparisons(`guest command (median of ${ROUNDS})`, [
    { what: 'command(["true"]) vs chroot ROOT true', vmcraftMs: median(times.vmcraft), baselineMs: median(times.chroot) },
    { what: 'command(["true"]) vs bare bwrap', vmcraftMs: median(times.vmcraft), baselineMs: median(times.bwrap) },
  ]);
} finally {
  await close();
}
