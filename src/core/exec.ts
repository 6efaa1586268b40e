/**
 * The one place vmcraft runs external tools: timeouts, abort signals,
 * stderr captured into typed errors, secrets redacted, retries and a
 * `trace` callback with the timing of every command.
 */
import type { Duplex } from 'node:stream';
import type { Options as ExecaOptions } from 'execa';
import { VmcraftError, type CommandDetails } from './errors.js';
import { lazy } from './lazy.js';
import { toolMissingMessage } from './tool-packages.js';

/** One finished external command, as reported to {@link RunnerOptions.onTrace}. */
export interface TraceEvent {
  /** Program and arguments (secrets redacted). */
  argv: string[];
  /** Exit code; undefined when the process was killed or could not start. */
  exitCode?: number;
  /** Wall-clock duration in milliseconds. */
  durationMs: number;
  /** Whether the command succeeded (exit code accepted). */
  ok: boolean;
  /** The command ran inside the VM of a VM-mode session (not on this host). */
  inVm?: boolean;
}

/** Options of one {@link Runner.run} call. */
export interface RunOptions {
  /** Kill the command after this many milliseconds. @default the runner's timeout (120000) */
  timeoutMs?: number;
  /** Abort the command (it is killed) when this signal fires. */
  signal?: AbortSignal;
  /** Data written to the command's standard input. */
  input?: string | Buffer;
  /** Extra environment variables (added to the process environment). */
  env?: Record<string, string | undefined>;
  /** Working directory. */
  cwd?: string;
  /** Strings (passphrases, passwords) replaced by `***` in traces and errors. */
  redact?: string[];
  /** Exit codes that count as success. @default [0] */
  okExitCodes?: number[];
  /** Return stdout as a Buffer instead of a string. */
  binary?: boolean;
  /** Called with each chunk of standard output as it arrives (progress meters). */
  onStdout?: (chunk: string) => void;
  /**
   * Kill the command when this process dies, even by SIGKILL (through
   * `setpriv --pdeathsig KILL`): for long commands that write (a conversion,
   * a VM), which must not go on as orphans. @default false
   */
  dieWithParent?: boolean;
  /**
   * Extra file descriptors for the command, from fd 3 on: bytes are handed to
   * it to read, `'pipe'` is a socket both sides can use through {@link RunOptions.onSpawn}.
   */
  extraFds?: ReadonlyArray<'pipe' | Uint8Array>;
  /**
   * Called once the command has started, with its pid and its `'pipe'` extra
   * fds (index 0 is fd 3). The command is killed when this rejects, and the
   * run rejects with that error.
   */
  onSpawn?: (child: SpawnedCommand) => Promise<void>;
  /**
   * Keep neither stdout nor the extra fds' output: a long-running process
   * (a VM) read only through {@link RunOptions.onStdout} and the streams
   * {@link RunOptions.onSpawn} gets, which must not grow a buffer for its lifetime.
   */
  streamOnly?: boolean;
}

/** A started command, as {@link RunOptions.onSpawn} sees it. */
export interface SpawnedCommand {
  pid: number;
  /** The command's extra fds (fd 3 first): a duplex stream for each `'pipe'`, undefined for the others. */
  fds: ReadonlyArray<Duplex | undefined>;
}

/** The result of a command that succeeded. */
export interface RunResult<T extends string | Buffer = string> {
  stdout: T;
  stderr: string;
  exitCode: number;
  durationMs: number;
}

/** Options of a {@link Runner}. */
export interface RunnerOptions {
  /** Called after every command with its argv, exit code and duration. */
  onTrace?: (event: TraceEvent) => void;
  /** Default time limit per command in milliseconds. @default 120000 */
  timeoutMs?: number;
}

const MAX_STDERR = 8192;

const loadExeca = lazy(() => import('execa'));
const loadPRetry = lazy(() => import('p-retry'));

/** Runs external commands; a GuestFS owns one so that it can trace what it runs. */
export class Runner {
  readonly #onTrace?: (event: TraceEvent) => void;
  readonly #timeoutMs: number;

  constructor(options: RunnerOptions = {}) {
    this.#onTrace = options.onTrace;
    this.#timeoutMs = options.timeoutMs ?? 120_000;
  }

  /**
   * Starts loading the process library now, so that a first command issued
   * after other work (a launch probes the host first) does not wait for it.
   */
  preload(): void {
    // A failure shows at the first command, which awaits the same load.
    loadExeca().catch(() => undefined);
  }

