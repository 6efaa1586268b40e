/**
 * VirtIO driver injection for Windows guests moving to KVM: the drivers for
 * the guest's version and architecture are found in a virtio-win style tree
 * (<driver>/<os>/<arch>/<driver>.inf), their .sys goes to System32\drivers,
 * the package to the DriverStore, and the SYSTEM hive gets the service keys
 * (storage drivers start at boot) and, for storage, CriticalDeviceDatabase
 * entries for every PCI id of the .inf — in every control set in use.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { VmcraftError } from '../../core/errors.js';
import type { RegEdit } from '../../registry/reg-format.js';
import { parseInf, type InfDriver } from './inf.js';

/** virtio-win directory names for an osinfo id, best first. */
const OS_DIRS: Record<string, string[]> = {
  win2k25: ['2k25', '2k22'], win2k22: ['2k22', '2k19'], win2k19: ['2k19', '2k16'], win2k16: ['2k16'], win2k12r2: ['2k12R2'], win2k12: ['2k12'],
  win2k8r2: ['2k8R2'], win2k8: ['2k8'], win11: ['w11', 'w10'], win10: ['w10'], 'win8.1': ['w8.1'], win8: ['w8'], win7: ['w7'], winvista: ['2k8'],
};
const ARCH_DIRS: Record<string, string> = { x86_64: 'amd64', i386: 'x86', aarch64: 'ARM64' };
const INF_DECORATION: Record<string, string> = { x86_64: 'ntamd64', i386: 'ntx86', aarch64: 'ntarm64' };

/** One driver to inject. */
export interface VirtioDriverPlan {
  driver: string;
  /** Host directory the driver comes from. */
  source: string;
  inf: InfDriver;
  /** Host file → guest path. */
  files: { from: string; to: string }[];
}

/** What injection would do. */
export interface VirtioPlan {
  /** Guest path of the SYSTEM hive. */
  systemHive: string;
  /** Control sets that get the service keys (every one Select names). */
  controlSets: string[];
  drivers: VirtioDriverPlan[];
  registry: RegEdit[];
  notes: string[];
}

/** The guest facts injection needs (from inspection and the SYSTEM hive). */
export interface WindowsTarget {
  osinfo: string;
  arch: string;
  systemroot: string;
  controlSets: string[];
}

async function isDir(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isDirectory(), () => false);
}

/** The directory of one driver for the guest, or undefined. */
export async function findDriverDir(root: string, driver: string, osinfo: string, arch: string): Promise<string | undefined> {
  const archDir = ARCH_DIRS[arch];
  if (!archDir) return undefined;
  for (const os of OS_DIRS[osinfo] ?? []) {
    const dir = path.join(root, driver, os, archDir);
    if ((await isDir(dir)) && (await readdir(dir)).some((f) => f.toLowerCase() === `${driver.toLowerCase()}.inf`)) return dir;
  }
  return undefined;
}


/** Plans the injection; nothing is written. */
export async function planVirtio(driverRoot: string, target: WindowsTarget, drivers: string[]): Promise<VirtioPlan> {
  const plan: VirtioPlan = { systemHive: `${target.systemroot}/System32/config/SYSTEM`, controlSets: target.controlSets, drivers: [], registry: [], notes: [] };
  for (const driver of drivers) {
    const source = await findDriverDir(driverRoot, driver, target.osinfo, target.arch);
    if (!source) {
      plan.notes.push(`no ${driver} for ${target.osinfo} ${target.arch} in ${driverRoot}`);
      continue;
    }
    const names = await readdir(source);
    const infName = names.find((f) => f.toLowerCase() === `${driver.toLowerCase()}.inf`)!;
    const infText = await readFile(path.join(source, infName), 'latin1');
    const inf = parseInf(infText.replace(/^\uFEFF/, ''), INF_DECORATION[target.arch]);
    if (!inf.service) throw new VmcraftError('EFORMAT', `${path.join(source, infName)} installs no service`);
    const svc = inf.service.name;
    const sys = names.find((f) => f.toLowerCase() === `${svc.toLowerCase()}.sys`);
    if (!sys) throw new VmcraftError('ENOENT', `${source} has no ${svc}.sys`);
    const store = `${target.systemroot}/System32/DriverStore/FileRepository/${infName.toLowerCase()}_${ARCH_DIRS[target.arch]!.toLowerCase()}_${createHash('sha256').update(infText).digest('hex').slice(0, 16)}`;
    plan.drivers.push({
      driver,
      source,
      inf,
      files: [
        { from: path.join(source, sys), to: `${target.systemroot}/System32/drivers/${sys.toLowerCase()}` },
        ...names.filter((f) => /\.(inf|sys|cat)$/i.test(f)).map((f) => ({ from: path.join(source, f), to: `${store}/${f}` })),
      ],
    });
    const storage = /^(SCSIAdapter|HDC)$/i.test(inf.className);
    for (const cs of target.controlSets) {
      const key = `\\${cs}\\Services\\${svc}`;
      plan.registry.push(
        { op: 'createKey', key },
        { op: 'setValue', key, name: 'Type', typeId: 4, data: inf.service.type || 1 },
        { op: 'setValue', key, name: 'Start', typeId: 4, data: storage ? 0 : inf.service.start },
        { op: 'setValue', key, name: 'ErrorControl', typeId: 4, data: inf.service.errorControl },
        { op: 'setValue', key, name: 'ImagePath', typeId: 2, data: `system32\\drivers\\${sys.toLowerCase()}` },
        ...(inf.service.group ? [{ op: 'setValue' as const, key, name: 'Group', typeId: 1, data: inf.service.group }] : []),
      );
      if (!storage) continue;
      for (const id of inf.hardwareIds) {
        const cdd = `\\${cs}\\Control\\CriticalDeviceDatabase\\${id.replace(/\\/g, '#').toLowerCase()}`;
        plan.registry.push({ op: 'setValue', key: cdd, name: 'Service', typeId: 1, data: svc }, { op: 'setValue', key: cdd, name: 'ClassGUID', typeId: 1, data: inf.classGuid });
      }
    }
  }
  return plan;
}
