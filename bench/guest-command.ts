/**
 * A guest command's cost: `g.command(['true'])` in the sandbox against a bare
 * `chroot ROOT /bin/true` and a bare `bwrap` with only a root, /dev and /proc
 * (no user namespace, covers or filter), on the same mounted Debian fixture,
 * in one run, printed as ratios.
 *
 *   npx tsx bench/guest-command.ts [image.qcow2]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { GuestFS } from '../src/index.js';
import { mountsUnder } from '../src/core/mountinfo.js';
import { median, printComparisons, timeIt } from './lib.js';

const FIXTURES = process.env.VMCRAFT_FIXTURES ?? '/var/cache/vmcraft/fixtures';
const image = process.argv[2] ?? path.join(FIXTURES, 'debian12.qcow2');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);

const tmpDir = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-bench-'));
const g = await GuestFS.open(image, { readonly: true, tmpDir });
try {
  await g.mountRoot((await g.inspectOs())[0]!);
  // The guest root is the session's mount named root (its /boot is mounted below it).
  const root = (await mountsUnder(tmpDir)).find((m) => path.basename(m.mountPoint) === 'root')!.mountPoint;
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
  await g.close();
  await rm(tmpDir, { recursive: true, force: true });
}
