#!/usr/bin/env node
/**
 * The vmcraft command:
 *   vmcraft -a disk.qcow2 [--ro [--live]] [--chain-dir DIR] [-i]   interactive shell (guestfish-like)
 *   vmcraft -a disk.qcow2 --ro -i --run 'cat /etc/hostname'   one-shot commands (or --script FILE|-)
 *   vmcraft -a disk.qcow2 --ro -i cat /etc/hostname : ls /   guestfish's trailing commands (toplevel.ts)
 *   vmcraft --version | help [command]                     (toplevel.ts; -m, per-drive --format: session-options.ts)
 *   vmcraft inspect [-a] disk… [--format FMT] [--json|--xml] [--live] [--chain-dir DIR]   like virt-inspector (inspect-command.ts)
 *   vmcraft convert SRC DST [-O fmt] [-c] [--json] [--chain-dir DIR]   qemu-img convert with a progress bar
 *   vmcraft customize [-a] disk [--hostname …] [--run-command …] [-n] …   (like virt-customize; customize.ts)
 *   vmcraft sysprep -a disk [--operations …] [-n] [customize options]   (like virt-sysprep; sysprep.ts)
 *   vmcraft fix -a disk [--apply] [--json]            fixers for a guest moving to KVM
 *   vmcraft pipeline plan|run config.yaml… [--dry-run] [--json]   migration pipelines (pipeline.ts)
 *   vmcraft pipeline enqueue|status|retry|cancel, vmcraft worker   the pipeline on a Redis queue (queue.ts)
 *   vmcraft doctor [--json]                           what this host can do in host mode and VM mode (doctor.ts)
 *   vmcraft dashboard --redis URL [--listen HOST:PORT] [--token T]   web page of a migration queue (dashboard.ts)
 * Every command also takes -v/--verbose (external commands as human lines), --trace (JSON lines
 * on stderr, see output.ts) and -q/--quiet, before or after its name; every command that opens
 * images takes --vm, --host or --mode auto|host|vm (where the session runs, see mode.ts).
 * Exit codes: 0 ok, 1 a command failed, 2 bad usage (found before any image was opened);
 * interrupted by SIGINT/SIGTERM/SIGHUP it dies of the signal once everything is released, and
 * when the reader of its output leaves (`| head`) it stops and exits quietly with 141 (interrupt.ts).
 */
import { Command, Option } from 'commander';
import type { GuestFS } from '../guestfs.js';
import { isVmcraftError } from '../core/errors.js';
import { convert, type OutputFormat } from '../convert/convert.js';
import { interactiveShell, runScript } from './shell.js';
import { addJobCommands, addWindowsCommands } from './jobs.js';
import { addCustomizeCommand } from './customize.js';
import { addSysprepCommand } from './sysprep.js';
import { addPipelineCommands } from './pipeline.js';
import { addQueueCommands } from './queue.js';
import { addDoctorCommand } from './doctor.js';
import { addDashboardCommand } from './dashboard.js';
import { addToolCommands } from './tools/index.js';
import { addOutputOptions, closeSession, io, launchSession, outputFlags, outputHook, progressBars, reportFatal, reportingRunner, sessionLaunched } from './output.js';
import { addModeOptions, modeHook } from './mode.js';
import { exitInterrupted, interruption, watchInterruptions } from './interrupt.js';
import { readCliFile, readStdin } from './read.js';
import { addHelpCommand, packageVersion, trailingCommands, usageExit } from './toplevel.js';
import { addDriveOptions, mountAll, stdinKeys, parseMount, type DriveArg, type MountArg } from './session-options.js';
import { addInspectCommand } from './inspect-command.js';
import { CHAIN_DIR_HELP, collect, HELP_SETTINGS } from './cli-options.js';


interface SessionFlags {
  add: DriveArg[];
  ro?: boolean;
  live?: boolean;
  chainDir?: string;
  key: string[];
  keysFromStdin?: boolean;
  mount: MountArg[];
  backend?: 'auto' | 'nbd' | 'fuse' | 'loop';
  inspector?: boolean;
  run: string[];
  script?: string;
  rw?: boolean;
}

