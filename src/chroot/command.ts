/**
 * Guest commands: run inside the mounted guest root, in new mount, pid, ipc
 * and uts namespaces (and a new net namespace unless networking is asked for)
 * with /proc, /sys, /dev, /dev/pts and /run set up inside those namespaces.
 * When the command ends, times out or is killed, the namespace dies with it:
 * its processes and its mounts are gone, nothing to unmount on the host.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { VmcraftError } from '../core/errors.js';
import type { Runner, RunResult } from '../core/exec.js';
import { elfArch } from '../inspect/parsers/elf.js';
import { dirGuestReader } from '../fs/reader.js';

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
 * The script run inside the new namespaces: mounts, other sessions' mounts
 * detached from the namespace, then chroot into the guest. With network, the host's resolv.conf is made visible to the guest
 * only inside the namespace (bind mount, or a file in the namespace's /run
 * where the guest links /etc/resolv.conf into /run): the guest's own file is
 * never changed.
 */
export function namespaceScript(network: boolean): string {
  return [
    'set -e',
    'R="$1"; shift',
    'mount -t proc proc "$R/proc"',
    // A fresh sysfs shows the namespace's own network devices, not the host's.
    'mount -t sysfs sysfs "$R/sys"',
    'mount --rbind /dev "$R/dev"',
    'mount -t tmpfs -o mode=0755 tmpfs "$R/run"',
    ...(network
      ? [
          'if [ -L "$R/etc/resolv.conf" ]; then',
          '  t=$(readlink "$R/etc/resolv.conf"); case "$t" in /*) ;; *) t="/etc/$t" ;; esac',
          '  t=$(realpath -m -s "$t")',
          '  case "$t" in /run/*) mkdir -p "$R$(dirname "$t")"; cat /etc/resolv.conf > "$R$t" ;; esac',
          'elif [ -f "$R/etc/resolv.conf" ]; then mount --bind /etc/resolv.conf "$R/etc/resolv.conf"; fi',
        ]
      : []),
    // The new namespace began with a copy of every host mount, other sessions' guest filesystems
    // included: while it lives they could not be unmounted or their devices detached. Drop those copies.
    'for m in $(cut -d" " -f5 /proc/self/mountinfo | sort -r); do',
    '  case "$m" in "$R"|"$R"/*) continue ;; esac',
    '  case "$R/" in "$m"/*) continue ;; esac',
    '  case "$m" in */vmcraft-*) umount -l "$m" 2>/dev/null || true ;; esac',
    'done',
    'exec chroot "$R" "$@"',
  ].join('\n');
}

/** The argv that runs `argv` in the guest at `root`. */
export function guestCommandArgs(root: string, argv: string[], options: GuestCommandOptions): string[] {
  const env = { PATH: GUEST_PATH, HOME: '/root', LANG: 'C.UTF-8', TERM: 'dumb', SYSTEMD_OFFLINE: '1', DEBIAN_FRONTEND: 'noninteractive', ...options.env };
  const cwd = options.cwd ?? '/';
  return [
    '--mount', '--pid', '--fork', '--ipc', '--uts', ...(options.network ? [] : ['--net']), '--kill-child',
    'sh', '-c', namespaceScript(options.network ?? false), 'vmcraft-guest', root,
    '/usr/bin/env', '-i', ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    '/bin/sh', '-c', 'cd "$1" && shift && exec "$@"', 'vmcraft', cwd, ...argv,
  ];
}

/** Runs a guest command; ECOMMAND (with stderr) when it exits non-zero. */
export async function runGuestCommand(root: string, argv: string[], options: GuestCommandOptions, runner: Runner): Promise<RunResult> {
  if (argv.length === 0) throw new VmcraftError('EINVAL', 'no command given');
  const reader = dirGuestReader(root);
  const head = (await reader.readHead('/bin/sh', 64)) ?? (await reader.readHead('/usr/bin/env', 64));
  if (!head) throw new VmcraftError('ENOENT', 'the guest has no /bin/sh: is its root mounted?');
  const arch = elfArch(head) ?? 'unknown';
  if (!canRun(arch)) throw new VmcraftError('EARCH', `the guest is ${arch} and this ${hostArch()} host has no qemu-user binfmt handler for it (install qemu-user-static)`);
  for (const dir of ['proc', 'sys', 'dev', 'run']) {
    if (!(await reader.isDir(`/${dir}`))) throw new VmcraftError('ENOENT', `the guest has no /${dir} directory to mount on`, { path: `/${dir}` });
  }
  return runner.run('unshare', guestCommandArgs(path.resolve(root), argv, options), {
    timeoutMs: options.timeoutMs ?? 600_000,
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
