/**
 * The shell's commands, generated from the API table: every call not marked
 * `noShell` is a command named after its libguestfs name with `-` for `_`
 * (guestfish style: `mount-ro`, `read-lines`; a call without one gets its
 * camelCase name in that style: `mountRoot` → `mount-root`), with the
 * parameters of its entry — words are converted by their kinds (words.ts) —
 * plus a few of the shell's own (`inspect`, `mount-root`, `ll`). `help`,
 * completion, `--run` and `--script` all read these, so a new table entry is
 * a new shell command without a change here.
 */
import { a, type ArgSpec } from '../api/args.js';
import { API, type ApiEntry } from '../api/table.js';
import { VmcraftError } from '../core/errors.js';
import type { GuestFS } from '../guestfs.js';
import { isRest, isWordField, KIND_HELP, kindHelp, usageLine } from './words.js';
import { GUESTFISH_FORMATS, HOST_COMMANDS } from './host-commands.js';
import { COPY_COMMANDS } from './copy-commands.js';

/** One shell command. */
export interface ShellCommand {
  readonly name: string;
  /** One line (the table's summary). */
  readonly summary: string;
  /** The rest of its documentation (the table's doc, TSDoc markdown). */
  readonly doc?: string;
  /** Its parameters, by kind: the table entry's arguments. */
  readonly args: readonly ArgSpec[];
  /** The table entry it calls; absent for the shell's own commands. */
  readonly entry?: ApiEntry;
  /** Runs it with arguments already converted from words (`wordsToArgs`). */
  run(g: GuestFS, args: unknown[]): Promise<unknown>;
}

/** The shell name of an API entry: its libguestfs name (else its name in snake case) with dashes. */
export function shellName(entry: Pick<ApiEntry, 'name' | 'libguestfs'>): string {
  return (entry.libguestfs ?? entry.name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)).replace(/_/g, '-');
}

/** The shell command of a table entry: calls the session's method of the entry's name. */
export function tableCommand(entry: ApiEntry): ShellCommand {
  return {
    name: shellName(entry),
    summary: entry.summary,
    ...(entry.doc !== undefined ? { doc: entry.doc } : {}),
    args: entry.args,
    entry,
    run: async (g, args) => (g as unknown as Record<string, (...values: unknown[]) => unknown>)[entry.name]!(...args),
  };
}

/** Commands of the shell's own (they win over a table entry of the same name). */
const OWN: ShellCommand[] = [
  {
    name: 'inspect',
    summary: 'find the installed operating systems and show what inspection knows',
    args: [],
    run: async (g) => (await g.inspectOs()).map((r) => g.inspectOsInfo(r)),
  },
  {
    name: 'mount-root',
    summary: 'mount the (first) inspected root and its fstab mount points',
    doc: 'Inspects first when nothing was inspected yet. Prints what was mounted where.',
    args: [a.device('root', { optional: true, defaultText: 'the first root inspection finds' })],
    run: async (g, [root]) => {
      const target = (root as string | undefined) ?? g.inspectGetRoots()[0] ?? (await g.inspectOs())[0];
      if (!target) throw new VmcraftError('EINSPECT', 'no operating system found');
      return (await g.mountRoot(target)).map((m) => `${m.mountpoint} ${m.device}`);
    },
  },
  {
    name: 'll',
    summary: 'list a directory with modes, owners, sizes and times',
    args: [a.guestPath('dir')],
    run: async (g, [dir]) => {
      const base = String(dir);
      const lines: string[] = [];
      for (const name of await g.ls(base)) {
        const s = await g.lstat(`${base.replace(/\/$/, '')}/${name}`);
        lines.push(`${s.type[0]} ${s.perms.toString(8).padStart(4, '0')} ${String(s.uid).padStart(5)} ${String(s.gid).padStart(5)} ${String(s.size).padStart(10)} ${s.mtime.toISOString().slice(0, 16)} ${name}`);
      }
      return lines;
    },
  },
  ...HOST_COMMANDS,
  ...COPY_COMMANDS,
];

/** The shell's own commands' names. */
export const OWN_COMMANDS: readonly string[] = OWN.map((c) => c.name);

/** All shell commands, by name: the table's (but `noShell` ones), then the shell's own. */
export function shellCommands(entries: readonly ApiEntry[] = API): Map<string, ShellCommand> {
  const commands = new Map<string, ShellCommand>();
  for (const entry of entries) {
    if (entry.noShell) continue;
    const command = tableCommand(entry);
    const other = commands.get(command.name);
    if (other) throw new Error(`the API table gives two calls the shell name ${command.name}: ${other.entry!.name} and ${entry.name}`);
    commands.set(command.name, command);
  }
  for (const own of OWN) commands.set(own.name, own);
  return commands;
}

/** The usage line of a command (`cat path`, `truncate-size path [size]`, `command argv... [cwd:..]`). */
export function usage(command: ShellCommand): string {
  return usageLine(command.name, command.args);
}

