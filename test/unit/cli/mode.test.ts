/**
 * --vm, --host and --mode: how they parse (before or after a command's name), what conflicts, what
 * launchSession gives the session and says in --trace; and, from the real CLI (no image opened),
 * which commands take them and that a conflict is exit code 2 with a one-line reason.
 */
import { Command, CommanderError } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GuestFSOptions, SessionMode } from '../../../src/api/options.js';
import { cliRunner } from '../../helpers/cli.js';

/** What the fake GuestFS was created with. */
const created: GuestFSOptions[] = [];
vi.mock('../../../src/guestfs.js', () => ({
  GuestFS: class {
    mode: string;
    constructor(options: GuestFSOptions) {
      created.push(options);
      this.mode = options.mode === 'vm' ? 'vm' : 'host';
    }
    on() {
      return this;
    }
    addDrive() {}
    async launch() {}
    listDevices() {
      return ['/dev/sda'];
    }
  },
}));

const { addModeOptions, modeHook, modeOf, requestedMode } = await import('../../../src/cli/mode.js');
const { configureOutput, launchSession } = await import('../../../src/cli/output.js');

/** A program shaped like vmcraft's: a session command with subcommands that open images (inspect) or not (convert). */
async function parse(args: string[]): Promise<SessionMode | undefined> {
  let seen: SessionMode | undefined | null = null;
  const record = () => void (seen = requestedMode());
  const program = addModeOptions(
    new Command('vmcraft')
      .enablePositionalOptions()
      .exitOverride()
      .configureOutput({ writeErr: () => {}, writeOut: () => {} })
      .option('-a, --add <image>'),
  )
    .hook('preAction', modeHook)
    .action(record);
  addModeOptions(program.command('inspect').argument('<images...>')).action(record);
  program.command('convert').argument('<source>').action(record);
  await program.parseAsync(args, { from: 'user' });
  if (seen === null) throw new Error('no action ran');
  return seen;
}

/** The commander error `args` end with. */
async function usageError(args: string[]): Promise<CommanderError> {
  const err = await parse(args).then(() => undefined, (e: unknown) => e);
  if (!(err instanceof CommanderError)) throw new Error(`${args.join(' ')}: expected a usage error, got ${String(err)}`);
  return err;
}

afterEach(() => {
  created.length = 0;
  configureOutput({});
  vi.restoreAllMocks();
});

describe('mode flags', () => {
  it('--vm is vm, --host is host, --mode is what it says, nothing is no mode (the session default, auto)', async () => {
    expect(await parse(['-a', 'x'])).toBeUndefined();
    expect(await parse(['--vm', '-a', 'x'])).toBe('vm');
    expect(await parse(['--host', '-a', 'x'])).toBe('host');
    for (const mode of ['auto', 'host', 'vm'] as const) expect(await parse(['--mode', mode, '-a', 'x'])).toBe(mode);
  });

  it('count before or after a subcommand name', async () => {
    expect(await parse(['inspect', '--vm', 'x'])).toBe('vm');
    expect(await parse(['--vm', 'inspect', 'x'])).toBe('vm');
    expect(await parse(['--vm', 'inspect', '--mode', 'vm', 'x'])).toBe('vm');
    expect(await parse(['inspect', '--mode', 'host', 'x'])).toBe('host');
    expect(await parse(['inspect', 'x'])).toBeUndefined();
    expect(await parse(['convert', 'x'])).toBeUndefined();
  });

  it('modeOf: --vm and --host win over an absent --mode', () => {
    expect(modeOf({})).toBeUndefined();
    expect(modeOf({ vm: true })).toBe('vm');
    expect(modeOf({ host: true })).toBe('host');
    expect(modeOf({ mode: 'auto' })).toBe('auto');
  });

  it('--vm, --host and --mode conflict with one another, with a one-line reason', async () => {
    const cases: [string[], string][] = [
      [['--vm', '--host', '-a', 'x'], "error: option '--vm' cannot be used with option '--host'"],
      [['--host', '--vm', '-a', 'x'], "error: option '--vm' cannot be used with option '--host'"],
      [['--vm', '--mode', 'vm', '-a', 'x'], "error: option '--vm' cannot be used with option '--mode <mode>'"],
      [['--mode', 'auto', '--host', '-a', 'x'], "error: option '--host' cannot be used with option '--mode <mode>'"],
      [['inspect', '--host', '--mode', 'host', 'x'], "error: option '--host' cannot be used with option '--mode <mode>'"],
    ];
    for (const [args, message] of cases) {
      const err = await usageError(args);
      expect([err.code, err.message], args.join(' ')).toEqual(['commander.conflictingOption', message]);
    }
  });

  it('two different modes before and after a subcommand name, a mode for a command that opens nothing, or a bad --mode are usage errors', async () => {
    const cross = await usageError(['--vm', 'inspect', '--host', 'x']);
    expect([cross.code, cross.exitCode, cross.message]).toEqual(['vmcraft.conflictingMode', 2, 'error: --vm before `inspect` and --host after it ask for different modes']);
    const notHere = await usageError(['--mode', 'host', 'convert', 'x']);
    expect([notHere.code, notHere.exitCode, notHere.message]).toEqual(['vmcraft.modeNotApplicable', 2, 'error: --mode host applies to commands that open images; `convert` opens none']);
    const bad = await usageError(['--mode', 'warp', '-a', 'x']);
    expect([bad.code, bad.message]).toEqual(['commander.invalidArgument', "error: option '--mode <mode>' argument 'warp' is invalid. Allowed choices are auto, host, vm."]);
  });
});

