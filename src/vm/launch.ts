/**
 * Starts the VM of a VM-mode session and talks to its agent: QEMU boots the
 * host's kernel with the appliance initramfs, the session's drives as virtio
 * disks (each image of each chain given with its format, read-only drives
 * read-only in QEMU), the host's /usr read-only and the session's share over
 * 9p, no network unless asked, the console on stdout (its tail goes into
 * errors) and the agent's virtio-serial port on a socket (fd 3). QEMU dies
 * with this process, even on SIGKILL.
 */
import { chown, mkdir } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import type { CleanupStack } from '../core/cleanup.js';
import { VmcraftError } from '../core/errors.js';
import type { Runner } from '../core/exec.js';
import { chainBlockdev } from '../attach/blockdev.js';
import { withImageLock } from '../attach/lock.js';
import type { VerifiedDrive } from '../attach/types.js';
import type { VmSettings } from '../api/options.js';
import { chooseAccel } from './accel.js';
import { AGENT_PORT, applianceRecipe, nodePrefix } from './appliance.js';
import { ensureInitramfs } from './initramfs.js';
import { findKernel, kernelReadable } from './kernel.js';
import { QEMU_SYSTEM } from './qemu.js';
import { bootableKernel } from './vmlinux.js';
import { decodeMessage, encodeMessage, fromWire, readMessages, type AgentMessage, type HostMessage, type MirroredState } from './protocol.js';

/** Where the session's share is mounted inside the VM. */
export const GUEST_SHARE = '/vmcraft/share';

/** VMCRAFT_VM_CONSOLE=1 shows the VM's whole console (kernel messages included) on stderr, for diagnosis. */
const SHOW_CONSOLE = process.env.VMCRAFT_VM_CONSOLE === '1';

/**
 * Kernel settings for a quick boot of a VM with no firmware worth probing
 * (libguestfs' appliance uses the same): no EDD or crypto self-tests, one
 * serial port, no USB, a trusted TSC; panic powers off.
 */
const FAST_BOOT = 'panic=-1 edd=off cryptomgr.notests no_timer_check 8250.nr_uarts=1 usbcore.nousb tsc=reliable';

/** How much of the console is kept for errors. */
const CONSOLE_KEEP = 64 * 1024;

/** How long a VM gets to power off after the session closed, before it is killed. */
const POWER_OFF_MS = 10_000;

/** What {@link startVm} needs. */
export interface VmStart {
  drives: readonly VerifiedDrive[];
  settings: Required<VmSettings>;
  /** The session's private directory: the share is made below it. */
  workDir: string;
  runner: Runner;
  cleanup: CleanupStack;
  /** The session's events from the agent (trace, log, progress, phase). */
  onEvent: (event: 'trace' | 'log' | 'progress' | 'phase', data: unknown) => void;
  /** The state the agent sends with a result. */
  onState: (state: MirroredState) => void;
  /** Called once with facts of the start (accelerator, boot time) for the log. */
  onStarted: (facts: { accel: string; accelReason: string; bootMs: number }) => void;
  /** How long a call may go without a word from the agent (results, events) before the VM counts as hung. */
  silenceLimitMs: number;
}

type Pending = { resolve: (value: unknown) => void; reject: (err: unknown) => void };

