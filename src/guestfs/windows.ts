/** Windows jobs of the GuestFS façade: VirtIO driver injection. */
import path from 'node:path';
import { VmcraftError } from '../core/errors.js';
import { planVirtio, type VirtioPlan } from '../fix/windows/virtio.js';
import { GuestFSHivex } from './hivex.js';

/** Options of {@link GuestFSWindows.injectVirtioDrivers}. */
export interface InjectOptions {
  /** Driver directory names in the virtio-win tree. @default ['viostor', 'vioscsi', 'netkvm'] */
  drivers?: string[];
  /** Plan only: nothing is written. @default false */
  dryRun?: boolean;
}

/** What {@link GuestFSWindows.injectVirtioDrivers} planned and did. */
export interface InjectReport {
  plan: VirtioPlan;
  applied: boolean;
  /** Guest path of the SYSTEM hive's backup, when applied. */
  hiveBackup?: string;
  /** Guest paths written. */
  filesCopied: string[];
}

/** Windows paths and making a Windows guest boot on KVM. */
export class GuestFSWindows extends GuestFSHivex {
  /**
   * The guest path of a Windows path on the mounted volume, as spelled on disk:
   * `C:\\windows\\system32\\CONFIG` → `/Windows/System32/config`. The drive
   * letter is dropped (the path is taken on the volume mounted at `/`).
   */
  async windowsPath(path: string): Promise<string> {
    const unix = `/${path.replace(/^[A-Za-z]:/, '').replace(/\\/g, '/').replace(/^\/+/, '')}`;
    return this.caseSensitivePath(unix);
  }

  /**
   * Injects VirtIO drivers from a virtio-win style tree (a mounted virtio-win
   * ISO, or its extracted content) into the mounted Windows guest: .sys files,
   * DriverStore packages, service keys (storage starts at boot) and
   * CriticalDeviceDatabase entries in every control set in use. The SYSTEM
   * hive is backed up first. `dryRun` returns the plan only.
   */
  async injectVirtioDrivers(driverDir: string, options: InjectOptions = {}): Promise<InjectReport> {
    const root = this.mountpoints().find((m) => m.mountpoint === '/')?.device;
    if (!root) throw new VmcraftError('ENOTMOUNTED', 'mount the Windows guest first (mountRoot)');
    const info = this.inspectOsInfo(root);
    if (info.type !== 'windows' || !info.windows) throw new VmcraftError('EINVAL', `${root} is not a Windows root`);
    const systemHive = `${info.windows.systemroot}/System32/config/SYSTEM`;
    const select = await this.registryKeys(systemHive, '\\Select');
    const numbers = ['Current', 'Default', 'LastKnownGood'].map((n) => select.values.find((v) => v.name === n)?.data).filter((d): d is number => typeof d === 'number' && d > 0);
    const controlSets: string[] = [];
    for (const n of new Set(numbers)) {
      const cs = `ControlSet${String(n).padStart(3, '0')}`;
      if (await this.registryKeys(systemHive, `\\${cs}`).then(() => true, () => false)) controlSets.push(cs);
    }
    const plan = await planVirtio(driverDir, { osinfo: info.osinfo, arch: info.arch, systemroot: info.windows.systemroot, controlSets }, options.drivers ?? ['viostor', 'vioscsi', 'netkvm']);
    if (options.dryRun || plan.drivers.length === 0) return { plan, applied: false, filesCopied: [] };
    this.files.assertWritable(info.windows.systemroot);
    const filesCopied: string[] = [];
    for (const file of plan.drivers.flatMap((d) => d.files)) {
      const dir = await this.caseSensitivePath(path.posix.dirname(file.to));
      await this.mkdirP(dir);
      const to = `${dir}/${path.posix.basename(file.to)}`;
      await this.upload(file.from, to);
      filesCopied.push(to);
    }
    const { backup } = await this.registryWrite(plan.systemHive, plan.registry);
    return { plan, applied: true, hiveBackup: backup, filesCopied };
  }
}
