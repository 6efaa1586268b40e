/** The Windows calls: Windows paths, and VirtIO driver injection (making a Windows guest boot on KVM). */
import path from 'node:path';
import { VmcraftError } from '../../core/errors.js';
import { lazy } from '../../core/lazy.js';

// Loaded by the first injection: only Windows migrations need it.
const virtio = lazy(() => import('../../fix/windows/virtio.js'));
import { a } from '../args.js';
import { defineCall, type Guest } from '../entry.js';
import type { InjectOptions, InjectReport } from '../types.js';

const v = '0.1.0';
const DEFAULT_DRIVERS = ['viostor', 'vioscsi', 'netkvm'];

async function injectVirtioDrivers(g: Guest, driverDir: string, options: InjectOptions = {}): Promise<InjectReport> {
  const root = g.mountTable.rootDevice();
  if (!root) throw new VmcraftError('ENOTMOUNTED', 'mount the Windows guest first (mountRoot)');
  const info = g.inspectOsInfo(root);
  if (info.type !== 'windows' || !info.windows) throw new VmcraftError('EINVAL', `${root} is not a Windows root`);
  const systemHive = `${info.windows.systemroot}/System32/config/SYSTEM`;
  const select = await g.registryKeys(systemHive, '\\Select');
  const numbers = ['Current', 'Default', 'LastKnownGood'].map((n) => select.values.find((val) => val.name === n)?.data).filter((d): d is number => typeof d === 'number' && d > 0);
  const controlSets: string[] = [];
  for (const n of new Set(numbers)) {
    const cs = `ControlSet${String(n).padStart(3, '0')}`;
    if (await g.registryKeys(systemHive, `\\${cs}`).then(() => true, () => false)) controlSets.push(cs);
  }
  const plan = await (await virtio()).planVirtio(driverDir, { osinfo: info.osinfo, arch: info.arch, systemroot: info.windows.systemroot, controlSets }, options.drivers ?? DEFAULT_DRIVERS);
  if (options.dryRun || plan.drivers.length === 0) return { plan, applied: false, filesCopied: [] };
  g.fileContext().assertWritable(info.windows.systemroot);
  const filesCopied: string[] = [];
  for (const file of plan.drivers.flatMap((d) => d.files)) {
    const dir = await g.caseSensitivePath(path.posix.dirname(file.to));
    await g.mkdirP(dir);
    const to = `${dir}/${path.posix.basename(file.to)}`;
    await g.upload(file.from, to);
    filesCopied.push(to);
  }
  const { backup } = await g.registryWrite(plan.systemHive, plan.registry);
  return { plan, applied: true, hiveBackup: backup, filesCopied };
}

/** The calls of this module, in table order. */
export const WINDOWS_CALLS = [
  defineCall({
    name: 'windowsPath', group: 'files', since: v,
    summary: 'get the guest path of a windows path as spelled on disk',
    doc: [
      'The guest path of a Windows path on the mounted volume, as spelled on disk:',
      '`C:\\windows\\system32\\CONFIG` → `/Windows/System32/config`. The drive letter is dropped (the path is',
      'taken on the volume mounted at `/`).',
    ].join('\n'),
    args: [a.string('path', { doc: 'a Windows path (`C:\\Windows\\…`, `\\Windows\\…`)' })],
    returns: 'string', ts: 'Promise<string>',
    impl: (g, p) => g.caseSensitivePath(`/${p.replace(/^[A-Za-z]:/, '').replace(/\\/g, '/').replace(/^\/+/, '')}`),
  }),
  defineCall({
    name: 'injectVirtioDrivers', group: 'fix', since: v,
    summary: 'inject virtio drivers into a windows guest',
    doc: [
      'Injects VirtIO drivers from a virtio-win style tree (a mounted virtio-win ISO, or its extracted content)',
      'into the mounted Windows guest: .sys files, DriverStore packages, service keys (storage starts at boot)',
      'and CriticalDeviceDatabase entries in every control set in use. The SYSTEM hive is backed up first.',
      '`dryRun` returns the plan only, and works in a read-only session; otherwise a read-only guest is `EREADONLY`.',
    ].join('\n'),
    args: [
      a.hostPathIn('driverDir', { doc: 'a virtio-win tree on the host' }),
      a.options('options', [
        a.stringList('drivers', { doc: 'driver directory names in the virtio-win tree', defaultText: DEFAULT_DRIVERS.join(', ') }),
        a.bool('dryRun', { doc: 'plan only: nothing is written', defaultText: 'false' }),
      ], { ts: 'InjectOptions' }),
    ],
    returns: 'struct', ts: 'Promise<InjectReport>',
    impl: (g, driverDir, options) => injectVirtioDrivers(g, driverDir, options),
  }),
];
