/**
 * What the CLI tells besides its results, on standard error:
 * - warnings (`warn: …`) unless `--quiet`;
 * - `--verbose`: one human line per external command (`[  12 ms] losetup …`),
 *   and the sessions' notes (`info: mode vm: <why>`: where a session runs and why);
 * - `--trace`: one JSON object per line for every event: external commands
 *   (argv with secrets redacted, exit code, duration), session lifecycle,
 *   timed phases, warnings and the final error. In trace mode every line
 *   vmcraft writes on stderr is such an object, so a machine can read it all;
 * - colours only when stderr is a terminal and `NO_COLOR` is not set;
 * - progress bars only on a terminal, never with `--quiet`, `--json` or `--trace`.
 *
 * The flags are read once per invocation ({@link configureOutput}, from a
 * commander preAction hook), so every subcommand gets them the same way.
 */
import type { Command } from 'commander';
import { Runner, type TraceEvent } from '../core/exec.js';
import { lazy } from '../core/lazy.js';
import type { ImageFormat } from '../attach/detect.js';
import type { ChainPolicy } from '../attach/references.js';
import type { SessionMode } from '../api/options.js';
import { GuestFS } from '../guestfs.js';
import type { ShellIo } from './shell.js';
import { cliMessage, withCode } from './hints.js';
import { readerLeft } from './interrupt.js';
import { requestedMode } from './mode.js';

/** The output flags every command understands. */
export interface OutputFlags {
  verbose?: boolean;
  trace?: boolean;
  quiet?: boolean;
}

let flags: OutputFlags = {};

/** Sets the output flags for this invocation. */
export function configureOutput(value: OutputFlags): void {
  flags = { verbose: !!value.verbose, trace: !!value.trace, quiet: !!value.quiet };
}

/** The output flags in force. */
export function outputFlags(): Readonly<OutputFlags> {
  return flags;
}

/** Adds `-v/--verbose`, `--trace` and `-q/--quiet` to a command (subcommands take them after their name too). */
export function addOutputOptions(command: Command): Command {
  const has = (long: string) => command.options.some((o) => o.long === long);
  if (!has('--verbose')) command.option('-v, --verbose', 'show every external command with its time');
  if (!has('--trace')) command.option('--trace', 'JSON lines on stderr: every external command, phase and session event');
  if (!has('--quiet')) command.option('-q, --quiet', 'no warnings or progress');
  return command;
}

/**
 * A commander preAction hook: the flags given before the subcommand and
 * after it both count.
 */
export function outputHook(thisCommand: Command, actionCommand: Command): void {
  const global = thisCommand.opts<OutputFlags>();
  const local = actionCommand === thisCommand ? {} : actionCommand.opts<OutputFlags>();
  configureOutput({
    verbose: global.verbose || local.verbose,
    trace: global.trace || local.trace,
    quiet: global.quiet || local.quiet,
  });
}

/** Whether colour may be used on `stream`: a terminal, `NO_COLOR` unset or empty (as no-color.org says), `TERM` not `dumb`. */
export function colourEnabled(stream: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env): boolean {
  return !!stream.isTTY && !env.NO_COLOR && env.TERM !== 'dumb';
}

const loadCliProgress = lazy(() => import('cli-progress'));

/** The progress-bar library (cli-progress, loaded then) when a bar may be drawn on `stream`; undefined when not. */
export async function progressBars(stream: NodeJS.WriteStream = process.stderr, json = false): Promise<typeof import('cli-progress') | undefined> {
  return stream.isTTY && !json && !flags.quiet && !flags.trace ? (await loadCliProgress()).default : undefined;
}

const SGR = { red: 31, yellow: 33, dim: 2 } as const;

/** `text` in a colour when colours are on for stderr. */
export function paint(colour: keyof typeof SGR, text: string): string {
  return colourEnabled() ? `\x1b[${SGR[colour]}m${text}\x1b[0m` : text;
}

/** Writes one trace event as a JSON line on stderr (bigints as decimal strings). */
export function traceEvent(event: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ ts: new Date().toISOString(), event, ...fields }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  process.stderr.write(`${line}\n`);
}

/**
 * The standard streams as the shell and the subcommands write to them; in trace mode stderr lines become `message` events.
 * Nothing more goes to standard output once its reader left.
 */
export const io: ShellIo = {
  out: (text) => void (readerLeft() || process.stdout.write(`${text}\n`)),
  err: (text) => {
    if (flags.trace) traceEvent('message', { text });
    else process.stderr.write(`${/^(error|warn)\b/.test(text) ? text.replace(/^(error|warn)\b/, (m) => paint(m === 'error' ? 'red' : 'yellow', m)) : text}\n`);
  },
};

