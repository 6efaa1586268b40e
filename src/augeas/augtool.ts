/**
 * One augtool process kept for the life of an Augeas handle, driven line by
 * line. augtool reads commands on fd 3 (a socket: the Runner has no
 * long-lived stdin) and writes both its output and its errors, unbuffered,
 * to one pipe, so they arrive in order. After each command a `get` of a
 * path no tree has (`/vmcraft_<nonce>_<n>`) is sent: its `(o)` answer
 * closes that command's output. augtool keeps going after a failed command
 * and reports it as `error: …` lines, which become `EAUGEAS`.
 */
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { VmcraftError } from '../core/errors.js';
import type { Runner } from '../core/exec.js';
import { toolMissingMessage } from '../core/tool-packages.js';

/** How long one augtool command may take (a load parses every staged file). */
const COMMAND_LIMIT_MS = 120_000;
/** How long augtool gets to exit once its input is closed. */
const EXIT_LIMIT_MS = 5_000;
/**
 * augtool's address space (4 GiB; the lenses take about 100 MiB): parsing
 * crafted content stops there with an error instead of taking the host's
 * memory. No core file either.
 */
const ADDRESS_SPACE_KIB = 4 * 1024 * 1024;
/** At most this much output is kept for one command. */
const MAX_OUTPUT = 64 * 1024 * 1024;

/** Control characters augtool's readline would act on (TAB completes, CR ends the line…), which it has no escape for. */
const UNPASSABLE = /[\0-\x08\x0b-\x1f\x7f]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\t': '\\t', '\n': '\\n' };

/**
 * An augtool argument, quoted for augtool's line parser: inside double
 * quotes it takes `\"`, `\\`, and `\t` / `\n` for a tab / line break. augtool
 * reads its commands through readline, which acts on other control characters.
 *
 * @throws VmcraftError `EINVAL` for text with a control character other than tab and line break.
 */
export function quoteArg(text: string): string {
  if (UNPASSABLE.test(text)) throw new VmcraftError('EINVAL', `an Augeas path or value cannot hold control characters other than tab and line break: ${JSON.stringify(text.slice(0, 80))}`);
  return `"${text.replace(/[\\"\t\n]/g, (c) => ESCAPES[c]!)}"`;
}

/** Why augtool ended: `ETOOLMISSING` (the shell's 127), else `EAUGEAS` (killed, crashed, out of memory). */
function stopError(err: unknown): VmcraftError {
  if (err instanceof VmcraftError && err.command?.exitCode === 127) return new VmcraftError('ETOOLMISSING', toolMissingMessage('augtool'), { cause: err });
  const how = err instanceof VmcraftError && err.command ? (err.command.signal ?? `exit code ${err.command.exitCode}`) : String(err);
  return new VmcraftError('EAUGEAS', `augtool stopped (${how}): close the handle and open another`, { cause: err });
}

interface Pending {
  end: string;
  resolve(output: string): void;
  reject(err: VmcraftError): void;
  timer: NodeJS.Timeout;
}

/** A running augtool. */
export class Augtool {
  readonly #nonce = randomBytes(8).toString('hex');
  #next = 0;
  #buffer = '';
  #queue: Pending[] = [];
  #input?: Duplex;
  #exited!: Promise<void>;
  #stopped?: VmcraftError;
  readonly #kill = new AbortController();

  private constructor() {}

  /** Starts `augtool args…`; resolves once it runs. */
  static async start(runner: Runner, args: string[]): Promise<Augtool> {
    const tool = new Augtool();
    const started = new Promise<Duplex>((resolve) => {
      tool.#exited = runner
        .run('sh', ['-c', `command -v augtool >/dev/null || exit 127; ulimit -c 0 && ulimit -v ${ADDRESS_SPACE_KIB} || exit 1; exec stdbuf -o0 -e0 augtool "$@" <&3 2>&1`, 'augtool', ...args], {
          timeoutMs: 0,
          // readline: no user key bindings, and UTF-8 text taken as text rather than meta keys
          env: { INPUTRC: '/dev/null', LC_ALL: 'C.UTF-8' },
          dieWithParent: true,
          signal: tool.#kill.signal,
          streamOnly: true,
          extraFds: ['pipe'],
          onStdout: (chunk) => tool.#receive(chunk),
          onSpawn: async ({ fds }) => resolve(fds[0]!),
        })
        .then(
          () => tool.#stop(new VmcraftError('EAUGEAS', 'augtool exited')),
          (err: unknown) => tool.#stop(stopError(err)),
        );
    });
    tool.#input = await Promise.race([started, tool.#exited.then(() => Promise.reject(tool.#stopped))]);
    // A write after augtool died fails with EPIPE: the command then fails with why augtool stopped.
    tool.#input.on('error', () => undefined);
    return tool;
  }

  /**
   * Runs one augtool command line; resolves with what it printed.
   *
   * @param what names the call in an error (`augGet /files/etc/[`)
   * @throws VmcraftError `EAUGEAS` with augtool's message when the command failed.
   */
  command(line: string, what: string): Promise<string> {
    if (this.#stopped) return Promise.reject(this.#stopped);
    const marker = `/vmcraft_${this.#nonce}_${++this.#next}`;
    const output = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#stop(new VmcraftError('ETIMEOUT', `augtool did not answer \`${line.slice(0, 80)}\` in ${COMMAND_LIMIT_MS} ms: it is stopped`));
        this.#kill.abort();
      }, COMMAND_LIMIT_MS);
      this.#queue.push({ end: `${marker} (o)\n`, resolve, reject, timer });
    });
    this.#input!.write(`${line}\nget ${marker}\n`);
    return output.then((text) => {
      if (!text.startsWith('error: ')) return text;
      const message = text.split('\n').map((l) => l.replace(/^error: /, '').trim()).filter((l) => l && l !== 'Failed to execute command').join(': ');
      throw new VmcraftError('EAUGEAS', `${what}: ${message}`);
    });
  }

  /** Ends augtool (closing its input, then by signal if it lingers) and waits for it to exit. */
  async close(): Promise<void> {
    this.#stop(new VmcraftError('EAUGEAS', 'the Augeas handle is closed'));
    this.#input?.end();
    const timer = setTimeout(() => this.#kill.abort(), EXIT_LIMIT_MS);
    await this.#exited;
    clearTimeout(timer);
  }

  #receive(chunk: string): void {
    this.#buffer += chunk;
    for (let head = this.#queue[0]; head; head = this.#queue[0]) {
      const at = this.#buffer.indexOf(head.end);
      if (at < 0) {
        if (this.#buffer.length > MAX_OUTPUT) {
          this.#stop(new VmcraftError('EAUGEAS', `augtool printed more than ${MAX_OUTPUT} bytes for one command: it is stopped`));
          this.#kill.abort();
        }
        return;
      }
      this.#queue.shift();
      clearTimeout(head.timer);
      head.resolve(this.#buffer.slice(0, at));
      this.#buffer = this.#buffer.slice(at + head.end.length);
    }
  }

  /** Every waiting command fails with `err`; augtool is unusable from here on. */
  #stop(err: VmcraftError): void {
    this.#stopped ??= err;
    for (const pending of this.#queue) {
      clearTimeout(pending.timer);
      pending.reject(this.#stopped);
    }
    this.#queue = [];
  }
}
