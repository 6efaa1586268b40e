/**
 * The `fix` subcommand, on an inspected, mounted guest;
 * and the Windows ones. Each takes --vm, --host and --mode (mode.ts), which launchSession applies.
 */
import type { Command } from 'commander';
import type { GuestFS } from '../guestfs.js';
import type { FixPlan } from '../fix/types.js';
import { closeSession, launchSession } from './output.js';
import { addModeOptions } from './mode.js';
import type { ShellIo } from './shell.js';
import { readCliFile } from './read.js';
import { collect } from './cli-options.js';


/** A session on `images` with the inspected root mounted. */
async function openMounted(images: string[], readonly: boolean, keys: string[]): Promise<GuestFS> {
  const g = await launchSession(images, { readonly, keys });
  try {
    const [root] = await g.inspectOs();
    if (!root) throw Object.assign(new Error('no operating system found'), { code: 'EINSPECT' });
    await g.mountRoot(root);
    return g;
  } catch (err) {
    await closeSession(g);
    throw err;
  }
}

/** Adds `fix` to the program. */
export function addJobCommands(program: Command, io: ShellIo): void {
  addModeOptions(program
    .command('fix')
    .description('make a guest from VMware, Hyper-V or a cloud boot on KVM: shows the plan, --apply applies it')
    .requiredOption('-a, --add <image>', 'disk image (repeat for several drives)', collect, [])
    .option('--key <passphrase>', 'LUKS passphrase (repeatable)', collect, [])
    .option('--fixer <name>', 'run only these fixers (repeatable)', collect, [])
    .option('--apply', 'apply the plan (backups of every file changed go to /var/lib/vmcraft/backups in the guest)')
    .option('--regenerate-grub', "regenerate grub.cfg with the guest's grub-mkconfig")
    .option('--json', 'print the plan (and report) as JSON'))
    .action(async (flags: { add: string[]; key: string[]; fixer: string[]; apply?: boolean; regenerateGrub?: boolean; json?: boolean }) => {
      const g = await openMounted(flags.add, !flags.apply, flags.key);
      try {
        const plans = await g.fixPlan(flags.fixer.length ? flags.fixer : undefined, { regenerateGrub: flags.regenerateGrub ?? false });
        const reports = flags.apply ? await g.fixApply(plans) : undefined;
        if (flags.json) io.out(JSON.stringify({ plans, ...(reports ? { reports } : {}) }, null, 2));
        else printPlans(plans, io, flags.apply ?? false);
      } finally {
        await closeSession(g);
      }
    });
}

/** Adds `reg-read`, `reg-write` and `inject-driver` (Windows guests) to the program. */
export function addWindowsCommands(program: Command, io: ShellIo): void {
  // Registry data may be bigint (QWORD) or bytes: print them as decimal and hex.
  const json = (v: unknown) =>
    JSON.stringify(v, (_k, x: unknown) => {
      if (typeof x === 'bigint') return x.toString();
      const b = x as { type?: string; data?: number[] };
      return b && b.type === 'Buffer' && Array.isArray(b.data) ? Buffer.from(b.data).toString('hex') : x;
    }, 2);
  addModeOptions(program
    .command('reg-read')
    .description('read a registry key (or one value) of a Windows guest, read-only')
    .requiredOption('-a, --add <image>', 'disk image (repeatable)', collect, [])
    .argument('<hive>', 'hive guest path, e.g. /Windows/System32/config/SOFTWARE')
    .argument('<key>', 'key path, e.g. "\\Microsoft\\Windows NT\\CurrentVersion"')
    .argument('[value]', 'value name'))
    .action(async (hive: string, key: string, name: string | undefined, flags: { add: string[] }) => {
      const g = await openMounted(flags.add, true, []);
      try {
        const result = name === undefined ? await g.registryKeys(hive, key) : await g.registryRead(hive, key, name);
        io.out(json(result));
      } finally {
        await closeSession(g);
      }
    });
  addModeOptions(program
    .command('reg-write')
    .description('merge a .reg file into a hive of a Windows guest (the hive is backed up first)')
    .requiredOption('-a, --add <image>', 'disk image (repeatable)', collect, [])
    .argument('<hive>', 'hive guest path')
    .argument('<regfile>', '.reg file (hivexregedit format: keys relative to the hive root)'))
    .action(async (hive: string, regFile: string, flags: { add: string[] }) => {
      const g = await openMounted(flags.add, false, []);
      try {
        io.out(`backup: ${(await g.registryMerge(hive, await readCliFile(regFile, 'the .reg file'))).backup}`);
      } finally {
        await closeSession(g);
      }
    });
  addModeOptions(program
    .command('inject-driver')
    .description('inject VirtIO drivers from a virtio-win tree into a Windows guest')
    .requiredOption('-a, --add <image>', 'disk image (repeatable)', collect, [])
    .argument('<driverdir>', 'virtio-win tree (mounted ISO or extracted)')
    .option('--driver <name>', 'driver directory name (repeatable; default viostor, vioscsi, netkvm)', collect, [])
    .option('--dry-run', 'show the plan only')
    .option('--json', 'print the report as JSON'))
    .action(async (driverDir: string, flags: { add: string[]; driver: string[]; dryRun?: boolean; json?: boolean }) => {
      const g = await openMounted(flags.add, flags.dryRun ?? false, []);
      try {
        const report = await g.injectVirtioDrivers(driverDir, { ...(flags.driver.length ? { drivers: flags.driver } : {}), dryRun: flags.dryRun ?? false });
        if (flags.json) return io.out(json(report));
        for (const d of report.plan.drivers) io.out(`${d.driver}: ${d.source} (${d.inf.className}, ${d.inf.hardwareIds.length} PCI ids)`);
        for (const n of report.plan.notes) io.out(`note: ${n}`);
        io.out(report.applied ? `applied: ${report.filesCopied.length} files, ${report.plan.registry.length} registry edits, hive backup ${report.hiveBackup}` : 'nothing written');
      } finally {
        await closeSession(g);
      }
    });
}

function printPlans(plans: FixPlan[], io: ShellIo, applied: boolean): void {
  for (const plan of plans) {
    const work = plan.changes.length + plan.commands.length;
    io.out(`${plan.fixer}: ${work === 0 ? 'nothing to do' : `${work} change(s)${applied ? ' applied' : ' planned'}`}`);
    for (const c of plan.changes) for (const r of c.reasons) io.out(`  ${c.path}: ${r}`);
    for (const argv of plan.commands) io.out(`  run: ${argv.join(' ')}`);
    for (const n of plan.notes) io.out(`  note: ${n}`);
  }
}
