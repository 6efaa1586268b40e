/**
 * Launch + inspect and a 100 MiB read on the Debian fixture, through vmcraft
 * and through the same steps as bare shell commands (qemu-storage-daemon +
 * losetup + partx + mount + cat), in one run, printed as ratios; plus RSS.
 *
 *   npx tsx bench/launch.ts [image.qcow2] [guest file]
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { GuestFS } from '../src/index.js';
import { median, printComparisons, timeIt } from './lib.js';

const FIXTURES = process.env.VMCRAFT_FIXTURES ?? '/var/cache/vmcraft/fixtures';
const image = process.argv[2] ?? path.join(FIXTURES, 'debian12.qcow2');
const bigFile = process.argv[3] ?? '/srv/bench/100M.bin';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/** The bare-commands baseline: what a shell script would do, with no checks. */
async function bareLaunchAndMount(work: string): Promise<{ mountAll: () => Promise<void>; teardown: () => Promise<void>; root: string }> {
  const exp = path.join(work, 'disk.raw');
  const pid = path.join(work, 'pid');
  await writeFile(exp, '');
  const blockdev = { driver: 'qcow2', 'node-name': 'd', 'read-only': true, file: { driver: 'file', filename: image, 'read-only': true } };
  await execa('qemu-storage-daemon', ['--daemonize', '--pidfile', pid, '--blockdev', JSON.stringify(blockdev), '--export', JSON.stringify({ type: 'fuse', id: 'e', 'node-name': 'd', mountpoint: exp, writable: false })]);
  const { stdout: loop } = await execa('losetup', ['--find', '--show', '--read-only', exp]);
  await execa('partx', ['-a', loop]);
  const root = path.join(work, 'root');
  await mkdir(root);
  return {
    root,
    mountAll: async () => {
      await execa('mount', ['-o', 'ro,noload', `${loop}p2`, root]);
      await execa('mount', ['-o', 'ro,noload', `${loop}p1`, path.join(root, 'boot')]);
    },
    teardown: async () => {
      await execa('umount', [path.join(root, 'boot')]).catch(() => undefined);
      await execa('umount', [root]).catch(() => undefined);
      await execa('partx', ['-d', loop]).catch(() => undefined);
      await execa('losetup', ['-d', loop]);
      process.kill(Number(await readFile(pid, 'utf8')), 'SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
    },
  };
}

interface RoundTimes { launch: number; read: number }

/** vmcraft: open + inspect + mount root, then download the big file. */
async function vmcraftRound(work: string): Promise<RoundTimes & { rss: number }> {
  let g: GuestFS | undefined;
  const launch = await timeIt(async () => {
    g = await GuestFS.open(image, { readonly: true, tmpDir: work });
    const [root] = await g.inspectOs();
    await g.mountRoot(root!);
  });
  const out = path.join(work, 'out.bin');
  const read = await timeIt(() => g!.download(bigFile, out));
  const rss = process.memoryUsage().rss;
  await g!.close();
  await rm(out);
  return { launch, read, rss };
}

/** The same steps as bare commands (inspection = reading os-release), then `cat` the big file. */
async function bareRound(work: string): Promise<RoundTimes> {
  const dir = await mkdtemp(path.join(work, 'bare-'));
  let bare: Awaited<ReturnType<typeof bareLaunchAndMount>> | undefined;
  const launch = await timeIt(async () => {
    bare = await bareLaunchAndMount(dir);
    await bare.mountAll();
    await readFile(path.join(bare.root, 'etc/os-release'));
  });
  const out = path.join(work, 'out.bin');
  const read = await timeIt(() => execa('sh', ['-c', `cat "${path.join(bare!.root, bigFile)}" > "${out}"`]));
  await bare!.teardown();
  await rm(out);
  return { launch, read };
}

async function main(): Promise<void> {
  const work = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-bench-'));
  const ours: RoundTimes[] = [];
  const bare: RoundTimes[] = [];
  let rssPeak = 0;
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      // Alternate which goes first, so neither always meets the colder caches.
      const first = round % 2 === 0;
      const b1 = first ? undefined : await bareRound(work);
      const v = await vmcraftRound(work);
      const b = b1 ?? (await bareRound(work));
      rssPeak = Math.max(rssPeak, v.rss);
      if (round === 0) continue; // warm-up round: page cache and JIT
      ours.push(v);
      bare.push(b);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  printComparisons(`vmcraft vs bare commands on ${path.basename(image)} (median of ${ROUNDS} rounds)`, [
    { what: 'launch + inspect + mount root', vmcraftMs: median(ours.map((r) => r.launch)), baselineMs: median(bare.map((r) => r.launch)) },
    { what: `read ${bigFile}`, vmcraftMs: median(ours.map((r) => r.read)), baselineMs: median(bare.map((r) => r.read)) },
  ]);
  console.log(`\npeak RSS of this process: ${(rssPeak / 1024 / 1024).toFixed(0)} MiB`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
