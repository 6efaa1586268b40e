/**
 * The interactive shell (guestfish-like) and the one-shot runner: both read
 * command lines and run them against one session; an error is printed and
 * the shell goes on, the one-shot runner stops with exit code 1.
 */
import readline from 'node:readline';
import { isVmcraftError, VmcraftError } from '../core/errors.js';
import type { GuestFS } from '../guestfs.js';
import { formatResult, helpText, resultStderr, shellCommands, type ShellCommand } from './commands.js';
import { cliMessage, withCode } from './hints.js';
import { isRest, isWordField, optargField, splitPipe, splitWords, wordsToArgs, type Word } from './words.js';
import { hostShell } from './host-commands.js';

/** Where the shell writes. */
export interface ShellIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const BUILTINS = ['help', 'exit', 'quit'];

/** Prints a failure as the shell does. */
function reportError(io: ShellIo, err: unknown): false {
  io.err(`error: ${isVmcraftError(err) ? withCode(err.code, cliMessage(err)) : cliMessage(err)}`);
  return false;
}

/**
 * Runs one command line; returns false when it failed. As in guestfish,
 * `!cmd` runs a host shell command and `cmd | pipeline` gives the command's
 * output to a host shell pipeline.
 */
export async function runLine(g: GuestFS, commands: Map<string, ShellCommand>, line: string, io: ShellIo): Promise<boolean> {
  const trimmed = line.trim();
  if (trimmed.startsWith('!')) return hostShell(trimmed.slice(1)).then(() => true, (err: unknown) => reportError(io, err));
  const [guest, pipeline] = splitPipe(trimmed);
  if (pipeline !== undefined) {
    if (!pipeline) return reportError(io, new VmcraftError('EINVAL', 'nothing after |: give a host command to pipe the output to'));
    let output = '';
    const ok = await runWords(g, commands, guest, { out: (text) => void (output += `${text}\n`), err: io.err });
    return ok && hostShell(pipeline, output).then(() => true, (err: unknown) => reportError(io, err));
  }
  return runWords(g, commands, trimmed, io);
}

/** Runs one command line of the table's (and the shell's own) commands. */
async function runWords(g: GuestFS, commands: Map<string, ShellCommand>, line: string, io: ShellIo): Promise<boolean> {
  let words: Word[];
  try {
    words = splitWords(line);
  } catch (err) {
    io.err(`error: ${(err as Error).message}`);
    return false;
  }
  if (words.length === 0 || (typeof words[0] === 'string' && words[0].startsWith('#'))) return true;
  const [first, ...rest] = words;
  const name = String(first);
  if (name === 'help') {
    io.out(helpText(commands, rest[0] === undefined ? undefined : String(rest[0])));
    return true;
  }
  const command = commands.get(name);
  if (!command) {
    io.err(`error: unknown command ${name} (try help)`);
    return false;
  }
  try {
    const result = await command.run(g, wordsToArgs(name, command.args, rest));
    const stderr = resultStderr(result);
    if (stderr) io.err(stderr);
    const text = formatResult(result, name);
    if (text) io.out(text);
    return true;
  } catch (err) {
    return reportError(io, err);
  }
}

/** Runs command lines in order, stopping at the first failure or when `signal` aborts; returns the exit code. */
export async function runScript(g: GuestFS, lines: string[], io: ShellIo, signal?: AbortSignal): Promise<number> {
  const commands = shellCommands();
  for (const line of lines) {
    if (signal?.aborted || !(await runLine(g, commands, line, io))) return 1;
  }
  return 0;
}

/** What completion needs of a session (GuestFS has it). */
export interface CompletionSession {
  ls(dir: string): Promise<string[]>;
  isDir(path: string): Promise<boolean>;
  listDevices(): string[];
  listPartitions(): string[];
  lvs(): string[];
  listMdDevices(): string[];
}

async function guestPaths(g: CompletionSession, word: string): Promise<string[]> {
  const dir = word.slice(0, word.lastIndexOf('/') + 1) || '/';
  const prefix = word.slice(dir.length);
  try {
    const entries = (await g.ls(dir)).filter((e) => e.startsWith(prefix));
    return await Promise.all(entries.map(async (e) => `${dir}${e}${(await g.isDir(`${dir}${e}`)) ? '/' : ''}`));
  } catch {
    return [];
  }
}