/** The QEMU arguments of the appliance for `drives`. */
export function applianceArgs(o: { kernel: string; initramfs: string; accel: 'kvm' | 'tcg'; settings: Required<VmSettings>; drives: readonly VerifiedDrive[]; share: string; nodePrefix?: string; runAs?: QemuUser }): string[] {
  const append = [`console=ttyS0 ${SHOW_CONSOLE ? 'printk.time=1 vmcraft.debug=1' : 'quiet loglevel=3'} ${FAST_BOOT} vmcraft.share=1`, o.settings.network ? 'vmcraft.net=1' : '', o.nodePrefix ? `vmcraft.nodeprefix=${o.nodePrefix} vmcraft.node=${process.execPath}` : ''].filter(Boolean).join(' ');
  const virtfs = (dir: string, tag: string, extra: string) => ['-virtfs', `local,path=${dir},mount_tag=${tag},multidevs=remap,${extra}`];
  return [
    '-nodefaults', '-no-user-config',
    // QEMU's own seccomp filter (no exec, no obsolete system calls), and no root: started by root it
    // opens the images and then becomes nobody; otherwise it may not change its privileges at all.
    ...(o.runAs ? ['-sandbox', 'on,obsolete=deny,spawn=deny,resourcecontrol=deny', '-runas', o.runAs.name] : ['-sandbox', 'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny']),
    '-accel', o.accel, '-m', String(o.settings.memoryMiB), '-smp', String(o.settings.cpus),
    '-kernel', o.kernel, '-initrd', o.initramfs, '-append', append,
    '-display', 'none', '-monitor', 'none', '-serial', 'stdio', '-no-reboot',
    // Entropy from the host: without it the VM's kernel takes seconds to seed its random pool, and node waits for it.
    '-device', 'virtio-rng-pci',
    '-chardev', 'socket,id=agent,fd=3', '-device', 'virtio-serial-pci,id=serial0', '-device', `virtserialport,bus=serial0.0,chardev=agent,name=${AGENT_PORT}`,
    ...o.drives.flatMap((drive, i) => [
      '-blockdev', JSON.stringify({ ...withImageLock(chainBlockdev(drive.links, drive.readonly), drive), 'node-name': `drive${i}` }),
      '-device', `virtio-blk-pci,drive=drive${i},serial=vmcraft${i}`,
    ]),
    ...virtfs('/usr', 'usr', 'security_model=none,readonly=on'),
    // mapped-file: what the VM writes lands as this user's plain files (no set-id bits, devices or foreign owners).
    ...virtfs(o.share, 'share', 'security_model=mapped-file'),
    ...(o.nodePrefix ? virtfs(o.nodePrefix, 'node', 'security_model=none,readonly=on') : []),
    ...(o.settings.network ? ['-nic', 'user,model=virtio-net-pci'] : ['-nic', 'none']),
  ];
}

/** The user QEMU becomes once it has opened the images, and who owns the share it writes. */
export interface QemuUser {
  name: string;
  uid: number;
  gid: number;
}

/**
 * Who QEMU runs as: started by root, `nobody` (it needs nothing of root once
 * the images are open: it reads /usr and writes the share); otherwise the
 * caller. Not when node lives outside /usr (its directory, under a home,
 * may be closed to nobody).
 */
export function qemuUser(nodeOutsideUsr: boolean): QemuUser | undefined {
  return process.getuid?.() === 0 && !nodeOutsideUsr ? { name: 'nobody', uid: 65534, gid: 65534 } : undefined;
}

/** A running VM and its agent. */
export class VmConnection {
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #console = '';
  #channel?: Duplex;
  #stopped?: VmcraftError;
  #lastWord = Date.now();
  #hello?: Pending;
  readonly #kill = new AbortController();
  #exited!: Promise<void>;
  #watchdog?: NodeJS.Timeout;

  /** Who must be able to write what is staged in the share (QEMU's user, when it is not this process's). */
  shareOwner?: QemuUser;

  constructor(private readonly start: VmStart) {}

  /** The last lines of the console. */
  consoleTail(lines = 25): string {
    return this.#console.split('\n').filter((l) => l.trim()).slice(-lines).join('\n');
  }

  /** An EVM error with the console's tail. */
  failure(what: string): VmcraftError {
    const tail = this.consoleTail();
    return new VmcraftError('EVM', `${what}${tail ? `\n--- VM console (last lines) ---\n${tail}` : ''}`, { console: tail });
  }

