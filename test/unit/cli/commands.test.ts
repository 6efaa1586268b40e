import { afterEach, describe, expect, it, vi } from 'vitest';
import { a } from '../../../src/api/args.js';
import type { ApiEntry } from '../../../src/api/entry.js';
import { API } from '../../../src/api/table.js';
import { commandHelp, docText, formatResult, helpText, OWN_COMMANDS, shellCommands, shellName, usage } from '../../../src/cli/commands.js';
import { complete, runLine, type CompletionSession, type ShellIo } from '../../../src/cli/shell.js';
import type { GuestFS } from '../../../src/guestfs.js';

/** A call of every argument kind, as a new table entry would add it. */
const NEW_ENTRY: ApiEntry = {
  name: 'everyKind', libguestfs: 'every_kind', group: 'files', since: '0.2.0',
  summary: 'take one argument of every kind',
  doc: 'Like {@link GuestFS.cat} but more.\n@returns what it was given',
  args: [
    a.device('device'), a.guestPath('path'), a.hostPathIn('from'), a.hostPathOut('to'), a.string('name', { values: ['x', 'y'] }),
    a.int('count'), a.int64('size'), a.mode('mode'), a.bool('flag'), a.secret('key'), a.buffer('content'), a.date('since'), a.struct('spec'),
    a.stringList('words', { optional: true }),
    a.options('options', [a.bool('followSymlinks', { defaultText: 'false', doc: 'follow a final symlink' }), a.int('depth'), a.struct('signal', { ts: 'AbortSignal', noShell: true })]),
  ],
  returns: 'struct', ts: 'Promise<unknown[]>',
  impl: (() => undefined) as never,
};

function recordingSession(): { g: GuestFS; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const g = { everyKind: async (...args: unknown[]) => (calls.push(args), { stdout: 'out\n', stderr: '', exitCode: 0, durationMs: 1 }) };
  return { g: g as unknown as GuestFS, calls };
}

function captureIo(): ShellIo & { outs: string[]; errs: string[] } {
  const outs: string[] = [];
  const errs: string[] = [];
  return { outs, errs, out: (t) => outs.push(t), err: (t) => errs.push(t) };
}

afterEach(() => vi.restoreAllMocks());

describe('shell commands come from the API table', () => {
  it('every call not marked noShell is a command named after its libguestfs name; the shell keeps its own', () => {
    const commands = shellCommands();
    const expected = API.filter((e) => !e.noShell).map(shellName);
    for (const name of expected) expect(commands.has(name), name).toBe(true);
    for (const entry of API.filter((e) => e.noShell)) expect(commands.get(shellName(entry))?.entry).toBeUndefined();
    expect(new Set([...commands.keys()])).toEqual(new Set([...expected, ...OWN_COMMANDS]));
    for (const own of OWN_COMMANDS) expect(commands.get(own)!.entry).toBeUndefined();
    expect(commands.get('mount-ro')!.args).toBe(API.find((e) => e.name === 'mountRo')!.args);
    expect(commands.has('add-drive')).toBe(false);
  });

  it("each command's usage line names exactly its entry's arguments, optional ones bracketed", () => {
    for (const command of shellCommands().values()) {
      if (!command.entry) continue;
      const words = usage(command).split(' ');
      expect(words[0]).toBe(command.name);
      const expected = command.entry.args.flatMap((s, _i, all) => {
        if (s.fields) return s.fields.filter((f) => !f.noShell).map((f) => `[${f.name}:`);
        const rest = s.kind === 'stringList' && all.filter((x) => !x.fields).at(-1) === s ? '...' : '';
        return [s.optional ? `[${s.name}${rest}]` : `${s.name}${rest}`];
      });
      expect(words.slice(1).map((w) => (w.startsWith('[') && w.includes(':') ? w.slice(0, w.indexOf(':') + 1) : w)), command.name).toEqual(expected);
    }
  });

  it('builds commands and help without reading any function source', () => {
    const spy = vi.spyOn(Function.prototype, 'toString');
    const commands = shellCommands();
    for (const name of commands.keys()) helpText(commands, name);
    helpText(commands);
    expect(spy).not.toHaveBeenCalled();
  });

  it('refuses a table that gives two calls one shell name', () => {
    expect(() => shellCommands([NEW_ENTRY, { ...NEW_ENTRY, name: 'everyKind2' }])).toThrow('the API table gives two calls the shell name every-kind: everyKind and everyKind2');
  });
});

