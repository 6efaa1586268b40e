/**
 * `vmcraft inspect`, virt-inspector's options: drives as operands or `-a`
 * (repeatable), `--format FMT` for the `-a` drives after it (a bare `--format`
 * goes back to detection), `--key`, `--keys-from-stdin`, and the output as
 * human lines, `--json`, or virt-inspector's XML with `--xml`.
 */
import { type Command, Option } from 'commander';
import type { ImageFormat } from '../attach/detect.js';
import { FORMATS } from '../api/options.js';
import type { ShellIo } from './shell.js';
import { closeSession, launchSession } from './output.js';
import { addModeOptions } from './mode.js';
import { readStdin } from './read.js';
import { CHAIN_DIR_HELP, collect } from './cli-options.js';
import { inspectReport, printReport } from './inspect-report.js';
import { inspectorXml } from './inspect-xml.js';

interface InspectFlags {
  json?: boolean;
  xml?: boolean;
  /** false with --no-icon. */
  icon: boolean;
  key: string[];
  keysFromStdin?: boolean;
  live?: boolean;
  chainDir?: string;
}

/** One drive to open, with the format `--format` set before it. */
interface Drive {
  image: string;
  format: ImageFormat | undefined;
}

/** Passphrases on standard input, one a line (virt-inspector reads one per encrypted device). */
async function stdinKeys(): Promise<string[]> {
  return (await readStdin()).split('\n').filter((line) => line !== '');
}

/** Adds `vmcraft inspect`. */
export function addInspectCommand(program: Command, io: ShellIo): void {
  // -a and --format are seen in command-line order, so each drive takes the format given before it.
  const drives: Drive[] = [];
  let format: ImageFormat | undefined;
  const command = addModeOptions(program
    .command('inspect')
    .description('inspect the operating systems in disk images (read-only), like virt-inspector')
    .argument('[images...]', 'disk images (drives of one VM, in order, after the -a ones)')
    .option('-a, --add <image>', 'add a disk image (repeatable)')
    .addOption(new Option('--format [format]', 'format of the -a images after it (a bare --format: detect it, the default)').choices(FORMATS))
    .addOption(new Option('--json', 'print JSON').conflicts('xml'))
    .option('--xml', "print virt-inspector's XML")
    .option('--no-icon', "leave the OS icon out of the XML (virt-inspector's --no-icon)")
    .option('--key <passphrase>', 'LUKS passphrase to try (repeatable)', collect, [])
    .option('--keys-from-stdin', 'read LUKS passphrases from standard input, one a line')
    .option('--live', 'also open images that another program (a running VM) may be writing; what is read may be inconsistent')
    .option('--chain-dir <dir>', CHAIN_DIR_HELP))
    .on('option:add', (image: string) => drives.push({ image, format }))
    .on('option:format', (value: string | true) => (format = value === true ? undefined : (value as ImageFormat)))
    .action(async (operands: string[], flags: InspectFlags) => {
      const all = [...drives, ...operands.map((image) => ({ image, format: undefined }))];
      if (all.length === 0) command.error('error: vmcraft inspect: no disk image (give them as operands or with -a)');
      const keys = [...flags.key, ...(flags.keysFromStdin ? await stdinKeys() : [])];
      const g = await launchSession(all.map((d) => ({ path: d.image, ...(d.format ? { format: d.format } : {}) })), { readonly: true, keys, quiet: true, ...(flags.live ? { live: true } : {}), ...(flags.chainDir ? { chain: { allowDir: flags.chainDir } } : {}) });
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
