/**
 * Cold start of the built package (dist/, what users run), each in a fresh
 * node process, against a bare `node -e 0` measured in the same run:
 * - `import('vmcraft')`: wall time as a ratio, peak RSS over bare node;
 * - a whole open → read → close script (open the Debian fixture read-only,
 *   inspect, mount its root, read /etc/hostname, close) as a ratio, with its
 *   floor: bare node plus the same steps as bare shell commands
 *   (qemu-storage-daemon + losetup + partx + mount + cat, and their teardown).
 * Issue 14's targets: import ≤ 2× and ≤ 10 MB over bare node; the script ≤ 3×.
 *
 *   npm run build && npx tsx bench/cold-start.ts [image.qcow2]
 */
import { access, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { loadFixtures } from '../test/fixtures/lib/manifest.js';
import { median, printComparisons, timeIt } from './lib.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const DIST = path.join(import.meta.dirname, '../dist/index.js');

// Every child prints its peak RSS (KiB) as its last line of stderr when it exits.
const REPORT_RSS = "process.on('exit', () => process.stderr.write(`\\n${process.resourceUsage().maxRSS}\\n`));";

interface Run { ms: number; rssMiB: number }

/** Runs `code` as an ES module in a fresh node; its wall time and peak RSS. */
async function nodeRun(code: string): Promise<Run> {
  let stderr = '';
  const ms = await timeIt(async () => ({ stderr } = await execa(process.execPath, ['--input-type=module', '-e', `${REPORT_RSS}\n${code}`])));
  return { ms, rssMiB: Number(stderr.trim().split('\n').pop()) / 1024 };
}

/** The open → read → close script users would write. */
function openReadClose(image: string): string {
  return `
    const { GuestFS } = await import(${JSON.stringify(DIST)});
    const g = await GuestFS.open(${JSON.stringify(image)}, { readonly: true });
    const [root] = await g.inspectOs();
    await g.mountRoot(root);
    await g.read('/etc/hostname', 'utf8');
    await g.close();
  `;
}

/**
 * The same steps as one shell script, with no checks: export the image over FUSE,
 * loop device and partitions, mount the OS's filesystems, cat, then undo it all.
 */
function bareSteps(image: string, work: string, mountpoints: { mountpoint: string; device: string }[]): string {
  const blockdev = { driver: 'qcow2', 'node-name': 'd', 'read-only': true, file: { driver: 'file', filename: image, 'read-only': true } };
  const exp = { type: 'fuse', id: 'e', 'node-name': 'd', mountpoint: `${work}/disk.raw`, writable: false };
  const byDepth = [...mountpoints].sort((a, b) => a.mountpoint.length - b.mountpoint.length);
  const partition = (device: string) => `"$loop"p${/\d+$/.exec(device)![0]}`;
  const q = (s: string) => `'${s}'`;
  return [
    `touch ${work}/disk.raw && mkdir -p ${work}/root`,
    `qemu-storage-daemon --daemonize --pidfile ${work}/pid --blockdev ${q(JSON.stringify(blockdev))} --export ${q(JSON.stringify(exp))}`,
    `loop=$(losetup --find --show --read-only ${work}/disk.raw)`,
    'partx -a "$loop"',
    ...byDepth.map((m) => `mount -o ro,noload ${partition(m.device)} ${work}/root${m.mountpoint}`),
    `cat ${work}/root/etc/hostname >/dev/null`,
    ...byDepth.reverse().map((m) => `umount ${work}/root${m.mountpoint}`),
    'partx -d "$loop"',
    'losetup -d "$loop"',
    // Until it has exited: daemonized, it is not our child, and may stay a zombie until init reaps it.
    `pid=$(cat ${work}/pid); kill "$pid"; while [ "$(cut -d' ' -f3 /proc/$pid/stat 2>/dev/null || echo X)" != Z ] && [ -e /proc/$pid ]; do sleep 0.01; done`,
  ].join('\n');
}

async function main(): Promise<void> {
  await access(DIST).catch(() => {
    throw new Error(`${DIST} is missing: run \`npm run build\` first`);
  });
  const debian = (await loadFixtures()).debian12!;
  const image = process.argv[2] ?? debian.path;
  const work = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-bench-cold-'));
  const runs = { bare: [] as Run[], imported: [] as Run[], script: [] as Run[], steps: [] as number[] };
  try {
    for (let round = 0; round <= ROUNDS; round++) {
      const measures = [
        async () => runs.bare.push(await nodeRun('')),
        async () => runs.imported.push(await nodeRun(`await import(${JSON.stringify(DIST)});`)),
        async () => runs.script.push(await nodeRun(openReadClose(image))),
        async () => {
          // Only for the fixture: the shell steps need to know its partitions.
          if (image === debian.path) runs.steps.push(await timeIt(() => execa('sh', ['-ec', bareSteps(image, work, debian.os!.mountpoints)])));
        },
      ];
      // Rotate who goes first, so none always meets the colder caches.
      for (let i = 0; i < measures.length; i++) await measures[(round + i) % measures.length]!();
      if (round === 0) for (const list of Object.values(runs)) list.length = 0; // warm-up: page cache, fixture, tools
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  const bareMs = median(runs.bare.map((r) => r.ms));
  const bareRss = median(runs.bare.map((r) => r.rssMiB));
  printComparisons(`cold start of dist/ against bare \`node -e 0\` (median of ${ROUNDS})`, [
    { what: "import('vmcraft')", vmcraftMs: median(runs.imported.map((r) => r.ms)), baselineMs: bareMs },
    { what: `open → inspect → mount → read → close`, vmcraftMs: median(runs.script.map((r) => r.ms)), baselineMs: bareMs },
    ...(runs.steps.length ? [{ what: '  its floor: node + the bare shell steps', vmcraftMs: bareMs + median(runs.steps), baselineMs: bareMs }] : []),
  ]);
  const over = (list: Run[]) => (median(list.map((r) => r.rssMiB)) - bareRss).toFixed(1);
  console.log(`\npeak RSS over bare node (${bareRss.toFixed(0)} MiB): import +${over(runs.imported)} MiB, open → read → close +${over(runs.script)} MiB`);
}

await main();
