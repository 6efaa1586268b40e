/**
 * Guest commands: the guest's own binaries run in the mounted guest root,
 * inside the sandbox of ./sandbox.ts. When the command ends, times out or is
 * killed, its namespaces die with it: its processes and its mounts are gone,
 * nothing to unmount on the host.
 */
import { existsSync } from 'node:fs';
import { lstat, readFile } from 'node:fs/promises';
import path from 'node:path';
import { VmcraftError } from '../core/errors.js';
import type { Runner, RunResult } from '../core/exec.js';
import { dirGuestReader } from '../fs/reader.js';
import { guestPathOf, resolveGuestPath } from '../fs/paths.js';
import { elfArch } from '../fs/elf.js';
import { mapIdentity, sandboxArgs, sandboxFds } from './sandbox.js';
import { guestSeccompFilter } from './seccomp.js';

/** Options of a guest command. */
export interface GuestCommandOptions {
  /** Extra environment variables (the guest gets a clean environment plus these). */
  env?: Record<string, string>;
  /** Standard input. */
  input?: string;
  /** Time limit in milliseconds. @default 600000 */
  timeoutMs?: number;
  /** Working directory inside the guest. @default / */
  cwd?: string;
  /** Give the command the host's network (and a working resolv.conf). @default false */
  network?: boolean;
  signal?: AbortSignal;
}

/** The host's architecture with libguestfs' names. */
export function hostArch(): string {
  return { x64: 'x86_64', arm64: 'aarch64', ia32: 'i386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' }[process.arch as string] ?? process.arch;
}

/** Whether binaries of `arch` run here: natively, or through a registered qemu-user binfmt handler. */
export function canRun(arch: string): boolean {
  if (arch === hostArch() || (arch === 'i386' && hostArch() === 'x86_64')) return true;
  return existsSync(`/proc/sys/fs/binfmt_misc/qemu-${arch}`);
}

const GUEST_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * Where the guest looks for its resolv.conf: /etc/resolv.conf, or the file
 * under /run it links to (systemd-resolved, resolvconf). The host's is shown
 * there inside the sandbox only; the guest's own file is never changed.
 * Undefined when the guest has none, or links it somewhere else.
 */
async function resolvConfTarget(root: string): Promise<string | undefined> {
  const target = guestPathOf(root, await resolveGuestPath(root, '/etc/resolv.conf'));
  if (target.startsWith('/run/')) return target;
  const info = await lstat(path.join(root, target)).catch(() => undefined);
  return info?.isFile() ? target : undefined;
}

/** Runs a guest command; ECOMMAND (with stderr) when it exits non-zero. */
export async function runGuestCommand(root: string, argv: string[], options: GuestCommandOptions, runner: Runner): Promise<RunResult> {
  if (argv.length === 0) throw new VmcraftError('EINVAL', 'no command given');
  const reader = dirGuestReader(root);
  const head = (await reader.readHead('/bin/sh', 64)) ?? (await reader.readHead('/usr/bin/env', 64));
  if (!head) throw new VmcraftError('ENOENT', 'the guest has no /bin/sh: is its root mounted?');
  const arch = elfArch(head) ?? 'unknown';
  if (!canRun(arch)) throw new VmcraftError('EARCH', `the guest is ${arch} and this ${hostArch()} host has no qemu-user binfmt handler for it (install qemu-user-static)`);
  // The sandbox mounts on these: real directories of the guest, never links it could point elsewhere.
  for (const dir of ['proc', 'dev', 'run']) {
    if (!(await lstat(path.join(root, dir)).catch(() => undefined))?.isDirectory()) {
      throw new VmcraftError('ENOENT', `the guest has no /${dir} directory to mount on`, { path: `/${dir}` });
    }
  }
  const network = options.network ?? false;
  const resolvConf = network ? await resolvConfTarget(root) : undefined;
  const seccomp = guestSeccompFilter();
  const env = { PATH: GUEST_PATH, HOME: '/root', LANG: 'C.UTF-8', TERM: 'dumb', SYSTEMD_OFFLINE: '1', DEBIAN_FRONTEND: 'noninteractive', ...options.env };
  const args = sandboxArgs({ root: path.resolve(root), argv, env, cwd: options.cwd ?? '/', network, seccomp: seccomp !== undefined, ...(resolvConf ? { resolvConf } : {}) });
  return runner.run('bwrap', args, {
    timeoutMs: options.timeoutMs ?? 600_000,
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    extraFds: sandboxFds(seccomp, resolvConf ? await readFile('/etc/resolv.conf') : undefined),
    onSpawn: mapIdentity,
    // bwrap kills the sandbox when it dies; this kills bwrap when vmcraft dies, even by SIGKILL.
    dieWithParent: true,
  });
}