describe('a new table entry is a shell command with no shell change', () => {
  it('converts its words by kind and calls the method of its name', async () => {
    const { g, calls } = recordingSession();
    const io = captureIo();
    const commands = shellCommands([NEW_ENTRY]);
    const line = `every-kind /dev/sda1 /etc/x in.txt out.txt y 3 0x20 0640 yes hunter2 "a\\nb\\x21" 2024-01-31 '{"k":[1]}' w1 w2 FOLLOWSYMLINKS:on depth:2`;
    expect(await runLine(g, commands, line, io)).toBe(true);
    expect(calls).toEqual([['/dev/sda1', '/etc/x', 'in.txt', 'out.txt', 'y', 3, 32, 0o640, true, 'hunter2', 'a\nb!', new Date('2024-01-31'), { k: [1] }, ['w1', 'w2'], { followSymlinks: true, depth: 2 }]]);
    // A guest command's result prints as its output.
    expect(io.outs).toEqual(['out']);
  });

  it('leaves optional arguments out, and prints a usage error for a bad word', async () => {
    const { g, calls } = recordingSession();
    const io = captureIo();
    const commands = shellCommands([NEW_ENTRY]);
    expect(await runLine(g, commands, 'every-kind /dev/sda1 /x i o x 1 2 0644 0 k c 2024-01-01 null', io)).toBe(true);
    expect(calls[0]).toHaveLength(13);
    expect(await runLine(g, commands, 'every-kind /dev/sda1 /x i o x one 2 0644 0 k c 2024-01-01 null', io)).toBe(false);
    expect(io.errs).toEqual(['error: EINVAL: every-kind: expected count to be an integer, got "one"']);
    expect(await runLine(g, commands, 'every-kind', io)).toBe(false);
    expect(io.errs[1]).toMatch(/^error: EINVAL: every-kind needs arguments; usage: every-kind device path from to name count size mode flag key content since spec \[words\.\.\.\] \[followSymlinks:true\|false\] \[depth:N\]$/);
    expect(await runLine(g, commands, 'no-such', io)).toBe(false);
    expect(io.errs[2]).toBe('error: unknown command no-such (try help)');
    expect(await runLine(g, commands, 'every-kind "\\q"', io)).toBe(false);
    expect(io.errs[3]).toMatch(/^error: invalid escape sequence \\q/);
  });

  it('has help from its entry: usage, summary, doc, each parameter with its kind', () => {
    const commands = shellCommands([NEW_ENTRY]);
    const text = commandHelp(commands.get('every-kind')!);
    const lines = text.split('\n');
    expect(lines[0]).toBe('every-kind device path from to name count size mode flag key content since spec [words...] [followSymlinks:true|false] [depth:N]');
    expect(lines[1]).toBe('  take one argument of every kind');
    expect(text).toContain('  Like cat but more.\n  Returns: what it was given');
    expect(text).toMatch(/\n {2}device\s+device of this session/);
    expect(text).toMatch(/\n {2}mode\s+octal mode, e\.g\. 0644/);
    expect(text).toMatch(/\n {2}name\s+text; one of x, y/);
    expect(text).toMatch(/\n {2}content\s+content: text; in "…" the escapes \\n/);
    expect(text).toMatch(/\n {2}words\.\.\.\s+list: the rest of the words; optional/);
    expect(text).toMatch(/\n {2}followSymlinks:\s+true or false \(yes\/no, on\/off, 1\/0\); optional, default false — follow a final symlink/);
    expect(text).not.toContain('signal');
    expect(text).toContain('API: everyKind(), libguestfs every_kind.');
  });
});

describe('help', () => {
  it('lists every command with its summary', () => {
    const commands = shellCommands();
    const text = helpText(commands);
    for (const c of commands.values()) expect(text).toContain(`${c.name.padEnd(28)} ${c.summary}`);
    expect(helpText(commands, 'nope')).toBe('no such command: nope');
  });

  it('turns TSDoc links into command names', () => {
    expect(docText('see {@link GuestFS.mountRo} and {@link GuestFS.launch}, or {@link other | that}')).toBe('see mount-ro and launch(), or that');
  });
});

describe('formatResult', () => {
  it('prints text, lists, dates, objects and a guest command’s output', () => {
    expect(formatResult('a\n')).toBe('a');
    expect(formatResult(Buffer.from('b\n'))).toBe('b');
    expect(formatResult(['x', 'y'])).toBe('x\ny');
    expect(formatResult(true)).toBe('true');
    expect(formatResult(new Date(0))).toBe('1970-01-01T00:00:00.000Z');
    expect(formatResult({ stdout: '0\n', stderr: '', exitCode: 0, durationMs: 3 })).toBe('0');
    expect(formatResult([{ a: 1 }])).toBe('[\n  {\n    "a": 1\n  }\n]');
    expect(formatResult(undefined)).toBe('');
  });
});

describe('completion', () => {
  const g: CompletionSession = {
    ls: async (dir) => (dir === '/' ? ['etc', 'boot', 'bin'] : dir === '/etc/' ? ['hostname', 'hosts'] : []),
    isDir: async (p) => !p.startsWith('/etc/'),
    listDevices: () => ['/dev/sda'],
    listPartitions: () => ['/dev/sda1', '/dev/sda2'],
    lvs: () => [],
    listMdDevices: () => [],
  };
  const commands = shellCommands([...API, NEW_ENTRY]);

  it('completes command names, guest paths, devices and values by kind', async () => {
    expect((await complete(g, commands, 'mount-r'))[0]).toEqual(['mount-ro', 'mount-root']);
    expect(await complete(g, commands, 'll /b')).toEqual([['/boot/', '/bin/'], '/b']);
    expect(await complete(g, commands, 'll /etc/ho')).toEqual([['/etc/hostname', '/etc/hosts'], '/etc/ho']);
    expect(await complete(g, commands, 'mount-ro /dev/sda')).toEqual([['/dev/sda', '/dev/sda1', '/dev/sda2'], '/dev/sda']);
    expect(await complete(g, commands, 'every-kind /dev/sda1 /etc i o ')).toEqual([['x', 'y', 'followSymlinks:', 'depth:'], '']);
    expect((await complete(g, commands, 'help mount-r'))[0]).toEqual(['mount-ro', 'mount-root']);
  });

  it('completes optarg names (any case) and the values of a bool', async () => {
    expect(await complete(g, commands, 'every-kind /dev/sda1 /x fol')).toEqual([['followSymlinks:'], 'fol']);
    expect(await complete(g, commands, 'every-kind /dev/sda1 /x FOLLOWSYMLINKS:t')).toEqual([['FOLLOWSYMLINKS:true'], 'FOLLOWSYMLINKS:t']);
    expect((await complete(g, commands, 'every-kind /dev/sda1 /x si'))[0]).toEqual([]);
  });
});
