/**
 * `vmcraft sysprep`, as virt-sysprep: its named operations (src/customize/sysprep/) chosen
 * with --operations/--enable, `--list-operations` in its shape, `-n` (a read-only session
 * that reports what would be removed), the user-account options and virt-customize's
 * operations (customize-ops.ts), which run last as its `customize` operation does.
 */
import { Command, Option } from 'commander';
import type { GuestFS } from '../guestfs.js';
import { listOperationsLines, selectedOperations, sysprepOperations, type SelectionStep, type SysprepOptions, type SysprepReport } from '../customize/sysprep/index.js';
import { addCustomizeOptions, openGuest, parseCustomizeOps, progressSayer, withGuest, type CustomizeFlags, type GivenOp, type Parsed } from './customize.js';
import type { OpContext } from './customize-ops.js';
import { addModeOptions } from './mode.js';
import { CHAIN_DIR_HELP, collect } from './cli-options.js';
import { addDriveOptions, stdinKeys, type DriveArg } from './session-options.js';
import type { ShellIo } from './shell.js';
import { usage } from './tools/session.js';

interface SysprepFlags extends CustomizeFlags {
  listOperations?: boolean;
  domain?: string;
  connect?: string;
  keysFromStdin?: boolean;
  json?: boolean;
  removeUserAccounts: string[];
  keepUserAccounts: string[];
}

/** The comma list of a user-account option, collected over its repeats. */
const users = (v: string, prev: string[]) => [...prev, ...v.split(',')];

/** What one guest (inspection root) went through, as --json prints it. */
interface GuestRun extends SysprepReport { root: string; customize: string[] }

/** Prints a dry run's detail lines under an operation. */
function dryRunLines(r: SysprepReport['operations'][number]): string[] {
  return [...r.removed.map((p) => `  would remove ${p}`), ...r.emptied.map((p) => `  would empty ${p}`), ...r.changed.map((p) => `  would write ${p}`)];
}

/** The user-account options, for the calls that run user-account. */
const userOptions = (names: string[], o: SysprepOptions) => (names.includes('user-account') ? { removeUserAccounts: o.removeUserAccounts, keepUserAccounts: o.keepUserAccounts } : {});

/**
 * Runs the operations and then the customize options. A real run makes one call per operation,
 * so the progress lines come as they run; a dry run one plan of them all, so that what an
 * operation would remove is not counted again by a later one.
 */
async function prepGuest(g: GuestFS, ctx: OpContext, names: string[], options: SysprepOptions, customize: Parsed[], dryRun: boolean, say: (m: string) => void): Promise<Omit<GuestRun, 'root'>> {
  const run: Omit<GuestRun, 'root'> = { dryRun, operations: [], removed: [], emptied: [], changed: [], warnings: [], customize: [] };
  const add = (r: SysprepReport) => { for (const key of ['operations', 'removed', 'emptied', 'changed', 'warnings'] as const) (run[key] as unknown[]).push(...r[key]); };
  if (dryRun && names.length) add(await g.sysprepPlan({ enable: names, ...userOptions(names, options) }));
  for (const name of names) {
    say(`Performing "${name}" ...`);
    if (dryRun) for (const line of dryRunLines(run.operations.find((o) => o.name === name)!)) say(line);
    else add(await g.sysprep({ enable: [name], ...userOptions([name], options) }));
    if (name !== 'customize') continue;
    for (const { spec, p } of customize) {
      say(dryRun ? `${spec.describe(p)} (dry run: not done)` : spec.describe(p));
      if (dryRun) continue;
      const after = await spec.run(g, p, ctx);
      run.customize.push(spec.describe(p));
      if (after) say(after);
    }
  }
  return run;
}

