/**
 * Boot configuration: `root=` on the kernel command line by a stable name
 * (GRUB defaults and generated grub.cfg, BIOS and UEFI layouts), and the
 * virtio drivers in the initramfs of every installed kernel.
 */
import type { FixContext } from '../context.js';
import { textOf } from '../context.js';
import type { FileChange, FixPlan } from '../types.js';

const GRUB_FILES = ['/etc/default/grub', '/boot/grub/grub.cfg', '/boot/grub2/grub.cfg'];

/** Replaces `root=/dev/sdaN`-style arguments with stable names; returns the new text and the replacements. */
export function stabilizeRootArgs(text: string, stable: (spec: string) => string | undefined): { text: string; reasons: string[] } {
  const reasons: string[] = [];
  const out = text.replace(/\b(root|resume)=(\/dev\/(?:(?:sd|vd|xvd|hd)[a-z]+\d*|nvme\d+n\d+(?:p\d+)?))\b/g, (whole, key: string, dev: string) => {
    const to = stable(dev);
    if (!to) return whole;
    reasons.push(`${key}=${dev} → ${key}=${to}`);
    return `${key}=${to}`;
  });
  return { text: out, reasons };
}

/** Plans the GRUB changes; regenerating grub.cfg with the guest's grub-mkconfig only when asked. */
export async function planGrub(ctx: FixContext, regenerate = false): Promise<FixPlan> {
  const plan: FixPlan = { fixer: 'grub', changes: [], commands: [], notes: [] };
  const files = [...GRUB_FILES, ...(await ctx.target.globExpand('/boot/efi/EFI/*/grub.cfg', { directorySlash: false }))];
  for (const path of files) {
    const before = await textOf(ctx.target, path);
    if (before === undefined) continue;
    const { text, reasons } = stabilizeRootArgs(before, ctx.stableName);
    if (reasons.length) plan.changes.push({ path, before, after: text, reasons });
  }
  if (!files.some((f) => f !== '/etc/default/grub') && !(await ctx.target.exists('/boot/grub')) && !(await ctx.target.exists('/boot/grub2'))) plan.notes.push('no GRUB configuration found');
  if (regenerate && plan.changes.length) {
    for (const [tool, out] of [['grub-mkconfig', '/boot/grub/grub.cfg'], ['grub2-mkconfig', '/boot/grub2/grub.cfg']] as const) {
      if ((await ctx.target.isFile(`/usr/sbin/${tool}`, { followSymlinks: true })) && (await ctx.target.isFile(out, { followSymlinks: true }))) plan.commands.push([tool, '-o', out]);
    }
  }
  return plan;
}

/** The drivers a guest needs to boot and talk on KVM. */
export const VIRTIO_MODULES = ['virtio_blk', 'virtio_scsi', 'virtio_net', 'virtio_pci'];

/** Plans virtio drivers into the initramfs with the guest's own tool, for every installed kernel. */
export async function planInitramfs(ctx: FixContext): Promise<FixPlan> {
  const plan: FixPlan = { fixer: 'initramfs', changes: [], commands: [], notes: [] };
  const t = ctx.target;
  const kernels = (await t.isDir('/lib/modules', { followSymlinks: true })) ? await t.ls('/lib/modules') : [];
  const add = (change: FileChange, argv: string[]) => {
    if (change.before !== change.after) plan.changes.push(change);
    if (kernels.length && change.before !== change.after) plan.commands.push(argv);
  };
  if (await t.isFile('/usr/sbin/update-initramfs', { followSymlinks: true })) {
    const path = '/etc/initramfs-tools/modules';
    const before = (await textOf(t, path)) ?? '';
    const present = new Set(before.split('\n').map((l) => l.trim()));
    const missing = VIRTIO_MODULES.filter((m) => !present.has(m));
    add({ path, before, after: missing.length ? `${before.replace(/\n?$/, '\n')}${missing.join('\n')}\n` : before, reasons: missing.map((m) => `add ${m}`) }, ['update-initramfs', '-u', '-k', 'all']);
  } else if ((await t.isFile('/usr/bin/dracut', { followSymlinks: true })) || (await t.isFile('/usr/sbin/dracut', { followSymlinks: true }))) {
    const path = '/etc/dracut.conf.d/90-vmcraft-virtio.conf';
    const after = `# added by vmcraft: boot on KVM\nadd_drivers+=" ${VIRTIO_MODULES.join(' ')} "\n`;
    add({ path, before: await textOf(t, path), after, reasons: ['virtio drivers for dracut'] }, ['dracut', '-f', '--regenerate-all']);
  } else if (await t.isFile('/etc/mkinitcpio.conf', { followSymlinks: true })) {
    const path = '/etc/mkinitcpio.conf';
    const before = (await t.read(path, 'utf8'));
    const after = before.replace(/^MODULES=\(([^)]*)\)/m, (_, list: string) => {
      const have = list.split(/\s+/).filter(Boolean);
      return `MODULES=(${[...have, ...VIRTIO_MODULES.filter((m) => !have.includes(m))].join(' ')})`;
    });
    add({ path, before, after, reasons: ['virtio drivers in MODULES'] }, ['mkinitcpio', '-P']);
  } else {
    plan.notes.push('no initramfs tool found (update-initramfs, dracut, mkinitcpio)');
  }
  if (kernels.length === 0) plan.notes.push('no kernel installed: nothing to regenerate');
  return plan;
}