async function openSession(images: (string | DriveArg)[], flags: Pick<SessionFlags, 'ro' | 'live' | 'chainDir' | 'key' | 'backend'> & { quiet?: boolean }): Promise<GuestFS> {
  return launchSession(images, { readonly: flags.ro ?? false, ...(flags.live ? { live: true } : {}), ...(flags.chainDir ? { chain: { allowDir: flags.chainDir } } : {}), keys: flags.key, ...(flags.backend ? { backend: flags.backend } : {}), ...(flags.quiet ? { quiet: true } : {}) });
}

/** The commands to run (else undefined: the interactive shell): trailing words, --run, --script, or a piped standard input. */
async function scriptLines(flags: SessionFlags, trailing: string[]): Promise<string[] | undefined> {
  const sources = [trailing.length ? 'commands after the options' : '', flags.run.length ? '--run' : '', flags.script ? '--script' : ''].filter(Boolean);
  if (sources.length > 1) usageExit(`${sources.join(' and ')} cannot be used together: give the commands one way`);
  if (flags.keysFromStdin && (flags.script === '-' || (!sources.length && !process.stdin.isTTY))) usageExit('--keys-from-stdin reads standard input: give the commands with --run, --script FILE or after the options');
  if (trailing.length) return trailing;
  if (flags.run.length) return flags.run;
  if (flags.script) return (flags.script === '-' ? await readStdin() : await readCliFile(flags.script, 'the script')).split('\n');
  if (!process.stdin.isTTY) return (await readStdin()).split('\n');
  return undefined;
}

async function sessionMain(words: string[], flags: SessionFlags): Promise<number> {
  const trailing = trailingCommands(program, words, flags.add.length > 0);
  if (flags.add.length === 0) {
    program.help({ error: true });
  }
  if (flags.ro && flags.rw) usageExit('--ro and --rw cannot be used together');
  // The script is read first: a missing file is reported before anything is opened.
  const lines = await scriptLines(flags, trailing);
  if (flags.keysFromStdin) flags.key = [...flags.key, ...await stdinKeys()];
  const g = await openSession(flags.add, flags);
  try {
    if (flags.inspector) {
      const [root] = await g.inspectOs();
      if (!root) throw Object.assign(new Error('-i: no operating system found'), { code: 'EINSPECT' });
      await g.mountRoot(root);
    }
    await mountAll(g, flags.mount, flags.ro ?? false);
    if (lines) return await runScript(g, lines, io, interruption);
    await interactiveShell(g, io, interruption);
    return 0;
  } finally {
    await closeSession(g);
  }
}

const program = addModeOptions(addDriveOptions(new Command('vmcraft')
  .configureHelp(HELP_SETTINGS)
  // Options after a subcommand belong to it (customize and fix have their own -a).
  .enablePositionalOptions()
  .version(packageVersion(), '-V, --version', 'print the version and exit')
  .description('open VM disk images and inspect or change what is inside')
  .argument('[commands...]', 'shell commands to run and exit, as guestfish takes them (several separated by " : ")'))
  .option('--ro', 'read-only: nothing in the images can change')
  .option('-w, --rw', 'read-write (the default; accepted for guestfish scripts)')
  .option('--live', 'with --ro: open images that another program (a running VM) may be writing; what is read may be inconsistent')
  .option('-m, --mount <dev[:mountpoint[:options[:fstype]]]>', 'mount this filesystem (at / unless given) once the images are open (repeatable)', parseMount, [])
  .option('--chain-dir <dir>', CHAIN_DIR_HELP)
  .option('--key <passphrase>', 'LUKS passphrase to try (repeatable)', collect, [])
  .option('--keys-from-stdin', 'read LUKS passphrases from standard input, one a line')
  .addOption(new Option('--backend <backend>', 'how images are attached').choices(['auto', 'nbd', 'fuse', 'loop']))
  .option('-i, --inspector', 'inspect the disks and mount the operating system found')
  .option('--run <command>', 'run a shell command and exit (repeatable)', collect, [])
  .option('--script <file>', 'run the commands in a file (- for standard input) and exit')
  .option('-v, --verbose', 'show every external command with its time')
  .option('--trace', 'JSON lines on stderr: every external command (argv, exit code, duration), phase and session event')
  .option('-q, --quiet', 'no warnings or progress'))
  .hook('preAction', outputHook)
  .hook('preAction', modeHook)
  .showHelpAfterError()
  // Usage errors (unknown option, bad choice) exit 2, so scripts can tell them from failed commands.
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
  .action(async (words: string[], flags: SessionFlags) => {
    process.exitCode = await sessionMain(words, flags);
  })
  // guestfish's trailing commands share names with the tool subcommands (cat, ls, df…): after the
  // shell's own -a, the words are shell commands (`vmcraft -a d -i cat /etc/hostname`), not a subcommand.
  .hook('preSubcommand', async (root, subcommand) => {
    const flags = root.opts<SessionFlags>();
    if (flags.add.length === 0) return;
    outputHook(root, root);
    modeHook(root, root);
    process.exitCode = await sessionMain(root.args, flags);
    throw new ShellRan(subcommand.name());
  });