/** Adds `sysprep` to the program. */
export function addSysprepCommand(program: Command, io: ShellIo): void {
  // Commander keeps options by name: these keep the drives, the selection and the customize operations in order.
  let formatPending = false;
  const steps: SelectionStep[] = [];
  const given: GivenOp[] = [];
  const operations = (v: string) => { steps.push({ operations: v.split(',') }); };
  const cmd = addDriveOptions(program
    .command('sysprep')
    .description('reset or unconfigure a guest so clones can be made (like virt-sysprep)'))
    // As virt-sysprep: a --format after the last -a applies to nothing, and is refused.
    .on('option:format', () => { formatPending = true; })
    .on('option:add', () => { formatPending = false; })
    .option('-d, --domain <domain>', 'not taken: vmcraft does not use libvirt (give the disk images with -a)')
    .option('-c, --connect <uri>', 'not taken: vmcraft does not use libvirt')
    .option('--list-operations', 'list the operations (* = enabled by default) and exit')
    .option('--operations <operations>', 'enable/disable operations: name, -name, defaults, all (comma-separated)', operations)
    .addOption(new Option('--operation <operations>', 'same as --operations').hideHelp().argParser(operations))
    .option('--enable <operations>', 'run exactly these operations (comma-separated)', (v: string) => { steps.push({ enable: v.split(',') }); })
    .option('-n, --dry-run', 'report what would be removed or changed; the images are opened read-only')
    .addOption(new Option('--dryrun', 'same as --dry-run').hideHelp())
    .option('--remove-user-accounts <users>', 'user-account: remove only these users (comma-separated, repeatable)', users, [])
    .option('--keep-user-accounts <users>', 'user-account: keep these users (comma-separated, repeatable)', users, [])
    .option('--key <passphrase>', 'LUKS passphrase (repeatable)', collect, [])
    .option('--keys-from-stdin', 'read LUKS passphrases from standard input, one a line')
    .option('--chain-dir <dir>', CHAIN_DIR_HELP)
    .option('--network', "give guest commands (--run, --run-command) the host's network")
    .option('--no-network', 'no network for guest commands (the default)')
    .option('-x, --trace', 'JSON lines on stderr: every external command, phase and session event (virt-sysprep -x)')
    .option('--json', 'print what was done as JSON');
  addModeOptions(addCustomizeOptions(cmd, given, ['sysprep'])).action(async (flags: SysprepFlags & { dryrun?: boolean; add: DriveArg[] }) => {
    const drives = flags.add;
    if (flags.listOperations) {
      for (const line of flags.json ? [JSON.stringify(sysprepOperations())] : listOperationsLines()) io.out(line);
      return;
    }
    if (flags.domain || flags.connect) throw usage('sysprep: -d/-c are not taken: vmcraft does not use libvirt; give the domain\u2019s disk images with -a');
    if (!drives.length) throw usage('sysprep: you must give -a options (see --help)');
    if (formatPending) throw usage('sysprep: --format parameter must appear before -a parameter');
    const dryRun = !!(flags.dryRun || flags.dryrun);
    const options: SysprepOptions = { removeUserAccounts: flags.removeUserAccounts, keepUserAccounts: flags.keepUserAccounts };
    const names = selectedOperations(options, steps);
    const customize = await parseCustomizeOps(given);
    if (flags.keysFromStdin) flags.key = [...flags.key, ...await stdinKeys()];
    const say = flags.json ? () => undefined : progressSayer(io);
    const guests: GuestRun[] = [];
    const each = (readonly: boolean, work: (g: GuestFS, ctx: OpContext, root: string) => Promise<void>) => openGuest(drives, readonly, flags, say, 'sysprep').then((opened) => withGuest(opened, async (g, ctx) => {
      for (const [i, root] of g.inspectGetRoots().entries()) {
        if (i > 0) {
          await g.umountAll();
          await g.mountRoot(root);
        }
        await work(g, { ...ctx, manager: g.inspectOsInfo(root).packageManagement }, root);
      }
    }));
    // The customize options are checked on the guest before anything is written, in a read-only session
    // (mounting read-write already changes an image): a bad one leaves it as it was.
    const customizing = names.includes('customize') && customize.length > 0;
    if (customizing && !dryRun) await each(true, async (g, ctx) => { for (const { spec, p } of customize) await spec.check?.(g, p, ctx); });
    await each(dryRun, async (g, ctx, root) => {
      if (dryRun && customizing) for (const { spec, p } of customize) await spec.check?.(g, p, ctx);
      guests.push({ root, ...(await prepGuest(g, ctx, names, options, customizing ? customize : [], dryRun, say)) });
    });
    for (const w of guests.flatMap((r) => r.warnings)) io.err(`warn: ${w}`);
    if (flags.json) io.out(JSON.stringify({ dryRun, guests }));
    else if (dryRun) say('Dry run: nothing written');
  });
}

