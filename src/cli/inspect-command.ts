/**
 * `vmcraft inspect`, virt-inspector's options: drives as operands or `-a`
 * (repeatable), `--format FMT` for the `-a` drives after it (session-options.ts's
 * per-drive parser: `auto` or a bare `--format` goes back to detection), `--key`, `--keys-from-stdin`, and the output as
 * human lines, `--json`, or virt-inspector's XML with `--xml`.
 */
import { type Command, Option } from 'commander';
import type { ShellIo } from './shell.js';
import { closeSession, launchSession } from './output.js';
import { addModeOptions } from './mode.js';
import { CHAIN_DIR_HELP, collect } from './cli-options.js';
import { inspectReport, printReport } from './inspect-report.js';
import { inspectorXml } from './inspect-xml.js';
import { addDriveOptions, operandDrives, stdinKeys, type DriveArg } from './session-options.js';

interface InspectFlags {
  add: DriveArg[];
  format?: string | true;
  json?: boolean;
  xml?: boolean;
  /** false with --no-icon. */
  icon: boolean;
  key: string[];
  keysFromStdin?: boolean;
  live?: boolean;
  chainDir?: string;
}

/** Adds `vmcraft inspect`. */
export function addInspectCommand(program: Command, io: ShellIo): void {
  const command = addModeOptions(addDriveOptions(program
    .command('inspect')
    .description('inspect the operating systems in disk images (read-only), like virt-inspector')
    .argument('[images...]', 'disk images (drives of one VM, in order, after the -a ones)'))
    .addOption(new Option('--json', 'print JSON').conflicts('xml'))
    .option('--xml', "print virt-inspector's XML")
    .option('--no-icon', "leave the OS icon out of the XML (virt-inspector's --no-icon)")
    .option('--key <passphrase>', 'LUKS passphrase to try (repeatable)', collect, [])
    .option('--keys-from-stdin', 'read LUKS passphrases from standard input, one a line')
    .option('--live', 'also open images that another program (a running VM) may be writing; what is read may be inconsistent')
    .option('--chain-dir <dir>', CHAIN_DIR_HELP))
    .action(async (operands: string[], flags: InspectFlags) => {
      const all = [...flags.add, ...operandDrives(operands, flags.format)];
      if (all.length === 0) command.error('error: vmcraft inspect: no disk image (give them as operands or with -a)');
      const keys = [...flags.key, ...(flags.keysFromStdin ? await stdinKeys() : [])];
      const g = await launchSession(all, { readonly: true, keys, quiet: true, ...(flags.live ? { live: true } : {}), ...(flags.chainDir ? { chain: { allowDir: flags.chainDir } } : {}) });
      try {
        const report = await inspectReport(g, { icon: Boolean(flags.xml) && flags.icon });
        if (flags.xml) {
          // virt-inspector fails when it finds no OS: its schema wants at least one.
          if (report.length === 0) throw Object.assign(new Error('no operating system could be detected inside this disk image'), { code: 'EINSPECT' });
          io.out(inspectorXml(report).trimEnd());
        } else if (flags.json) io.out(JSON.stringify(report, null, 2));
        else printReport(report);
      } finally {
        await closeSession(g);
      }
    });
}
