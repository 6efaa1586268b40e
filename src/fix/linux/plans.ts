/** The Linux fixers, each a plan of file changes and commands. */
import { lazy } from '../../core/lazy.js';
import type { FixContext } from '../context.js';
import { textOf } from '../context.js';
import type { FixPlan } from '../types.js';
import { planGrub, planInitramfs } from './boot.js';
import { rewriteSpecs } from './fstab.js';
import type { InterfaceRenames } from './rename.js';

// The network rewriters parse netplan's YAML: loaded when the network fixer first runs.
const loadNetworkRewriters = lazy(() => Promise.all([import('./network.js'), import('./rename.js')]));

/** fstab and crypttab entries by UUID=/PARTUUID= instead of hypervisor device names. */
export async function planFstab(ctx: FixContext): Promise<FixPlan> {
  const plan: FixPlan = { fixer: 'fstab', changes: [], commands: [], notes: [] };
  for (const [path, field] of [['/etc/fstab', 0], ['/etc/crypttab', 1]] as const) {
    const before = await textOf(ctx.target, path);
    if (before === undefined) continue;
    const { text, rewrites } = rewriteSpecs(before, field, ctx.stableName);
    if (rewrites.length) plan.changes.push({ path, before, after: text, reasons: rewrites.map((r) => `line ${r.line}: ${r.from} → ${r.to}`) });
  }
  return plan;
}

type Unpin = (text: string) => { text: string; removed: string[] };

/** Options of the Linux fixers. */
export interface LinuxFixOptions {
  /** Regenerate grub.cfg with the guest's grub-mkconfig after stabilising root=. @default false */
  regenerateGrub?: boolean;
  /** Rename network interfaces (old name → the name the NIC has on KVM) in every network configuration. */
  renameInterfaces?: InterfaceRenames;
}

type Rename = (text: string, renames: InterfaceRenames) => { text: string; changes: string[] };

/** MAC pinning (and, when asked, interface names) in every network configuration system the guest has. */
export async function planNetwork(ctx: FixContext, options: LinuxFixOptions = {}): Promise<FixPlan> {
  const plan: FixPlan = { fixer: 'network', changes: [], commands: [], notes: [] };
  const renames = options.renameInterfaces ?? {};
  const [{ unpinIfcfg, unpinNetplan, unpinNetworkd, unpinNmKeyfile }, { renameIfcfg, renameIfupdown, renameNetplan, renameNetworkd, renameNmKeyfile }] = await loadNetworkRewriters();
  const renamers: [string, Rename][] = [
    ['/etc/sysconfig/network-scripts/ifcfg-*', renameIfcfg],
    ['/etc/sysconfig/network/ifcfg-*', renameIfcfg],
    ['/etc/netplan/*.yaml', renameNetplan],
    ['/etc/NetworkManager/system-connections/*', renameNmKeyfile],
    ['/etc/systemd/network/*.network', renameNetworkd],
    ['/etc/systemd/network/*.link', renameNetworkd],
    ['/etc/network/interfaces', renameIfupdown],
    ['/etc/network/interfaces.d/*', renameIfupdown],
  ];
  const sources: [string, Unpin][] = [
    ['/etc/sysconfig/network-scripts/ifcfg-*', unpinIfcfg],
    ['/etc/sysconfig/network/ifcfg-*', unpinIfcfg],
    ['/etc/netplan/*.yaml', unpinNetplan],
    ['/etc/NetworkManager/system-connections/*', unpinNmKeyfile],
    ['/etc/systemd/network/*.network', unpinNetworkd],
    ['/etc/systemd/network/*.link', unpinNetworkd],
  ];
  const edits = new Map<string, { before: string; after: string; reasons: string[] }>();
  const edit = async (path: string, fn: (text: string) => { text: string; reasons: string[] }) => {
    const current = edits.get(path) ?? { before: (await textOf(ctx.target, path))!, after: (await textOf(ctx.target, path))!, reasons: [] };
    if (current.before === undefined) return;
    const { text, reasons } = fn(current.after);
    if (reasons.length) edits.set(path, { ...current, after: text, reasons: [...current.reasons, ...reasons] });
  };
  for (const [pattern, unpin] of sources) {
    for (const path of await ctx.target.globExpand(pattern, { directorySlash: false })) {
      await edit(path, (t) => {
        const { text, removed } = unpin(t);
        return { text, reasons: removed.map((r) => `remove ${r}`) };
      });
    }
  }
  if (Object.keys(renames).length) {
    for (const [pattern, rename] of renamers) {
      for (const path of await ctx.target.globExpand(pattern, { directorySlash: false })) {
        await edit(path, (t) => {
          const { text, changes } = rename(t, renames);
          return { text, reasons: changes.map((c) => `rename ${c}`) };
        });
      }
    }
  }
  for (const [path, e] of edits) {
    const ifcfg = /\/ifcfg-([^/]+)$/.exec(path);
    const newName = ifcfg && renames[ifcfg[1]!];
    if (newName) {
      // ifcfg files are found by name: move ifcfg-OLD to ifcfg-NEW.
      plan.changes.push({ path, before: e.before, reasons: [...e.reasons, `rename file to ifcfg-${newName}`] });
      plan.changes.push({ path: path.replace(/ifcfg-[^/]+$/, `ifcfg-${newName}`), after: e.after, reasons: [`from ${path}`] });
    } else {
      plan.changes.push({ path, before: e.before, after: e.after, reasons: e.reasons });
    }
  }
  const rules = '/etc/udev/rules.d/70-persistent-net.rules';
  const before = await textOf(ctx.target, rules);
  if (before !== undefined) plan.changes.push({ path: rules, before, reasons: ['remove the udev persistent-net rules (names bound to old MACs)'] });
  return plan;
}