describe('launchSession', () => {
  it('gives the session the mode asked on the command line, or none (auto), or its own option', async () => {
    await parse(['--vm', '-a', 'x']);
    await launchSession(['x']);
    await parse(['-a', 'x']);
    await launchSession(['x']);
    await parse(['--vm', '-a', 'x']);
    await launchSession(['x'], { mode: 'host' });
    expect(created.map((o) => o.mode)).toEqual(['vm', undefined, 'host']);
  });

  it('--trace: the launching event carries the mode asked (auto when none), the launched one the mode the session runs in', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    configureOutput({ trace: true });
    await parse(['--host', '-a', 'x']);
    await launchSession(['x'], { readonly: true });
    await parse(['--vm', '-a', 'x']);
    await launchSession(['x'], { mode: 'auto' });
    const sessions = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.event === 'session');
    expect(sessions.map((e) => e.state)).toEqual(['launching', 'launched', 'launching', 'launched']);
    expect(sessions[0]).toMatchObject({ state: 'launching', mode: 'host', readonly: true, drives: ['x'] });
    expect(sessions[1]).toMatchObject({ state: 'launched', mode: 'host' });
    expect(sessions[2]).toMatchObject({ state: 'launching', mode: 'auto' });
    expect(sessions[3]).toMatchObject({ state: 'launched', mode: 'host' });
  });
});

describe('the vmcraft command', () => {
  const vmcraft = cliRunner(() => process.env.TMPDIR ?? '/tmp');

  it('every command that opens images takes --vm, --host and --mode; the others do not', async () => {
    const opening = [[], ['inspect'], ['customize'], ['fix'], ['reg-read'], ['reg-write'], ['inject-driver'], ['pipeline', 'run']];
    const others = [['convert'], ['doctor']];
    const helps = await Promise.all([...opening, ...others].map((c) => vmcraft([...c, '--help'])));
    helps.forEach((r, i) => {
      const name = [...opening, ...others][i]!.join(' ') || 'vmcraft';
      const takes = i < opening.length;
      expect([r.exitCode, /^ {2}--vm /m.test(r.stdout), /^ {2}--host /m.test(r.stdout), /^ {2}--mode <mode> /m.test(r.stdout)], name).toEqual([0, takes, takes, takes]);
    });
    expect(helps[0]!.stdout).toMatch(/--mode <mode> +where the session runs;[^]*\(choices: "auto", "host", "vm"\)/);
  });

  it('a conflict exits 2 before anything is opened, its reason on the first line', async () => {
    const cases: [string[], string][] = [
      [['--vm', '--host', '-a', '/nonexistent.qcow2'], "error: option '--vm' cannot be used with option '--host'"],
      [['inspect', '--host', '--mode', 'vm', '/nonexistent.qcow2'], "error: option '--host' cannot be used with option '--mode <mode>'"],
      [['customize', '--vm', '--host', '-a', '/nonexistent.qcow2'], "error: option '--vm' cannot be used with option '--host'"],
      [['--vm', 'fix', '--host', '-a', '/nonexistent.qcow2'], 'error: --vm before `fix` and --host after it ask for different modes'],
      [['--vm', 'pipeline', 'schema'], 'error: --vm applies to commands that open images; `schema` opens none'],
      [['--mode', 'warp', '-a', '/nonexistent.qcow2'], "error: option '--mode <mode>' argument 'warp' is invalid. Allowed choices are auto, host, vm."],
    ];
    const runs = await Promise.all(cases.map(([args]) => vmcraft(args)));
    runs.forEach((r, i) => {
      const [args, reason] = cases[i]!;
      expect([r.exitCode, r.stderr.split('\n')[0], r.stdout], args.join(' ')).toEqual([2, reason, '']);
    });
  });
});
