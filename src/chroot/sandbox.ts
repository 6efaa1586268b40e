/**
 * The sandbox of guest commands, built with bubblewrap (bwrap, the sandbox
 * Flatpak uses): a new user namespace whose capabilities count only inside
 * it, `pivot_root` into the guest root with the host's root detached (chroot
 * escapes lead nowhere), a fresh minimal /dev (no host block device), /proc
 * of a new pid namespace with the kernel's knobs read-only and its leaky files
 * masked (as runc does for rootful containers), no /sys, new ipc/uts/cgroup
 * namespaces and no network unless asked, every capability dropped but those
 * package scripts use, no new privileges, a seccomp filter, and the whole
 * tree killed with its parent.
 *
 * The user namespace maps every id to itself: files the guest's package
 * manager writes are owned in the image as before (uid 0 inside is root in the
 * guest's filesystem, `_apt` is `_apt`). Since uid 0 inside is then uid 0 to
 * the kernel's permission checks, everything of the host that checks the uid
 * rather than a capability is kept out of sight or read-only: /proc/sys,
 * /proc/sysrq-trigger and the like. bwrap writes no map itself here: it waits
 * on fd 3 until vmcraft has written the identity map (bwrap can map only one
 * id, which breaks `chown _apt` in package scripts).
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import type { SpawnedCommand } from '../core/exec.js';

/** What a guest command may do as root inside its user namespace (docker's default set, less mknod and raw sockets). */
export const GUEST_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_SETFCAP', 'CAP_SYS_CHROOT', 'CAP_AUDIT_WRITE', 'CAP_NET_BIND_SERVICE',
];

/** /proc entries made read-only: writable by uid 0 through the uid check alone. */
const PROC_READONLY = ['sys', 'sysrq-trigger', 'irq', 'bus', 'fs'];
/** /proc files hidden behind /dev/null, /proc directories behind an empty tmpfs (runc's masked paths). */
const PROC_MASKED_FILES = ['kcore', 'keys', 'key-users', 'timer_list', 'sched_debug', 'latency_stats', 'timer_stats', 'kmsg', 'kallsyms', 'kpagecount', 'kpageflags', 'kpagecgroup'];
const PROC_MASKED_DIRS = ['acpi', 'scsi', 'asound'];

/** The sandbox's extra fds, from fd 3 on, in this order ({@link sandboxFds}). */
const FD_USERNS_BLOCK = 3;
const FD_INFO = 4;
const FD_SECCOMP = 5;
const FD_RESOLV_CONF = 6;

/** What {@link sandboxArgs} needs. */
export interface SandboxSpec {
  /** Host directory of the mounted guest root. */
  root: string;
  argv: string[];
  env: Record<string, string>;
  /** Working directory inside the guest. */
  cwd: string;
  /** Share the host's network. */
  network: boolean;
  /** Whether a seccomp filter is passed on fd 5. */
  seccomp: boolean;
  /** Guest path at which the host's resolv.conf is shown (fd 6), with the network. */
  resolvConf?: string;
}

/** The /proc covers of the sandbox, for the /proc entries this kernel has. */
function procCovers(hasProcEntry: (name: string) => boolean): string[] {
  return [
    ...PROC_READONLY.filter(hasProcEntry).flatMap((name) => ['--ro-bind', `/proc/${name}`, `/proc/${name}`]),
    ...PROC_MASKED_FILES.filter(hasProcEntry).flatMap((name) => ['--ro-bind', '/dev/null', `/proc/${name}`]),
    ...PROC_MASKED_DIRS.filter(hasProcEntry).flatMap((name) => ['--tmpfs', `/proc/${name}`, '--remount-ro', `/proc/${name}`]),
  ];
}

/** bwrap's arguments for running `spec.argv` in the guest (pure: the fds are given by the caller). */
export function sandboxArgs(spec: SandboxSpec, hasProcEntry = (name: string) => existsSync(`/proc/${name}`)): string[] {
  return [
    '--unshare-user', '--userns-block-fd', String(FD_USERNS_BLOCK), '--info-fd', String(FD_INFO),
    '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', ...(spec.network ? [] : ['--unshare-net']),
    '--die-with-parent', '--new-session',
    '--bind', spec.root, '/',
    '--dev', '/dev',
    '--proc', '/proc',
    ...procCovers(hasProcEntry),
    '--tmpfs', '/run',
    ...(spec.network && spec.resolvConf ? ['--perms', '0644', '--ro-bind-data', String(FD_RESOLV_CONF), spec.resolvConf] : []),
    '--cap-drop', 'ALL', ...GUEST_CAPABILITIES.flatMap((cap) => ['--cap-add', cap]),
    ...(spec.seccomp ? ['--seccomp', String(FD_SECCOMP)] : []),
    '--clearenv', ...Object.entries(spec.env).flatMap(([k, v]) => ['--setenv', k, v]),
    '--chdir', spec.cwd,
    '--', ...spec.argv,
  ];
}

/** The extra fds {@link sandboxArgs} refers to, in the runner's form (fd 3 first). */
export function sandboxFds(seccomp: Buffer | undefined, resolvConf: Buffer | undefined): Array<'pipe' | Uint8Array> {
  const fds: Array<'pipe' | Uint8Array> = ['pipe', 'pipe', seccomp ?? new Uint8Array()];
  if (resolvConf) fds.push(resolvConf);
  return fds;
}

/** Reads bwrap's info JSON (`{"child-pid": N, …}`) from its info fd; undefined when bwrap ends first. */
function childPid(info: Duplex): Promise<number | undefined> {
  return new Promise((resolve) => {
    let text = '';
    const done = (pid: number | undefined) => {
      info.off('data', onData);
      resolve(pid);
    };
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      const match = /"child-pid"\s*:\s*(\d+)/.exec(text);
      if (match && text.includes('}')) done(Number(match[1]));
    };
    info.on('data', onData);
    info.once('close', () => done(undefined));
    info.once('end', () => done(undefined));
  });
}

/**
 * Called once bwrap has started: writes the identity uid and gid maps of its
 * user namespace, then lets it go on (one byte on its block fd).
 */
export async function mapIdentity(child: SpawnedCommand): Promise<void> {
  const [block, info] = child.fds;
  const pid = await childPid(info!);
  if (pid === undefined) return; // bwrap failed before its namespace existed: its exit says why
  const identity = '0 0 4294967295\n';
  await writeFile(`/proc/${pid}/uid_map`, identity);
  await writeFile(`/proc/${pid}/gid_map`, identity);
  block!.end('1');
}
