/**
 * `vmcraft customize`, as virt-customize: the operations (customize-ops.ts) run in the order given
 * on the command line (and in --commands-from-file), each parsed before any image is opened and
 * checked on the guest before the first write, so a bad one changes nothing.
 */
import { Command, Option } from 'commander';
import { VmcraftError } from '../core/errors.js';
import type { GuestFS } from '../guestfs.js';
import { closeSession, launchSession, outputFlags, reportingRunner } from './output.js';
import { addModeOptions } from './mode.js';
import { CUSTOMIZE_OPS, type OpContext, type OpSpec } from './customize-ops.js';
import { readCliFile } from './read.js';
import type { ShellIo } from './shell.js';
import { addDriveOptions, operandDrives, type DriveArg } from './session-options.js';

/** One operation as given: its table entry and its raw argument. */
interface Given { spec: OpSpec; arg: string }

const BY_NAME = new Map(CUSTOMIZE_OPS.map((s) => [s.name, s]));

/**
 * virt-customize's --commands-from-file: one `op arg` a line, `#` comments and empty lines ignored,
 * a line ending in `\` goes on with the next one (its leading blanks dropped).
 */
export function parseCommandsFile(text: string, file: string): Given[] {
  const out: Given[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let line = lines[i]!.replace(/\r$/, '');
    while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i]!.replace(/\r$/, '').trimStart();
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const m = /^\s*(\S+)\s*(.*)$/.exec(line)!;
    const spec = BY_NAME.get(m[1]!);
    if (!spec) throw new VmcraftError('EINVAL', `${file}:${lineNo}: unknown command \`${m[1]}\``);
    if (spec.arg && m[2] === '') throw new VmcraftError('EINVAL', `${file}:${lineNo}: ${spec.name} needs an argument ${spec.arg}`);
    out.push({ spec, arg: m[2]! });
  }
  return out;
}

/** An operation with its parsed argument. */
export interface Parsed { spec: OpSpec; p: unknown }

/** An operation as given on the command line, or a --commands-from-file to read. */
export type GivenOp = Given | { file: string };

/**
 * Adds --commands-from-file and an option per operation (but those in `skip`) to `cmd`; each
 * use is pushed on `given`, so the operations keep their command-line order.
 */
export function addCustomizeOptions(cmd: Command, given: GivenOp[], skip: readonly string[] = []): Command {
  cmd.option('--commands-from-file <file>', 'read operations from a file, one `op arg` a line', (file: string) => { given.push({ file }); });
  for (const spec of CUSTOMIZE_OPS.filter((s) => !skip.includes(s.name))) {
    cmd.addOption(new Option(`--${spec.name}${spec.arg ? ` <${spec.arg}>` : ''}`, spec.help).argParser((arg: string) => { given.push({ spec, arg: spec.arg ? arg : '' }); }));
  }
  return cmd;
}

/** Reads the commands files and parses every operation (syntax and host files), before any image is opened. */
export async function parseCustomizeOps(given: readonly GivenOp[]): Promise<Parsed[]> {
  const ops: Given[] = [];
  for (const g of given) ops.push(...('file' in g ? parseCommandsFile(await readCliFile(g.file, 'the commands file'), g.file) : [g]));
  const runner = reportingRunner();
  const parsed: Parsed[] = [];
  for (const o of ops) parsed.push({ spec: o.spec, p: await o.spec.parse(o.arg, runner) });
  return parsed;
}

/** Prints virt-customize's progress lines (`[  12.3] message`) on `io`, timed from now; nothing with --quiet. */
export function progressSayer(io: ShellIo): (msg: string) => void {
  const start = performance.now();
  return (msg) => { if (!outputFlags().quiet) for (const line of msg.split('\n')) io.out(`${stamp(start)} ${line}`); };
}

/** A session on the drives with the (first) inspected root mounted, and the operations' context. */
export async function openGuest(images: DriveArg[], readonly: boolean, flags: CustomizeFlags, say: (m: string) => void, tool = 'customize'): Promise<{ g: GuestFS; ctx: OpContext }> {
  say('Examining the guest ...');
  const g = await launchSession(images, { readonly, keys: flags.key, ...(flags.chainDir ? { chain: { allowDir: flags.chainDir } } : {}) });
  try {
    const [root] = await g.inspectOs();
    if (!root) throw new VmcraftError('EINSPECT', `${tool}: no operating system found`);
    await g.mountRoot(root);
    return { g, ctx: { network: flags.network ?? false, manager: g.inspectOsInfo(root).packageManagement, firstboot: 0 } };
  } catch (err) {
    await closeSession(g);
    throw err;
  }
}

/** Runs `work` on an opened guest, then closes it. */
export async function withGuest({ g, ctx }: { g: GuestFS; ctx: OpContext }, work: (g: GuestFS, ctx: OpContext) => Promise<void>): Promise<void> {
  try {
    await work(g, ctx);
  } finally {
    await closeSession(g);
  }
}

/** virt-customize's message shape: `[  12.3] Setting the hostname: x`. */
const stamp = (start: number) => `[${((performance.now() - start) / 1000).toFixed(1).padStart(6)}]`;

/** The flags openGuest reads. */
export interface CustomizeFlags { key: string[]; network?: boolean; dryRun?: boolean; chainDir?: string }

/** Adds `customize` to the program. */
export function addCustomizeCommand(program: Command, io: ShellIo): void {
  // Commander keeps options by name, not in order: this collects the operations in command-line order.
  const given: GivenOp[] = [];
  const cmd = addDriveOptions(program
    .command('customize')
    .description('customise a guest in place (like virt-customize): operations run in the order given')
    .argument('[images...]', 'disk images (as -a)'))
    .option('--key <passphrase>', 'LUKS passphrase (repeatable)', (v: string, prev: string[]) => [...prev, v], [])
    .option('-n, --dry-run', 'check every operation and print what would be done; the image is opened read-only')
    .option('--network', "give guest commands (--run, --run-command) the host's network")
    .option('--no-network', 'no network for guest commands (the default)');
  addModeOptions(addCustomizeOptions(cmd, given)).action(async (operands: string[], flags: CustomizeFlags & { add: DriveArg[]; format?: string | true }) => {
    const images = [...flags.add, ...operandDrives(operands, flags.format)];
    if (!images.length) throw new VmcraftError('EINVAL', 'customize: no disk image (give it as an operand or with -a)');
    // 1. Syntax and host files, before any image is opened.
    const parsed = await parseCustomizeOps(given);
    const say = progressSayer(io);
    const open = (readonly: boolean) => openGuest(images, readonly, flags, say);
    // 2. On the guest, every operation, in a read-only session: even mounting read-write changes an
    // image (the filesystem's mount count and times), and a bad operation must leave it byte-identical.
    await withGuest(await open(true), async (g, ctx) => {
      for (const { spec, p } of parsed) await spec.check?.(g, p, ctx);
      if (flags.dryRun) for (const { spec, p } of parsed) say(`${spec.describe(p)} (dry run: not done)`);
    });
    if (flags.dryRun) return say('Dry run: nothing written');
    // 3. In order.
    await withGuest(await open(false), async (g, ctx) => {
      for (const { spec, p } of parsed) {
        say(spec.describe(p));
        const after = await spec.run(g, p, ctx);
        if (after) say(after);
      }
      say('Finishing off');
    });
  });
}
