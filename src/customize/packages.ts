/** Installing and updating packages with the guest's own package manager, inside the guest. */
import { VmcraftError } from '../core/errors.js';
import type { GuestTarget } from '../guest-target.js';

const INSTALL: Record<string, (pkgs: string[]) => string[]> = {
  apt: (p) => ['sh', '-c', 'apt-get update -qq && apt-get install -y -qq --no-install-recommends "$@"', 'sh', ...p],
  dnf: (p) => ['dnf', 'install', '-y', '-q', ...p],
  yum: (p) => ['yum', 'install', '-y', '-q', ...p],
  zypper: (p) => ['zypper', '--non-interactive', 'install', ...p],
  apk: (p) => ['apk', 'add', '--no-cache', ...p],
  pacman: (p) => ['pacman', '-S', '--noconfirm', '--needed', ...p],
};

const UPDATE: Record<string, string[]> = {
  apt: ['sh', '-c', 'apt-get update -qq && apt-get upgrade -y -qq'],
  dnf: ['dnf', 'upgrade', '-y', '-q'],
  yum: ['yum', 'update', '-y', '-q'],
  zypper: ['zypper', '--non-interactive', 'update'],
  apk: ['sh', '-c', 'apk update && apk upgrade'],
  pacman: ['pacman', '-Syu', '--noconfirm'],
};

const UNINSTALL: Record<string, (pkgs: string[]) => string[]> = {
  apt: (p) => ['apt-get', 'remove', '-y', '-qq', ...p],
  dnf: (p) => ['dnf', 'remove', '-y', '-q', ...p],
  yum: (p) => ['yum', 'remove', '-y', '-q', ...p],
  zypper: (p) => ['zypper', '--non-interactive', 'remove', ...p],
  apk: (p) => ['apk', 'del', ...p],
  pacman: (p) => ['pacman', '-R', '--noconfirm', ...p],
};

function unsupported(manager: string): VmcraftError {
  return new VmcraftError('EUNSUPPORTED', `installing packages with ${manager} is not supported`);
}

/** Throws unless `packages` can be installed with `manager`: `EINVAL` for a bad name, `EUNSUPPORTED` for the manager. */
export function checkPackages(manager: string, packages: string[]): void {
  if (packages.some((p) => !/^[\w.+:@=-]+$/.test(p))) throw new VmcraftError('EINVAL', 'package names may hold only letters, digits and . + : @ = -');
  if (!INSTALL[manager]) throw unsupported(manager);
}

/** Installs packages with the guest's package manager (with the host's network). */
export async function installPackages(t: GuestTarget, manager: string, packages: string[]): Promise<string> {
  checkPackages(manager, packages);
  const argv = INSTALL[manager]!(packages);
  return (await t.command(argv, { network: true, timeoutMs: 1_800_000 })).stdout;
}

/** Removes packages with the guest's package manager (no network: removing needs none). */
export async function uninstallPackages(t: GuestTarget, manager: string, packages: string[]): Promise<string> {
  checkPackages(manager, packages);
  return (await t.command(UNINSTALL[manager]!(packages), { timeoutMs: 1_800_000 })).stdout;
}

/** The shell command line that installs `packages` with `manager` (for a first-boot script). */
export function installCommandLine(manager: string, packages: string[]): string {
  checkPackages(manager, packages);
  return INSTALL[manager]!(packages).map((w) => (/^[\w.+:@=/-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Updates every package with the guest's package manager. */
export async function updatePackages(t: GuestTarget, manager: string): Promise<string> {
  const argv = UPDATE[manager];
  if (!argv) throw unsupported(manager);
  return (await t.command(argv, { network: true, timeoutMs: 3_600_000 })).stdout;
}