/** Reports one external command as the output flags say: a JSON `command` event, a human line, or nothing. */
export function reportCommand(e: TraceEvent): void {
  if (flags.trace) traceEvent('command', { argv: e.argv, exitCode: e.exitCode ?? null, durationMs: e.durationMs, ok: e.ok });
  else if (flags.verbose) process.stderr.write(`${paint('dim', `[${String(e.durationMs).padStart(5)} ms]`)} ${e.argv.join(' ')}${e.ok ? '' : ` (exit ${e.exitCode ?? 'signal'})`}\n`);
}

/** A runner for work outside a session (convert) that reports its commands like a session does. */
export function reportingRunner(): Runner {
  return new Runner({ onTrace: reportCommand });
}

let launched = false;

/** Whether a session was launched (or tried to be): an error after that is a failed operation, not bad usage. */
export function sessionLaunched(): boolean {
  return launched;
}

/** Options of {@link launchSession}. */
export interface LaunchOptions {
  readonly?: boolean;
  /** Open the drives as live images (with `readonly`; see DriveOptions.live). */
  live?: boolean;
  /** The chain each drive may read (see DriveOptions.chain). */
  chain?: ChainPolicy;
  keys?: string[];
  backend?: 'auto' | 'nbd' | 'fuse' | 'loop';
  format?: ImageFormat;
  /** Per drive, in the order of the images: its format, overriding `format` (virt-inspector's `--format` before each `-a`). */
  formats?: (ImageFormat | undefined)[];
  /** Where the session runs (GuestFSOptions.mode); by default what `--vm`, `--host` or `--mode` asked (mode.ts), else the session's default, `auto`. */
  mode?: SessionMode;
  /** No warnings, whatever the flags say (inspect prints a report, not a log). */
  quiet?: boolean;
}

/**
 * Creates a session on `images`, wires its events to the output flags and
 * launches it. In trace mode: `session` events (`launching` with the mode
 * asked, `launched` with the mode the session runs in), then a `command` event
 * per external command, a `phase` event per timed phase and `log` events for
 * warnings and notes (in `auto` mode, `mode vm: <reason>` when the session
 * went to a VM).
 */
export async function launchSession(images: string[], options: LaunchOptions = {}): Promise<GuestFS> {
  launched = true;
  const readonly = options.readonly ?? false;
  const mode = options.mode ?? requestedMode();
  const g = new GuestFS({ readonly, keys: options.keys ?? [], ...(options.backend ? { backend: options.backend } : {}), ...(mode ? { mode } : {}) });
  g.on('trace', reportCommand);
  if (flags.trace) {
    g.on('phase', (p) => traceEvent('phase', { ...p }));
    g.on('log', (l) => traceEvent('log', { ...l }));
  } else if (!flags.quiet && !options.quiet) {
    // Warnings always; notes (where the session runs and why, how the VM came up) with --verbose.
    g.on('log', (l) => (l.level === 'info' && !flags.verbose ? undefined : io.err(`${l.level}: ${l.message}`)));
  }
  for (const [i, image] of images.entries()) {
    const format = options.formats?.[i] ?? options.format;
    g.addDrive(image, { ...(format ? { format } : {}), ...(options.live ? { live: true } : {}), ...(options.chain ? { chain: options.chain } : {}) });
  }
  const started = performance.now();
  if (flags.trace) traceEvent('session', { state: 'launching', drives: images, readonly, backend: options.backend ?? 'auto', mode: mode ?? 'auto' });
  try {
    await g.launch();
  } catch (err) {
    if (flags.trace) traceEvent('session', { state: 'failed', durationMs: Math.round(performance.now() - started) });
    throw err;
  }
  if (flags.trace) traceEvent('session', { state: 'launched', durationMs: Math.round(performance.now() - started), mode: g.mode, devices: g.listDevices() });
  return g;
}

/** Closes a session from {@link launchSession}; in trace mode a `closed` event carries the session's per-phase metrics. */
export async function closeSession(g: GuestFS): Promise<void> {
  const started = performance.now();
  try {
    await g.close();
  } finally {
    if (flags.trace) traceEvent('session', { state: 'closed', durationMs: Math.round(performance.now() - started), metrics: g.metrics() });
  }
}

/** Reports the error that ends the program: a human line, or an `error` event in trace mode. */
export function reportFatal(code: string, err: Error & { command?: unknown }): void {
  if (flags.trace) traceEvent('error', { code, message: cliMessage(err), ...(err.command ? { command: err.command } : {}) });
  else process.stderr.write(`${paint('red', 'vmcraft:')} ${withCode(code, cliMessage(err))}\n`);
}
