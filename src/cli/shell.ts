/**
 * The interactive shell (guestfish-like) and the one-shot runner: both read
 * command lines and run them against one session; an error is printed and
 * the shell goes on, the one-shot runner stops with exit code 1.
 */
import readline from 'node:readline';
import { isVmcraftError } from '../core/errors.js';
import { GuestFS } from '../guestfs.js';
import { formatResult, shellCommands, splitWords, type ShellCommand } from './commands.js';
import { cliMessage, withCode } from './hints.js';

/** Where the shell writes. */
export interface ShellIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const BUILTINS = ['help', 'exit', 'quit'];

function helpText(commands: Map<string, ShellCommand>, name?: string): string {
  if (name) {
    const c = commands.get(name);
    return c ? `${c.name} ${c.params.join(' ')}\n  ${c.summary}` : `no such command: ${name}`;
  }
  return [...commands.values()].map((c) => `${c.name.padEnd(28)} ${c.summary}`).sort().join('\n') + '\n\nhelp <command> for its arguments; exit to leave.';
}

/** Runs one command line; returns false when it failed. */
export async function runLine(g: GuestFS, commands: Map<string, ShellCommand>, line: string, io: ShellIo): Promise<boolean> {
  let words: string[];
  try {
    words = splitWords(line.trim());
  } catch (err) {
    io.err(`error: ${(err as Error).message}`);
    return false;
  }
  if (words.length === 0 || words[0]!.startsWith('#')) return true;
  const [name, ...args] = words as [string, ...string[]];
  if (name === 'help') {
    io.out(helpText(commands, args[0]));
    return true;
  }
  const command = commands.get(name);
  if (!command) {
    io.err(`error: unknown command ${name} (try help)`);
    return false;
  }
  try {
    const text = formatResult(await command.run(g, args));
    if (text) io.out(text);
    return true;
  } catch (err) {
    io.err(`error: ${isVmcraftError(err) ? withCode(err.code, cliMessage(err)) : cliMessage(err)}`);
    return false;
  }
}

/** Runs command lines in order, stopping at the first failure or when `signal` aborts; returns the exit code. */
export async function runScript(g: GuestFS, lines: string[], io: ShellIo, signal?: AbortSignal): Promise<number> {
  const commands = shellCommands(GuestFS.prototype);
  for (const line of lines) {
    if (signal?.aborted || !(await runLine(g, commands, line, io))) return 1;
  }
  return 0;
}

/** Tab completion: command names first, then guest paths. */
function completer(g: GuestFS, commands: Map<string, ShellCommand>) {
  const names = [...commands.keys(), ...BUILTINS].sort();
  return async (line: string): Promise<[string[], string]> => {
    const words = line.split(/\s+/);
    const word = words.at(-1) ?? '';
    if (words.length <= 1) return [names.filter((n) => n.startsWith(word)), word];
    if (!word.startsWith('/')) return [[], word];
    const dir = word.slice(0, word.lastIndexOf('/') + 1) || '/';
    const prefix = word.slice(dir.length);
    try {
      const entries = (await g.ls(dir)).filter((e) => e.startsWith(prefix));
      const hits = await Promise.all(entries.map(async (e) => `${dir}${e}${(await g.isDir(`${dir}${e}`)) ? '/' : ''}`));
      return [hits, word];
    } catch {
      return [[], word];
    }
  };
}

/** The interactive shell; resolves when the user leaves (exit, end of input, Ctrl-C at the prompt) or `signal` aborts. */
export async function interactiveShell(g: GuestFS, io: ShellIo, signal?: AbortSignal): Promise<void> {
  const commands = shellCommands(GuestFS.prototype);
  const complete = completer(g, commands);
  const rl = readline.createInterface({
    input: process.stdin,
    output: process.stdout,
    prompt: '><vmcraft> ',
    historySize: 1000,
    ...(signal ? { signal } : {}),
    completer: (line: string, callback: (err: null, result: [string[], string]) => void) => void complete(line).then((r) => callback(null, r)),
  });
  rl.on('SIGINT', () => rl.close());
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
