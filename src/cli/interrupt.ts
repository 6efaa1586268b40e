/**
 * How the CLI stops half-way: SIGINT, SIGTERM or SIGHUP, or a reader that
 * left (EPIPE on stdout or stderr, as in `vmcraft … | head -1`) abort the
 * work under way through {@link interruption}; sessions release themselves
 * on the signal (core/cleanup), conversions remove their temp directory, the
 * shell stops reading. Once everything is released, {@link exitInterrupted}
 * ends the process as the interruption says: dying of the signal, or quietly
 * with status 141 (128 + SIGPIPE) when the reader left.
 */

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** Why the CLI was interrupted: a signal's name, or `EPIPE`. */
export type Interruption = (typeof SIGNALS)[number] | 'EPIPE';

const controller = new AbortController();

/** Aborted when the CLI is interrupted; its `reason` is the {@link Interruption}. */
export const interruption: AbortSignal = controller.signal;

/** Whether standard output's reader left (nothing more is written there). */
export function readerLeft(): boolean {
  return interruption.reason === 'EPIPE';
}

let reportedByCommand = false;

function interrupt(why: Interruption): void {
  if (!controller.signal.aborted) controller.abort(why);
}

function onStreamError(err: NodeJS.ErrnoException): void {
  if (err.code === 'EPIPE') return interrupt('EPIPE');
  // After the reader left, writes fail with other codes (stream destroyed): nobody reads them either.
  if (readerLeft()) return;
  throw err;
}

/** Starts turning signals and EPIPE into {@link interruption}. */
export function watchInterruptions(): void {
  // Listening keeps the sessions' own signal hook from ending the process before the CLI has cleaned up.
  for (const signal of SIGNALS) process.on(signal, interrupt);
  process.stdout.on('error', onStreamError);
  process.stderr.on('error', onStreamError);
}

/** The running command reports an interruption itself, with its own exit status (the pipeline's report). */
export function commandReportsInterruption(): void {
  reportedByCommand = true;
}

/**
 * When the CLI was interrupted (and the command does not report it itself):
 * ends the process as the interruption says and returns true. Call it once
 * everything is released.
 */
export function exitInterrupted(): boolean {
  const why = interruption.reason as Interruption | undefined;
  if (!interruption.aborted || !why || reportedByCommand) return false;
  if (why === 'EPIPE') {
    process.exitCode = 141;
    return true;
  }
  for (const signal of SIGNALS) process.off(signal, interrupt);
  process.kill(process.pid, why);
  return true;
}
