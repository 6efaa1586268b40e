/**
 * VM-mode launch of the built package (dist/, what users run), each in a fresh
 * node process, against host mode and libguestfs measured in the same run:
 * - VM mode: open the Debian fixture read-only with `mode: 'vm'` → inspect →
 *   mount its root → read /etc/hostname → close; wall time of the process, the
 *   session's `vm.boot` / `vm.launch` / `launch` / `inspect` phases from
 *   `g.metrics()`, and the VM's memory: peak RSS (VmHWM) of the
 *   qemu-system-x86_64 descendant of the node process, read while the session
 *   is still open, beside the memory it was given (`-m`, `vm.memoryMiB`), and
 *   the cost of one call: CALLS × `stat('/etc/hostname')` on the mounted
 *   root, each a round trip to the VM's agent;
 * - host mode: the same script with `mode: 'host'` (baseline);
 * - libguestfs, where installed: `guestfish --ro -a IMG -i cat /etc/hostname`
 *   (direct backend, TCG forced), the same job in its appliance VM.
 * Issue 15's target under TCG: VM mode well under libguestfs's launch.
 * Slow (a TCG boot per VM run): BENCH_ROUNDS defaults to 3, after one warm-up round.
 *
 *   npm run build && npx tsx bench/vm-launch.ts [image.qcow2]
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { loadFixtures } from '../test/fixtures/lib/manifest.js';
import { median, printComparisons, timeIt } from './lib.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DIST = path.join(import.meta.dirname, '../dist/index.js');
const AGENT = path.join(import.meta.dirname, '../dist/vm-agent.js');
/** The phases reported, in the order a VM launch goes through them. */
const PHASES = ['vm.boot', 'vm.launch', 'launch', 'inspect', 'mount'] as const;
/** How many small calls in a row measure the per-call cost. */
const CALLS = 200;

/** What the child script prints on its last line of stdout. */
interface ChildReport {
  mode: string;
  phases: Record<string, { count: number; totalMs: number }>;
  /** Milliseconds per `stat` call, the mean of CALLS in a row. */
  callMs: number;
  /** The VM's QEMU while the session was open (VM mode only). */
  qemu?: { pid: number; hwmKiB: number; memoryArg: string };
}

interface Run { ms: number; report: ChildReport }

/**
 * The open → inspect → mount → read → close script in `mode`. In VM mode it
 * finds its QEMU among its descendants (directly its child as root, under
 * setpriv otherwise) and reads its peak RSS before closing.
 */
function openReadClose(image: string, mode: 'vm' | 'host'): string {
  return `
    const { readFileSync, readdirSync } = await import('node:fs');
    const { GuestFS } = await import(${JSON.stringify(DIST)});
    const children = (pid) => {
      try {
        return readdirSync(\`/proc/\${pid}/task\`).flatMap((t) =>
          readFileSync(\`/proc/\${pid}/task/\${t}/children\`, 'utf8').split(' ').filter(Boolean).map(Number));
      } catch { return []; }
    };
    const descendants = (pid) => children(pid).flatMap((c) => [c, ...descendants(c)]);
    const g = await GuestFS.open(${JSON.stringify(image)}, { readonly: true, mode: ${JSON.stringify(mode)} });
    let qemu, phases, runMode, callMs;
    try {
      const [root] = await g.inspectOs();
      await g.mountRoot(root);
      await g.read('/etc/hostname', 'utf8');
      const calls = performance.now();
      for (let i = 0; i < ${CALLS}; i++) await g.stat('/etc/hostname');
      callMs = (performance.now() - calls) / ${CALLS};
      for (const pid of descendants(process.pid)) {
        let exe = '';
        try { exe = readFileSync(\`/proc/\${pid}/comm\`, 'utf8').trim(); } catch { continue; }
        if (!exe.startsWith('qemu-system')) continue;
        const status = readFileSync(\`/proc/\${pid}/status\`, 'utf8');
        const argv = readFileSync(\`/proc/\${pid}/cmdline\`, 'utf8').split('\\0');
        qemu = { pid, hwmKiB: Number(/^VmHWM:\\s+(\\d+)/m.exec(status)[1]), memoryArg: argv[argv.indexOf('-m') + 1] ?? '?' };
      }
    } finally {
      phases = g.metrics();
      runMode = g.mode;
      await g.close();
    }
    console.log('\\n' + JSON.stringify({ mode: runMode, phases, callMs, qemu }));
  `;
}

/** Runs `code` as an ES module in a fresh node; its wall time and the report it printed. */
async function nodeRun(code: string): Promise<Run> {
  let stdout = '';
  const ms = await timeIt(async () => ({ stdout } = await execa(process.execPath, ['--input-type=module', '-e', code])));
  return { ms, report: JSON.parse(stdout.trim().split('\n').pop()!) as ChildReport };
}

