/**
 * Runs a command inside a throwaway VM whose kernel has what these machines'
 * kernel lacks (nbd, device-mapper, md, vfat, ntfs3), with the host's own
 * userland (9p root, read-only, under a tmpfs overlay) and the project shared
 * read-write at the same path. QEMU under TCG (KVM hangs here, HOST.md).
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { ensureInitramfs, findKernel } from './initramfs.js';

/** Options of {@link runInVm}. */
export interface VmOptions {
  /** Working directory inside the VM. @default the project directory */
  cwd?: string;
  /** Kill the VM after this long. @default 20 minutes */
  timeoutMs?: number;
  memoryMiB?: number;
  cpus?: number;
  /** Environment variables for the command. */
  env?: Record<string, string>;
  /** Receives the VM console (kernel messages and the command's output). */
  onOutput?: (text: string) => void;
  /** A host directory shared read-write as /vmcraft-results (a temp dir when not given). */
  resultsDir?: string;
}

/** What a VM run gave. */
export interface VmResult {
  /** The command's exit code; undefined when the VM died before the command ended. */
  exitCode?: number;
  output: string;
  durationMs: number;
}

const PROJECT = path.resolve(import.meta.dirname, '../..');
/** Shared read-write, so fixtures built inside the VM survive it (and later runs reuse them). */
const CACHE = '/var/cache/vmcraft';

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, "'\\''")}'`;
}

/** Boots the VM, runs `command` (a shell command line) in it and powers it off. */
export async function runInVm(command: string, options: VmOptions = {}): Promise<VmResult> {
  const kernel = await findKernel();
  const initramfs = await ensureInitramfs(kernel.version);
  const ownResults = !options.resultsDir;
  const results = options.resultsDir ?? (await mkdtemp(path.join(os.tmpdir(), 'vmcraft-vm-')));
  const started = performance.now();
  await mkdir(CACHE, { recursive: true });
  try {
    await copyFile(path.join(import.meta.dirname, 'stage2.sh'), path.join(results, 'stage2.sh'));
    await writeFile(path.join(results, 'cmd.sh'), `${command}\n`);
    // CI=true: the console is a serial line, not a terminal, so reporters print plain lines.
    const env = { VMCRAFT_CWD: options.cwd ?? PROJECT, VMCRAFT_IN_VM: '1', CI: 'true', ...options.env };
    await writeFile(path.join(results, 'env.sh'), Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`).join('\n') + '\n');
    await rm(path.join(results, 'exit-code'), { force: true });
    const share = (p: string, tag: string, ro = false) => ['-virtfs', `local,path=${p},mount_tag=${tag},security_model=none,multidevs=remap${ro ? ',readonly=on' : ''}`];
    const args = [
      '-accel', 'tcg', '-m', String(options.memoryMiB ?? 3072), '-smp', String(options.cpus ?? 2),
      '-kernel', kernel.image, '-initrd', initramfs,
      '-append', `console=ttyS0 quiet loglevel=3 panic=-1 vmcraft.project=${PROJECT}`,
      '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-no-reboot', '-nic', 'none',
      ...share('/', 'hostroot', true), ...share(PROJECT, 'project'), ...share(results, 'results'), ...share(CACHE, 'cache'),
    ];
    let output = '';
    const vm = execa('qemu-system-x86_64', args, { reject: false, timeout: options.timeoutMs ?? 20 * 60_000, stdin: 'ignore', forceKillAfterDelay: 2000 });
    vm.stdout?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      options.onOutput?.(text);
    });
    vm.stderr?.on('data', (chunk: Buffer) => options.onOutput?.(chunk.toString()));
    await vm;
    const code = await readFile(path.join(results, 'exit-code'), 'utf8').catch(() => undefined);
    return { ...(code !== undefined ? { exitCode: Number(code.trim()) } : {}), output, durationMs: Math.round(performance.now() - started) };
  } finally {
    if (ownResults) await rm(results, { recursive: true, force: true });
  }
}