/** Ends the parse after the shell ran trailing words that name a subcommand (see the preSubcommand hook). */
class ShellRan extends Error {}

addInspectCommand(program, io);

program
  .command('convert')
  .description('convert an image to another format, with a progress bar')
  .argument('<source>')
  .argument('<target>')
  .option('-O, --output-format <format>', 'output format', 'qcow2')
  .option('-c, --compress', 'compress the output')
  .option('--overwrite', 'replace an existing target')
  .option('--chain-dir <dir>', CHAIN_DIR_HELP)
  .addOption(new Option('--verify <how>', 'check the output').choices(['check', 'compare']))
  .option('--json', 'print progress events and the result as JSON lines')
  .action(async (source: string, target: string, opts: { outputFormat: OutputFormat; compress?: boolean; overwrite?: boolean; chainDir?: string; verify?: 'check' | 'compare'; json?: boolean }) => {
    const cliProgress = await progressBars(process.stderr, opts.json);
    const bar = cliProgress && new cliProgress.SingleBar({ format: 'converting [{bar}] {percentage}% | {rate} MiB/s | ETA {eta_formatted}', stream: process.stderr }, cliProgress.Presets.shades_classic);
    bar?.start(100, 0, { rate: '0' });
    const result = await convert(source, target, {
      format: opts.outputFormat,
      compress: opts.compress ?? false,
      overwrite: opts.overwrite ?? false,
      ...(opts.chainDir ? { chain: { allowDir: opts.chainDir } } : {}),
      verify: opts.verify ?? false,
      signal: interruption,
      ...(outputFlags().verbose || outputFlags().trace ? { runner: reportingRunner() } : {}),
      onProgress: (e) => {
        if (opts.json) io.out(JSON.stringify({ event: 'progress', ...e }));
        bar?.update(e.percent, { rate: (e.rateBytesPerSecond / 2 ** 20).toFixed(1) });
      },
    }).finally(() => bar?.stop());
    io.out(opts.json ? JSON.stringify({ event: 'done', ...result }) : `${result.output}: ${result.format}, ${result.size} bytes, sha256 ${result.sha256}`);
  });

addCustomizeCommand(program, io);
addSysprepCommand(program, io);
addJobCommands(program, io);
addWindowsCommands(program, io);
addPipelineCommands(program, io);
addQueueCommands(program, io);
addDoctorCommand(program, io);
addDashboardCommand(program, io);
addToolCommands(program, io);
addHelpCommand(program, io);
for (const command of program.commands) [command, ...command.commands].forEach(addOutputOptions);

watchInterruptions();
program.parseAsync().then(
  () => void exitInterrupted(),
  (err: unknown) => {
    if (exitInterrupted() || err instanceof ShellRan) return;
    const code = isVmcraftError(err) ? err.code : ((err as { code?: string }).code ?? 'ERROR');
    reportFatal(code, err as Error);
    process.exitCode = code === 'EINVAL' && !sessionLaunched() ? 2 : 1;
  },
);
