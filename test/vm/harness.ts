/**
 * Runs a command inside a throwaway VM whose kernel has what these machines'
 * kernel lacks (nbd, device-mapper, md, vfat, ntfs3), with the host's own
 * userland (9p root, read-only, under a tmpfs overlay) and the project shared
 * read-write at the same path. QEMU under TCG (KVM hangs here, HOST.md).
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { VmcraftError } from '../../src/core/errors.js';
import { Runner } from '../../src/core/exec.js';
import { ensureInitramfs, INIT_PRELUDE, type InitramfsRecipe } from '../../src/vm/initramfs.js';
import { findKernel } from '../../src/vm/kernel.js';
import { QEMU_SYSTEM, qemuArgs } from '../../src/vm/qemu.js';
import { BOOT_MARKER, bootMarkerFilter } from './console.js';

/** Options of {@link runInVm}. */
export interface VmOptions {
  /** Working directory inside the VM. @default the project directory */
  cwd?: string;
  /** Kill the VM after this long. @default 20 minutes */
  timeoutMs?: number;
  /** Guest memory. @default 3072 */
  memoryMiB?: number;
  /** Guest vCPUs. @default 2 */
  cpus?: number;
  /** Environment variables for the command. */
  env?: Record<string, string>;
  /** Receives the VM console as it arrives (kernel messages and the command's stdout and stderr). */
  onOutput?: (text: string) => void;
  /** A host directory shared read-write as /vmcraft-results (a temp dir, removed afterwards, when not given). */
  resultsDir?: string;
  /** Stops the VM (QEMU is killed, temp files removed, the promise rejects with `EABORTED`). */
  signal?: AbortSignal;
}

/** What a VM run gave. */
export interface VmResult {
  /** The command's exit code; undefined when the VM stopped before the command ended. */
  exitCode?: number;
  /** True when the time limit killed the VM. */
  timedOut: boolean;
  /** The whole console (the boot marker line left out). */
  output: string;
  /** From starting QEMU to the command starting in the guest; undefined when it never started. */
  bootMs?: number;
  /** From starting QEMU to QEMU's exit. */
  durationMs: number;
}

/** The project directory, shared read-write at the same path inside the VM. */
export const PROJECT_DIR = path.resolve(import.meta.dirname, '../..');
/** Shared read-write, so fixtures built inside the VM survive it (and later runs reuse them). */
const CACHE = '/var/cache/vmcraft';
/** The path of the results share inside the VM. */
export const VM_RESULTS_DIR = '/vmcraft-results';
const DEFAULT_TIMEOUT_MS = 20 * 60_000;

/** The harness's first stage: load modules, overlay the host's whole root (9p, read-only) with tmpfs, mount the shares, switch into it. */
const HARNESS_INIT = `${INIT_PRELUDE}arg() { sed -n "s/.*$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline; }
PROJECT=$(arg vmcraft.project)
opts=trans=virtio,version=9p2000.L,msize=512000
mkdir -p /ro /rw /newroot
mount -t 9p -o $opts,ro,cache=loose hostroot /ro || { echo "vmcraft-vm: cannot mount the host root"; poweroff -f; }
mount -t tmpfs -o size=4g tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/ro,upperdir=/rw/upper,workdir=/rw/work /newroot
mount -t 9p -o $opts,cache=loose project "/newroot$PROJECT"
mkdir -p /newroot/vmcraft-results /newroot/var/cache/vmcraft
mount -t 9p -o $opts results /newroot/vmcraft-results
mount -t 9p -o $opts cache /newroot/var/cache/vmcraft
for d in proc sys dev; do mount --move /$d /newroot/$d; done
exec switch_root /newroot /bin/sh /vmcraft-results/stage2.sh
`;

/** The harness's initramfs. */
export const HARNESS_INITRAMFS: InitramfsRecipe = { name: 'harness', init: HARNESS_INIT, modules: ['virtio_pci', 'virtio_blk', '9pnet_virtio', '9p', 'overlay'] };