  /** Runs `file args…` and resolves with its output, or rejects with a {@link VmcraftError}. */
  run(file: string, args: readonly string[], options: RunOptions & { binary: true }): Promise<RunResult<Buffer>>;
  run(file: string, args: readonly string[], options?: RunOptions): Promise<RunResult<string>>;
  async run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult<string | Buffer>> {
    const argv = [file, ...args];
    const shown = redactArgv(argv, options.redact);
    const { execa } = await loadExeca();
    const started = performance.now();
    const execaOptions: ExecaOptions = {
      reject: false,
      timeout: options.timeoutMs ?? this.#timeoutMs,
      cancelSignal: options.signal,
      input: options.input,
      env: options.env,
      cwd: options.cwd,
      encoding: options.binary ? 'buffer' : 'utf8',
      stripFinalNewline: false,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe', ...(options.extraFds ?? [])],
      forceKillAfterDelay: 2000,
      maxBuffer: 1024 * 1024 * 1024,
      ...(options.streamOnly ? { buffer: { stdout: false, ...Object.fromEntries((options.extraFds ?? []).map((_, i) => [`fd${i + 3}`, false])) } } : {}),
    };
    const subprocess = options.dieWithParent ? execa('setpriv', ['--pdeathsig', 'KILL', '--', file, ...args], execaOptions) : execa(file, args, execaOptions);
    if (options.onStdout) subprocess.stdout?.on('data', (chunk: Buffer) => options.onStdout!(chunk.toString()));
    let spawnError: unknown;
    if (options.onSpawn && subprocess.pid !== undefined) {
      const fds = (options.extraFds ?? []).map((fd, i) => (fd === 'pipe' ? (subprocess.stdio[i + 3] as Duplex) : undefined));
      await options.onSpawn({ pid: subprocess.pid, fds }).catch((err: unknown) => {
        spawnError = err;
        subprocess.kill('SIGKILL');
      });
    }
    const result = await subprocess;
    const durationMs = Math.round(performance.now() - started);
    const exitCode = typeof result.exitCode === 'number' ? result.exitCode : undefined;
    const ok = !result.failed || (exitCode !== undefined && (options.okExitCodes ?? [0]).includes(exitCode) && !result.timedOut && !result.isCanceled);
    this.#onTrace?.({ argv: shown, exitCode, durationMs, ok });
    if (spawnError) throw spawnError;
    // In binary mode execa returns stderr as bytes too: it is text either way.
    const rawStderr: unknown = result.stderr;
    const stderr = redactText(rawStderr instanceof Uint8Array ? Buffer.from(rawStderr).toString('utf8') : String(rawStderr ?? ''), options.redact);
    if (ok) {
      const stdout = options.binary ? Buffer.from(result.stdout as unknown as Uint8Array) : String(result.stdout ?? '');
      return { stdout, stderr, exitCode: exitCode ?? 0, durationMs };
    }
    const details: CommandDetails = {
      command: shown.join(' '),
      argv: shown,
      exitCode,
      signal: result.signal ?? undefined,
      stderr: stderr.trim().slice(-MAX_STDERR),
      durationMs,
    };
    throw commandError(file, details, result);
  }

  /**
   * Runs a command and retries it when `shouldRetry` says the failure is transient
   * (a device still busy, a race for a free loop device).
   */
  async runWithRetry(
    file: string,
    args: readonly string[],
    options: RunOptions & { retries?: number; shouldRetry: (err: VmcraftError) => boolean },
  ): Promise<RunResult<string>> {
    const { retries = 4, shouldRetry, ...runOptions } = options;
    const { default: pRetry } = await loadPRetry();
    return pRetry(() => this.run(file, args, runOptions), {
      retries,
      minTimeout: 50,
      maxTimeout: 1000,
      signal: options.signal,
      shouldRetry: (err) => err instanceof VmcraftError && shouldRetry(err),
    });
  }
}

type ExecaFailure = { failed: boolean; timedOut?: boolean; isCanceled?: boolean; code?: string; originalMessage?: string; cause?: unknown };

function commandError(file: string, details: CommandDetails, result: ExecaFailure): VmcraftError {
  const cause = result.cause ?? result;
  // setpriv reports a program it cannot find with exit code 127.
  if ((result.code === 'ENOENT' && details.exitCode === undefined) || (details.exitCode === 127 && /^setpriv: failed to execute .*No such file/m.test(details.stderr))) {
    return new VmcraftError('ETOOLMISSING', toolMissingMessage(file), { command: details, cause });
  }
  if (result.timedOut) {
    return new VmcraftError('ETIMEOUT', `${details.command} timed out after ${details.durationMs} ms`, { command: details, cause });
  }
  if (result.isCanceled) {
    return new VmcraftError('EABORTED', `${details.command} was aborted`, { command: details, cause });
  }
  const how = details.exitCode !== undefined ? `exit code ${details.exitCode}` : `signal ${details.signal ?? 'unknown'}`;
  const tail = details.stderr ? `: ${lastLines(details.stderr, 3)}` : '';
  return new VmcraftError('ECOMMAND', `${details.command} failed with ${how}${tail}`, { command: details, cause });
}

function lastLines(text: string, count: number): string {
  return text.split('\n').filter(Boolean).slice(-count).join(' | ');
}

function redactText(text: string, secrets: readonly string[] = []): string {
  return secrets.filter(Boolean).reduce((acc, secret) => acc.split(secret).join('***'), text);
}

function redactArgv(argv: readonly string[], secrets: readonly string[] = []): string[] {
  return argv.map((arg) => redactText(arg, secrets));
}

/** A runner without tracing, for code that runs outside a session. */
export const defaultRunner = new Runner();
