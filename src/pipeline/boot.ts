/**
 * The boot smoke test of VALIDATE: the output booted headless under QEMU
 * (KVM where the host has it, else TCG) with the guest's own kernel and
 * initrd, its disks on virtio and every write going to a throw-away snapshot,
 * until the serial console prints a marker or the time limit passes.
 */
import { constants } from 'node:fs';
import { access, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { VmcraftError } from '../core/errors.js';
import { qemuDriver } from '../attach/detect.js';
import type { GuestFS } from '../guestfs.js';
import type { OsInfo } from '../inspect/types.js';
import type { StageContext } from './stage.js';
import type { BootCheckPlan, DiskRef } from './types.js';

/**
 * The default marker: the root filesystem mounted from a virtio disk (ext4,
 * xfs, btrfs), or init started on it — proof that the guest found its disk
 * on KVM's virtio controller.
 */
export const DEFAULT_BOOT_MARKER = String.raw`EXT4-fs \(vd[a-z]\d*\): mounted filesystem|XFS \(vd[a-z]\d*\): (?:Ending clean mount|Mounting V)|BTRFS info \(device vd[a-z]\d*\)|systemd\[1\]: |login: `;

/** What the boot test saw. */
export interface BootCheckResult {
  kernel: string;
  initrd: string;
  accel: 'kvm' | 'tcg';
  /** Seconds until the marker appeared. */
  seconds: number;
  /** The console line that matched. */
  matched: string;
}

/** Kernel and initrd of the mounted guest: the newest vmlinuz-VERSION with an initrd of the same version. */
async function findKernel(g: GuestFS): Promise<{ kernel: string; initrd: string }> {
  const names = await g.ls('/boot').catch(() => [] as string[]);
  const versions = names.filter((n) => n.startsWith('vmlinuz-')).map((n) => n.slice('vmlinuz-'.length));
  versions.sort((a, b) => b.localeCompare(a, undefined, { numeric: true }));
  for (const v of versions) {
    const initrd = [`initrd.img-${v}`, `initramfs-${v}.img`, `initrd-${v}`].find((n) => names.includes(n));
    if (initrd) return { kernel: `/boot/vmlinuz-${v}`, initrd: `/boot/${initrd}` };
  }
  throw new VmcraftError('EINSPECT', `no kernel with an initrd in the guest's /boot (found: ${names.join(', ') || 'nothing'}): the boot test needs one`);
}

/** root= for the kernel command line: the guest's own fstab spec for / when it is stable, else the root's UUID. */
async function rootSpec(g: GuestFS, os: OsInfo): Promise<string> {
  const spec = os.fstab.find((e) => e.file === '/')?.spec;
  if (spec && /^(UUID|LABEL|PARTUUID)=/.test(spec)) return spec;
  return `UUID=${await g.vfsUuid(os.root)}`;
}

interface BootAttempt {
  ctx: StageContext;
  boot: BootCheckPlan;
  /** qemu arguments without the accelerator. */
  args: string[];
}

/** One boot with one accelerator: the matched line, or EVALIDATE with the console's last lines. */
async function attempt({ ctx, boot, args }: BootAttempt, accel: 'kvm' | 'tcg'): Promise<{ matched: string; console: string }> {
  const marker = new RegExp(boot.marker);
  const seen = new AbortController();
  let console = '';
  let matched = '';
  try {
    await ctx.runner.run('qemu-system-x86_64', ['-accel', accel, '-cpu', accel === 'kvm' ? 'host' : 'max', ...args], {
      timeoutMs: boot.timeoutSec * 1000,
      signal: AbortSignal.any([ctx.signal, seen.signal]),
      dieWithParent: true,
      onStdout: (chunk) => {
        console = (console + chunk).slice(-64 * 1024);
        const line = console.split('\n').find((l) => marker.test(l));
        if (line && !matched) {
          matched = line.trim();
          seen.abort();
        }
      },
    });
  } catch (err) {
    if (ctx.signal.aborted || matched) {
      if (matched) return { matched, console };
      throw err;
    }
    const tail = console.split('\n').slice(-15).join('\n');
    throw new VmcraftError('EVALIDATE', `the boot test (${accel}) saw no /${boot.marker}/ on the console (${err instanceof Error ? err.message : String(err)}); last console lines:\n${tail}`, { cause: err });
  }
  if (!matched) throw new VmcraftError('EVALIDATE', `the guest stopped before printing /${boot.marker}/ (${accel}); last console lines:\n${console.split('\n').slice(-15).join('\n')}`);
  return { matched, console };
}

/**
 * Boots the outputs and waits for the marker; EVALIDATE when it does not come
 * in time. With `accel: 'auto'`, KVM is tried where /dev/kvm opens, and TCG
 * when QEMU fails under KVM before the guest printed anything (a nested or
 * broken KVM).
 */
export async function bootCheck(ctx: StageContext, g: GuestFS, os: OsInfo, disks: DiskRef[], boot: BootCheckPlan): Promise<BootCheckResult> {
  const { kernel, initrd } = await findKernel(g);
  const root = await rootSpec(g, os);
  const dir = await mkdtemp(path.join(ctx.workDir, 'boot-'));
  try {
    const [k, i] = [path.join(dir, 'vmlinuz'), path.join(dir, 'initrd')];
    await g.download(kernel, k);
    await g.download(initrd, i);
    const args = [
      '-nodefaults', '-no-user-config', '-display', 'none', '-serial', 'stdio', '-no-reboot', '-snapshot', '-m', String(boot.memoryMiB),
      '-kernel', k, '-initrd', i, '-append', `root=${root} ro console=ttyS0 panic=-1`,
      ...disks.flatMap((d) => ['-drive', `file=${d.path},format=${qemuDriver(d.format)},if=virtio`]),
    ];
    const kvm = boot.accel !== 'tcg' && (await access('/dev/kvm', constants.R_OK | constants.W_OK).then(() => true, () => false));
    let accel: 'kvm' | 'tcg' = boot.accel === 'kvm' || kvm ? 'kvm' : 'tcg';
    const started = performance.now();
    let outcome: { matched: string };
    try {
      outcome = await attempt({ ctx, boot, args }, accel);
    } catch (err) {
      const silent = err instanceof VmcraftError && err.code === 'EVALIDATE' && /last console lines:\n\s*$/.test(err.message);
      if (boot.accel !== 'auto' || accel !== 'kvm' || !silent) throw err;
      ctx.note(`QEMU failed under KVM before the guest printed anything (${err.message.split(';')[0]}): booting again under TCG`);
      accel = 'tcg';
      outcome = await attempt({ ctx, boot, args }, accel);
    }
    return { kernel, initrd, accel, seconds: Math.round((performance.now() - started) / 100) / 10, matched: outcome.matched };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