/** Quotes a word for sh (plain words stay as they are, for readable command lines). */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}

/** Writes what the second stage reads from the results share: itself, the command, its environment. */
async function prepareResults(results: string, command: string, options: VmOptions): Promise<void> {
  await copyFile(path.join(import.meta.dirname, 'stage2.sh'), path.join(results, 'stage2.sh'));
  await writeFile(path.join(results, 'cmd.sh'), `${command}\n`);
  // CI=true: the console is a serial line, not a terminal, so reporters print plain lines.
  const env = { VMCRAFT_CWD: options.cwd ?? PROJECT_DIR, VMCRAFT_IN_VM: '1', VMCRAFT_BOOT_MARKER: BOOT_MARKER, CI: 'true', ...options.env };
  await writeFile(path.join(results, 'env.sh'), Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`).join('\n') + '\n');
  await rm(path.join(results, 'exit-code'), { force: true });
}

function vmArgs(kernelImage: string, initramfs: string, results: string, options: VmOptions): string[] {
  return qemuArgs({
    kernel: kernelImage, initramfs, accel: 'tcg', memoryMiB: options.memoryMiB ?? 3072, cpus: options.cpus ?? 2,
    append: `vmcraft.project=${PROJECT_DIR}`,
    shares: [
      { path: '/', tag: 'hostroot', readonly: true }, { path: PROJECT_DIR, tag: 'project' }, { path: results, tag: 'results' }, { path: CACHE, tag: 'cache' },
    ],
  });
}

/** Removes the temp dirs of runs whose process died (SIGKILL leaves no chance to clean up). */
async function removeStaleResultDirs(): Promise<void> {
  for (const name of await readdir(os.tmpdir())) {
    const pid = Number(/^vmcraft-vm-(\d+)-\w{6}$/.exec(name)?.[1]);
    if (pid && !isAlive(pid)) await rm(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Boots the VM, runs `command` (a shell command line, as root, cwd = the project
 * directory) in it and powers it off. QEMU runs with a parent-death signal, so it
 * dies with this process even on SIGKILL; on abort or timeout it is killed here.
 */
export async function runInVm(command: string, options: VmOptions = {}): Promise<VmResult> {
  const kernel = await findKernel();
  const initramfs = await ensureInitramfs(kernel.version, HARNESS_INITRAMFS);
  const ownResults = !options.resultsDir;
  if (ownResults) await removeStaleResultDirs();
  const results = options.resultsDir ?? (await mkdtemp(path.join(os.tmpdir(), `vmcraft-vm-${process.pid}-`)));
  try {
    await mkdir(CACHE, { recursive: true });
    await prepareResults(results, command, options);
    let output = '';
    let bootMs: number | undefined;
    const started = performance.now();
    const filter = bootMarkerFilter(() => (bootMs = Math.round(performance.now() - started)));
    let timedOut = false;
    try {
      await new Runner().run('setpriv', ['--pdeathsig', 'KILL', QEMU_SYSTEM, ...vmArgs(kernel.image, initramfs, results, options)], {
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        signal: options.signal,
        onStdout: (chunk) => {
          const text = filter(chunk);
          output += text;
          if (text) options.onOutput?.(text);
        },
      });
    } catch (err) {
      if (!(err instanceof VmcraftError && err.code === 'ETIMEOUT')) throw err;
      timedOut = true;
    }
    const rest = filter(undefined);
    output += rest;
    if (rest) options.onOutput?.(rest);
    const durationMs = Math.round(performance.now() - started);
    const code = await readFile(path.join(results, 'exit-code'), 'utf8').catch(() => undefined);
    return { ...(code !== undefined ? { exitCode: Number(code.trim()) } : {}), timedOut, output, ...(bootMs !== undefined ? { bootMs } : {}), durationMs };
  } finally {
    if (ownResults) await rm(results, { recursive: true, force: true });
  }
}