function sessionDevices(g: CompletionSession): string[] {
  try {
    return [...g.listDevices(), ...g.listPartitions(), ...g.lvs(), ...g.listMdDevices()];
  } catch {
    return [];
  }
}

/**
 * Tab completion from the table: command names first; then, by the kind of
 * the parameter at the cursor, guest paths, the session's devices or the
 * allowed values; and the command's optargs (`followSymlinks:`, then
 * `followSymlinks:true`).
 */
export async function complete(g: CompletionSession, commands: Map<string, ShellCommand>, line: string): Promise<[string[], string]> {
  const words = line.trimStart().split(/\s+/);
  const word = words.at(-1) ?? '';
  if (words.length <= 1) return [[...commands.keys(), ...BUILTINS].filter((n) => n.startsWith(word)).sort(), word];
  if (words[0] === 'help') return [words.length === 2 ? [...commands.keys()].filter((n) => n.startsWith(word)).sort() : [], word];
  const command = commands.get(words[0]!);
  if (!command) return [word.startsWith('/') ? await guestPaths(g, word) : [], word];
  const fields = command.args.flatMap((s) => s.fields ?? []).filter(isWordField);
  // The optargs: names, and the values of a bool or an enum once the name is typed.
  const colon = word.indexOf(':');
  if (colon > 0) {
    const field = optargField(fields, word);
    if (field) {
      const values = field.kind === 'bool' ? ['true', 'false'] : (field.values ?? []);
      const typed = word.slice(colon + 1);
      return [values.filter((v) => v.startsWith(typed)).map((v) => `${word.slice(0, colon)}:${v}`), word];
    }
  }
  // The parameter at the cursor: positional words so far, not counting optargs.
  const given = words.slice(1, -1).filter((w) => !optargField(fields, w)).length;
  const positional = command.args.map((s, i) => ({ s, i })).filter(({ s }) => !s.fields);
  const at = positional[given] ?? positional.find(({ i }) => isRest(command.args, i));
  const hits: string[] = [];
  if (at) {
    const spec = at.s;
    if (spec.kind === 'device' || spec.kind === 'mountable') hits.push(...sessionDevices(g).filter((d) => d.startsWith(word)));
    else if (spec.values) hits.push(...spec.values.filter((v) => v.startsWith(word) || (spec.ignoreCase && v.toLowerCase().startsWith(word.toLowerCase()))));
  }
  if (word.startsWith('/') && !(at && (at.s.kind === 'device' || at.s.kind === 'mountable'))) hits.push(...(await guestPaths(g, word)));
  if (!word.startsWith('/')) hits.push(...fields.map((f) => `${f.name}:`).filter((n) => n.toLowerCase().startsWith(word.toLowerCase())));
  return [hits, word];
}

/** The interactive shell; resolves when the user leaves (exit, end of input) or `signal` aborts. */
export async function interactiveShell(g: GuestFS, io: ShellIo, signal?: AbortSignal): Promise<void> {
  const commands = shellCommands();
  const rl = readline.createInterface({
    input: process.stdin,
    output: process.stdout,
    prompt: '><vmcraft> ',
    historySize: 1000,
    ...(signal ? { signal } : {}),
    completer: (line: string, callback: (err: null, result: [string[], string]) => void) => void complete(g, commands, line).then((r) => callback(null, r)),
  });
  // Ctrl-C at the prompt drops the line typed and gives a new prompt, as guestfish does (exit or Ctrl-D leave).
  // The text typed stays on the screen, as a terminal shows it; readline has no call to empty its line
  // without redrawing over it, so its (documented, read-only typed) line and cursor are reset.
  rl.on('SIGINT', () => {
    rl.write(null, { ctrl: true, name: 'e' });
    process.stdout.write('^C\n');
    Object.assign(rl, { line: '', cursor: 0 });
    rl.prompt();
  });
  io.out(`Welcome to vmcraft. Drives: ${g.listDevices().join(' ')}. Type help for the commands, exit to leave.`);
  rl.prompt();
  for await (const line of rl) {
    const trimmed = line.trim();
    if (trimmed === 'exit' || trimmed === 'quit') break;
    await runLine(g, commands, trimmed, io);
    rl.prompt();
  }
  rl.close();
}