  /** Boots QEMU and waits for the agent's hello. */
  async boot(args: string[], timeoutMs: number): Promise<number> {
    const started = performance.now();
    const hello = new Promise<unknown>((resolve, reject) => (this.#hello = { resolve, reject }));
    const spawned = new Promise<Duplex>((resolve) => {
      this.#exited = this.start.runner
        .run(QEMU_SYSTEM, args, {
          timeoutMs: 0,
          dieWithParent: true,
          signal: this.#kill.signal,
          streamOnly: true,
          extraFds: ['pipe'],
          onStdout: (chunk) => {
            this.#console = (this.#console + chunk).slice(-CONSOLE_KEEP);
            if (SHOW_CONSOLE) process.stderr.write(chunk);
          },
          onSpawn: async ({ fds }) => resolve(fds[0]!),
        })
        .then(
          () => this.#stop(this.failure('the VM powered off')),
          (err: unknown) => {
            const stderr = err instanceof VmcraftError ? err.command?.stderr.trim() : undefined;
            if (err instanceof VmcraftError && err.code === 'ETOOLMISSING') this.#stop(err);
            else this.#stop(this.failure(`the VM stopped${stderr ? `: ${stderr.split('\n').slice(-3).join(' | ')}` : ''}`));
          },
        );
    });
    const timer = setTimeout(() => this.#stop(this.failure(`the VM did not come up in ${timeoutMs} ms`)), timeoutMs);
    try {
      const channel = await Promise.race([spawned, this.#exited.then(() => Promise.reject(this.#stopped))]);
      this.#channel = channel;
      readMessages(channel, (line) => this.#receive(decodeMessage(line) as AgentMessage), (err) => this.#stop(this.failure(`the agent broke the protocol: ${err.message}`)));
      await hello;
    } catch (err) {
      this.#kill.abort();
      await this.#exited;
      throw err;
    } finally {
      clearTimeout(timer);
    }
    this.#watchdog = setInterval(() => {
      if (this.#pending.size > 0 && Date.now() - this.#lastWord > this.start.silenceLimitMs) {
        this.#stop(new VmcraftError('ETIMEOUT', `the VM did not answer for ${this.start.silenceLimitMs} ms: it is stopped${this.consoleTail() ? `\n--- VM console (last lines) ---\n${this.consoleTail()}` : ''}`, { console: this.consoleTail() }));
        this.#kill.abort();
      }
    }, 1000).unref();
    return Math.round(performance.now() - started);
  }

  #receive(message: AgentMessage): void {
    this.#lastWord = Date.now();
    if (message.t === 'hello') {
      this.#hello?.resolve(undefined);
    } else if (message.t === 'event') {
      this.start.onEvent(message.event, message.data);
    } else if (message.t === 'done') {
      const pending = this.#pending.get(message.id);
      if (!pending) return;
      this.#pending.delete(message.id);
      if (message.state) this.start.onState(message.state);
      if (message.error) pending.reject(fromWire(message.error));
      else pending.resolve(message.value);
    }
  }

  /** Every pending request fails with `err`; the connection is unusable from here on. */
  #stop(err: VmcraftError): void {
    this.#stopped ??= err;
    this.#hello?.reject(this.#stopped);
    for (const pending of this.#pending.values()) pending.reject(this.#stopped);
    this.#pending.clear();
    if (this.#watchdog) clearInterval(this.#watchdog);
  }

  /** Sends a request and resolves with the agent's answer. */
  request(message: HostMessage extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never, onId?: (id: number) => void): Promise<unknown> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    const id = this.#nextId++;
    onId?.(id);
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#lastWord = Date.now();
      this.#channel!.write(encodeMessage({ ...message, id } as HostMessage));
    });
  }

  /** Tells the agent to drop a call (its AbortSignal fired). */
  abort(id: number): void {
    if (!this.#stopped) this.#channel?.write(encodeMessage({ t: 'abort', id }));
  }

  /** Closes the agent's session, lets the VM power off, kills it when it does not. */
  async shutdown(): Promise<void> {
    if (!this.#stopped) {
      const closing = this.request({ t: 'close' }).catch(() => undefined);
      await Promise.race([closing.then(() => this.#exited), delay(POWER_OFF_MS)]);
    }
    this.#kill.abort();
    await this.#exited;
    this.#stop(new VmcraftError('ECLOSED', 'the session is closed'));
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/**
 * Starts the VM with the session's drives and waits for its agent. The VM is
 * on the cleanup stack before this returns or throws. Errors: `ETOOLMISSING`
 * (no QEMU, no kernel, no agent), `EACCES` (the kernel cannot be read), `EVM`
 * (it did not come up: the console's tail is in the error).
 */
export async function startVm(start: VmStart): Promise<VmConnection> {
  const kernel = await findKernel();
  if (!(await kernelReadable(kernel))) throw new VmcraftError('EACCES', `VM mode boots ${kernel.image}, which this user cannot read (ask the administrator to make it readable, or run as root)`, { path: kernel.image });
  const [recipe, accel, bootable] = await Promise.all([applianceRecipe(), chooseAccel(start.settings.accel, kernel), bootableKernel(kernel)]);
  const initramfs = await ensureInitramfs(kernel.version, recipe);
  const share = path.join(start.workDir, 'share');
  const prefix = nodePrefix();
  if (prefix && /\s/.test(prefix)) throw new VmcraftError('EUNSUPPORTED', `node is installed under ${prefix}: VM mode cannot share a path with spaces`);
  const runAs = qemuUser(prefix !== undefined);
  await mkdir(share, { mode: 0o700 });
  if (runAs) await chown(share, runAs.uid, runAs.gid);
  const args = applianceArgs({ kernel: bootable, initramfs, accel: accel.accel, settings: start.settings, drives: start.drives, share, ...(prefix ? { nodePrefix: prefix } : {}), ...(runAs ? { runAs } : {}) });
  const vm = new VmConnection(start);
  start.cleanup.push('VM of the session', () => vm.shutdown());
  const bootMs = await vm.boot(args, start.settings.bootTimeoutMs);
  start.onStarted({ accel: accel.accel, accelReason: accel.reason, bootMs });
  vm.shareOwner = runAs;
  return vm;
}