/** TSDoc markdown as the terminal shows it: links as command names, tags as words. */
export function docText(doc: string, entries: readonly ApiEntry[] = API): string {
  const byMethod = new Map(entries.map((e) => [e.name, e.noShell ? `${e.name}()` : shellName(e)]));
  return doc
    .replace(/\{@link\s+([^}|\s]+)\s*(?:\|\s*([^}]+))?\}/g, (_m, target: string, label?: string) => {
      if (label) return label.trim();
      const method = target.replace(/^GuestFS\./, '').replace(/\(\)$/, '');
      return byMethod.get(method) ?? target;
    })
    .replace(/^@returns?\s+/gm, 'Returns: ')
    .replace(/^@throws\s+/gm, 'Throws: ')
    .replace(/^@(\w+)\s*/gm, (_m, tag: string) => `${tag[0]!.toUpperCase()}${tag.slice(1)}: `);
}

/** One line of `help` for a parameter or an option field. */
function paramLine(label: string, kind: string, spec: ArgSpec, optional: boolean): [string, string] {
  const extras = [
    optional ? 'optional' : '',
    spec.defaultText !== undefined ? `default ${spec.defaultText}` : '',
    spec.values ? `one of ${spec.values.join(', ')}${spec.ignoreCase ? ' (any case)' : ''}` : '',
  ].filter(Boolean);
  return [label, `${kind}${extras.length ? `; ${extras.join(', ')}` : ''}${spec.doc ? ` — ${docText(spec.doc)}` : ''}`];
}

/** `help <command>`: the usage line, the summary, the doc and each parameter with its kind. */
export function commandHelp(command: ShellCommand): string {
  const rows: [string, string][] = [];
  command.args.forEach((spec, i) => {
    if (spec.fields) {
      for (const field of spec.fields.filter(isWordField)) rows.push(paramLine(`${field.name}:`, KIND_HELP[field.kind], field, true));
      return;
    }
    rows.push(paramLine(isRest(command.args, i) ? `${spec.name}...` : spec.name, kindHelp(command.args, i), spec, !!spec.optional));
  });
  const width = Math.max(0, ...rows.map(([label]) => label.length));
  const out = [usage(command), `  ${command.summary}`];
  if (command.doc) out.push('', ...docText(command.doc).split('\n').map((l) => (l ? `  ${l}` : '')));
  if (rows.length) out.push('', ...rows.map(([label, text]) => `  ${label.padEnd(width)}  ${text}`));
  if (command.args.some((s) => s.fields?.some(isWordField))) out.push('', '  Options are name:value words after the other arguments (names in any case).');
  const notes = [
    command.entry?.writes ? 'Writes to the guest: refused in a read-only session (--ro).' : '',
    command.entry ? `API: ${command.entry.name}()${command.entry.libguestfs ? `, libguestfs ${command.entry.libguestfs}` : ''}.` : "A command of the shell's own.",
  ].filter(Boolean);
  out.push('', ...notes.map((n) => `  ${n}`));
  return out.join('\n');
}

/** `help`: every command with its summary; `help <command>` for one. */
export function helpText(commands: Map<string, ShellCommand>, name?: string): string {
  if (name) {
    const c = commands.get(name);
    return c ? commandHelp(c) : `no such command: ${name}`;
  }
  return [...commands.values()].map((c) => `${c.name.padEnd(28)} ${c.summary}`).sort().join('\n') + '\n\nhelp <command> for its arguments; exit to leave.';
}

/** What a guest command returns (`command`): printed as its output, not as JSON. */
function isCommandResult(value: unknown): value is { stdout: string; stderr: string; exitCode: number } {
  const v = value as { stdout?: unknown; stderr?: unknown; exitCode?: unknown } | null;
  return typeof v === 'object' && v !== null && typeof v.stdout === 'string' && typeof v.stderr === 'string' && typeof v.exitCode === 'number';
}

/** Formats a call's result as the shell prints it: in guestfish's shape where `command` (its name) has one. */
export function formatResult(value: unknown, command?: string): string {
  const guestfish = command === undefined ? undefined : GUESTFISH_FORMATS[command];
  if (guestfish && value !== undefined && value !== null) return guestfish(value);
  if (value === undefined || value === null) return '';
  if (Buffer.isBuffer(value)) return value.toString('utf8').replace(/\n$/, '');
  if (typeof value === 'string') return value.replace(/\n$/, '');
  // Names (`ls`, `find`) come as Buffers with encoding:buffer: one a line, as bytes.
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || Buffer.isBuffer(v))) return value.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v)).join('\n');
  if (value instanceof Date) return value.toISOString();
  if (isCommandResult(value)) return value.stdout.replace(/\n$/, '');
  if (typeof value === 'object') return JSON.stringify(value, null, 2);
  return String(value);
}

/** What of a call's result goes to standard error: a guest command's stderr. */
export function resultStderr(value: unknown): string {
  return isCommandResult(value) ? value.stderr.replace(/\n$/, '') : '';
}
