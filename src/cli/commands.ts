/**
 * The shell's commands, generated from the API table: every call with a
 * libguestfs name is a command of that name with `-` for `_` (guestfish
 * style: `mount-ro`, `read-lines`), plus a few of the shell's own (`ll`,
 * `inspect`, `mount-root`). Arguments are words; the few numeric or date
 * parameters are converted by name.
 */
import { API, type ApiEntry } from '../api/table.js';
import { VmcraftError } from '../core/errors.js';
import type { GuestFS } from '../guestfs.js';
import { untracked } from '../guestfs/base.js';

/** One shell command. */
export interface ShellCommand {
  name: string;
  summary: string;
  /** Parameter names, for help and argument checks. */
  params: string[];
  run(g: GuestFS, args: string[]): Promise<unknown>;
}

/** Calls the shell cannot run (lifecycle is the shell's own business). */
const NOT_IN_SHELL = new Set(['addDrive', 'launch', 'shutdown', 'close', 'metrics', 'resources', 'available', 'inspectOsInfo']);

/** Parameter names whose words are converted before the call. */
const CONVERT: Record<string, (word: string) => unknown> = {
  mode: (w) => parseInt(w, 8),
  owner: Number,
  group: Number,
  partnum: Number,
  size: Number,
  since: (w) => new Date(w),
};

/** Parameter names of a function, read from its source (`(device, mountpoint) => …`). */
export function paramNames(fn: (...args: never[]) => unknown): string[] {
  const source = fn.toString();
  const list = /^[^(]*\(([^)]*)\)/.exec(source)?.[1] ?? '';
  return list.split(',').map((p) => p.replace(/=.*$/s, '').replace(/[{}\s]/g, '')).filter(Boolean);
}

/** The shell name of an API entry: its libguestfs name with dashes. */
export function shellName(entry: ApiEntry): string {
  return (entry.libguestfs ?? entry.name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)).replace(/_/g, '-');
}

function fromTable(entry: ApiEntry, prototype: Record<string, unknown>): ShellCommand {
  const method = prototype[entry.name] as (...args: never[]) => unknown;
  // An options object cannot be given as words: the shell calls without it (the defaults).
  const params = paramNames(untracked(method)).filter((p) => p !== 'options');
  return {
    name: shellName(entry),
    summary: entry.summary,
    params,
    run: async (g, args) => {
      const required = params.filter((p) => !['encoding', 'size', 'mapName'].includes(p)).length;
      if (args.length < required || args.length > params.length) {
        throw new VmcraftError('EINVAL', `usage: ${shellName(entry)} ${params.join(' ')}`);
      }
      const values = args.map((a, i) => (CONVERT[params[i]!] ?? String)(a));
      return (g as unknown as Record<string, (...a: unknown[]) => unknown>)[entry.name]!(...values);
    },
  };
}

/** Commands of the shell's own. */
const OWN: ShellCommand[] = [
  {
    name: 'inspect',
    summary: 'find the installed operating systems and show what inspection knows',
    params: [],
    run: async (g) => (await g.inspectOs()).map((r) => g.inspectOsInfo(r)),
  },
  {
    name: 'mount-root',
    summary: 'mount the (first) inspected root and its fstab mount points',
    params: ['root?'],
    run: async (g, [root]) => {
      const target = root ?? (g.inspectGetRoots()[0] ?? (await g.inspectOs())[0]);
      if (!target) throw new VmcraftError('EINSPECT', 'no operating system found');
      return (await g.mountRoot(target)).map((m) => `${m.mountpoint} ${m.device}`);
    },
  },
  {
    name: 'll',
    summary: 'list a directory with modes, owners, sizes and times',
    params: ['dir'],
    run: async (g, [dir]) => {
      if (!dir) throw new VmcraftError('EINVAL', 'usage: ll dir');
      const lines: string[] = [];
      for (const name of await g.ls(dir)) {
        const s = await g.lstat(`${dir.replace(/\/$/, '')}/${name}`);
        lines.push(`${s.type[0]} ${s.perms.toString(8).padStart(4, '0')} ${String(s.uid).padStart(5)} ${String(s.gid).padStart(5)} ${String(s.size).padStart(10)} ${s.mtime.toISOString().slice(0, 16)} ${name}`);
      }
      return lines;
    },
  },
];

/** All shell commands, by name. */
export function shellCommands(prototype: object): Map<string, ShellCommand> {
  const commands = new Map<string, ShellCommand>();
  for (const entry of API as readonly ApiEntry[]) {
    if (NOT_IN_SHELL.has(entry.name)) continue;
    const command = fromTable(entry, prototype as Record<string, unknown>);
    commands.set(command.name, command);
  }
  for (const own of OWN) commands.set(own.name, own);
  return commands;
}

/** Formats a call's result as the shell prints it. */
export function formatResult(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Buffer.isBuffer(value)) return value.toString('utf8').replace(/\n$/, '');
  if (typeof value === 'string') return value.replace(/\n$/, '');
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join('\n');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value, null, 2);
  return String(value);
}

/** Splits a command line into words: spaces separate, quotes group, backslash escapes. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: string | undefined;
  let any = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      any = true;
    } else if (c === '\\' && i + 1 < line.length) {
      current += line[++i];
      any = true;
    } else if (/\s/.test(c)) {
      if (current || any) words.push(current);
      current = '';
      any = false;
    } else {
      current += c;
    }
  }
  if (quote) throw new VmcraftError('EINVAL', `unterminated ${quote} quote`);
  if (current || any) words.push(current);
  return words;
}
