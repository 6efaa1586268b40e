/**
 * The top level of the vmcraft command, around the subcommands: `--version`,
 * `help [command]` (a subcommand's help or a shell command's), and what the
 * words after the session options mean — guestfish's trailing commands when
 * images were added (`vmcraft -a d --ro -i cat /etc/hostname`, several
 * separated by ` : `), else a mistyped subcommand or an image given without -a,
 * both usage errors with a hint.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { commandHelp, shellCommands } from './commands.js';
import type { ShellIo } from './shell.js';
import { shellQuote } from './host-commands.js';

/** This package's version, from the package.json above this module (dist/ or src/cli/). */
export function packageVersion(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'vmcraft' && pkg.version) return pkg.version;
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}

/** Edit distance (insertions, deletions, substitutions), for "did you mean". */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** The closest of `names` to `word`, when it is close enough to be a typo. */
export function closest(word: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of names) {
    const d = distance(word, name);
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/**
 * A usage error found before anything was opened: `error: <reason>` on
 * standard error, exit code 2 (what commander does for its own usage errors).
 */
export function usageExit(reason: string): never {
  process.stderr.write(`error: ${reason}\n`);
  process.exit(2);
}

/** Names of a program's subcommands (and `help`). */
const subcommandNames = (program: Command) => [...program.commands.map((c) => c.name()), 'help'];

/** Words that name a disk image rather than a command: an existing file, or an image's extension. */
const IMAGE_WORD = /\.(qcow2?|img|raw|vmdk|vdi|vhdx?|iso|ova|ovf|qed|hdd)$/i;

/**
 * What the words after the options mean. With images added: guestfish's
 * trailing commands, one command line per ` : `-separated group. Without:
 * nothing (the usage), else a usage error — an unknown subcommand, with the
 * closest one, or an image given without -a (both exit 2, `usageExit`).
 */
export function trailingCommands(program: Command, words: readonly string[], haveImages: boolean): string[] {
  if (words.length === 0) return [];
  if (!haveImages) {
    const [first] = words;
    if (IMAGE_WORD.test(first!) || (first!.includes('/') && existsSync(first!))) {
      usageExit(`${first} looks like a disk image: add it with -a (vmcraft -a ${first}), or inspect it with vmcraft inspect ${first}`);
    }
    const guess = closest(first!, subcommandNames(program));
    usageExit(`unknown command '${first}'${guess ? ` (did you mean ${guess}?)` : ''}`);
  }
  const lines: string[][] = [[]];
  for (const word of words) {
    if (word === ':') lines.push([]);
    else lines.at(-1)!.push(word);
  }
  // Each word back as one shell word, quoted when it holds anything the shell would split or read;
  // a host command (`!cmd`) is the host shell's to read, as it was given.
  return lines.filter((l) => l.length).map((l) => (l[0]!.startsWith('!') ? l.join(' ') : l.map((w) => (/^[\w@%+=,./-]+$/.test(w) ? w : shellQuote(w))).join(' ')));
}

/**
 * `vmcraft help [command]`: the overview, a subcommand's own help, or a shell
 * command's (`vmcraft help cat`, what `help cat` says in the shell).
 */
export function addHelpCommand(program: Command, io: ShellIo): void {
  program.helpCommand(false);
  program
    .command('help')
    .description('show the help of vmcraft, of one of its commands, or of a shell command')
    .argument('[command]', 'a vmcraft command (inspect, convert…) or a shell command (cat, ls…)')
    .action((name?: string) => {
      if (!name) return void io.out(program.helpInformation().replace(/\n$/, ''));
      const sub = program.commands.find((c) => c.name() === name && c.name() !== 'help');
      if (sub) return void io.out(sub.helpInformation().replace(/\n$/, ''));
      const commands = shellCommands();
      const command = commands.get(name);
      if (command) return void io.out(commandHelp(command));
      const guess = closest(name, [...subcommandNames(program), ...commands.keys()]);
      usageExit(`unknown command '${name}'${guess ? ` (did you mean ${guess}?)` : ''}`);
    });
}