/** The same job with libguestfs: its appliance under TCG, inspected (-i), the file read. */
async function guestfish(image: string): Promise<number> {
  const env = { LIBGUESTFS_BACKEND: 'direct', LIBGUESTFS_BACKEND_SETTINGS: 'force_tcg' };
  return timeIt(() => execa('guestfish', ['--ro', '-a', image, '-i', 'cat', '/etc/hostname'], { env }));
}

async function main(): Promise<void> {
  for (const file of [DIST, AGENT]) {
    await access(file).catch(() => {
      throw new Error(`${file} is missing: run \`npm run build\` first`);
    });
  }
  const image = process.argv[2] ?? (await loadFixtures()).debian12!.path;
  const libguestfs = await execa('guestfish', ['--version'], { reject: false }).then((r) => (r.exitCode === 0 ? r.stdout.trim() : undefined));
  if (!libguestfs) console.log('libguestfs: guestfish is not installed, its row is skipped (apt-get install libguestfs-tools to compare)');
  const runs = { vm: [] as Run[], host: [] as Run[], libguestfs: [] as number[] };
  for (let round = 0; round <= ROUNDS; round++) {
    const measures = [
      async () => runs.vm.push(await nodeRun(openReadClose(image, 'vm'))),
      async () => runs.host.push(await nodeRun(openReadClose(image, 'host'))),
      async () => {
        if (libguestfs) runs.libguestfs.push(await guestfish(image));
      },
    ];
    // Rotate who goes first, so none always meets the colder caches.
    for (let i = 0; i < measures.length; i++) await measures[(round + i) % measures.length]!();
    // Warm-up: page cache, the VM's cached kernel and initramfs, libguestfs's appliance.
    if (round === 0) for (const list of Object.values(runs)) list.length = 0;
  }
  for (const run of runs.vm) if (run.report.mode !== 'vm') throw new Error(`a VM-mode run ran in ${run.report.mode} mode`);

  const vmMs = median(runs.vm.map((r) => r.ms));
  const hostMs = median(runs.host.map((r) => r.ms));
  const what = 'open → inspect → mount → cat /etc/hostname → close, a fresh node each';
  printComparisons(`VM mode against host mode: ${what} (median of ${ROUNDS})`, [
    { what: 'VM mode / host mode', vmcraftMs: vmMs, baselineMs: hostMs },
  ]);
  if (runs.libguestfs.length) {
    printComparisons(`VM mode against libguestfs: \`guestfish --ro -a IMG -i cat /etc/hostname\` (${libguestfs}, direct backend, TCG; median of ${ROUNDS})`, [
      { what: 'VM mode / libguestfs', vmcraftMs: vmMs, baselineMs: median(runs.libguestfs) },
    ]);
  }

  console.log(`\nmedians of ${ROUNDS} (ms)`);
  const row = (name: string, list: number[]) => console.log(`  ${name.padEnd(52)} ${median(list).toFixed(1).padStart(9)}`);
  row('VM mode, whole process', runs.vm.map((r) => r.ms));
  row('host mode, whole process', runs.host.map((r) => r.ms));
  if (runs.libguestfs.length) row('libguestfs, whole guestfish', runs.libguestfs);
  else console.log(`  ${'libguestfs'.padEnd(52)}   not installed`);
  for (const [mode, list] of [['VM', runs.vm], ['host', runs.host]] as const) {
    for (const phase of PHASES) {
      const times = list.flatMap((r) => (r.report.phases[phase] ? [r.report.phases[phase]!.totalMs] : []));
      const note = mode === 'VM' && phase === 'launch' ? ' (holds vm.boot, vm.launch)' : '';
      if (times.length) row(`  ${mode} mode phase ${phase}${note}`, times);
    }
  }

  console.log(`\nper call (stat, ${CALLS} in a row, ms): VM mode ${median(runs.vm.map((r) => r.report.callMs)).toFixed(3)}, host mode ${median(runs.host.map((r) => r.report.callMs)).toFixed(3)}`);

  const qemu = runs.vm.flatMap((r) => (r.report.qemu ? [r.report.qemu] : []));
  if (qemu.length) {
    const hwm = qemu.map((q) => q.hwmKiB / 1024);
    const given = [...new Set(qemu.map((q) => q.memoryArg))].join(', ');
    console.log(`\nVM memory: qemu-system-x86_64 peak RSS (VmHWM) median ${median(hwm).toFixed(0)} MiB (min ${Math.min(...hwm).toFixed(0)}, max ${Math.max(...hwm).toFixed(0)}), given -m ${given} MiB (vm.memoryMiB, default 1024)`);
  } else {
    console.log('\nVM memory: no qemu-system process found under the VM-mode runs');
  }
}

await main();