/** Services of VMware and Hyper-V guest tools that have nothing to talk to on KVM. */
const HYPERVISOR_UNITS = ['vmtoolsd.service', 'vmware-tools.service', 'vgauth.service', 'open-vm-tools.service', 'hv-kvp-daemon.service', 'hv-vss-daemon.service', 'hv-fcopy-daemon.service', 'hypervkvpd.service', 'hypervvssd.service', 'hypervfcopyd.service'];

/** Masks (disables for good) the VMware / Hyper-V guest tools services that are installed. */
export async function planHypervisorTools(ctx: FixContext): Promise<FixPlan> {
  const plan: FixPlan = { fixer: 'hypervisor-tools', changes: [], commands: [], notes: [] };
  const installed: string[] = [];
  for (const unit of HYPERVISOR_UNITS) {
    const found = (await ctx.target.isFile(`/lib/systemd/system/${unit}`, { followSymlinks: true })) || (await ctx.target.isFile(`/usr/lib/systemd/system/${unit}`, { followSymlinks: true }));
    const masked = await ctx.target.exists(`/etc/systemd/system/${unit}`).then(async (e) => e && !(await ctx.target.isFile(`/etc/systemd/system/${unit}`, { followSymlinks: true })));
    if (found && !masked) installed.push(unit);
  }
  // What `systemctl mask` does, without needing systemctl in the guest.
  for (const unit of installed) plan.commands.push(['ln', '-sf', '/dev/null', `/etc/systemd/system/${unit}`]);
  if (await ctx.target.isDir('/etc/vmware-tools', { followSymlinks: true })) plan.notes.push('VMware Tools (tarball install) found in /etc/vmware-tools: run its vmware-uninstall-tools.pl inside the guest to remove it');
  return plan;
}

/** Every Linux fixer by name, in the order they should run. */
export const LINUX_FIXERS: Record<string, (ctx: FixContext, options: LinuxFixOptions) => Promise<FixPlan>> = {
  fstab: (ctx) => planFstab(ctx),
  network: (ctx, o) => planNetwork(ctx, o),
  'hypervisor-tools': (ctx) => planHypervisorTools(ctx),
  grub: (ctx, o) => planGrub(ctx, o.regenerateGrub ?? false),
  initramfs: (ctx) => planInitramfs(ctx),
};
