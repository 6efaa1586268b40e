/**
 * Runs a command in the kernel-test VM, streams its output and exits with its exit code:
 *   npx tsx test/vm/run.ts [--timeout <seconds>] -- <command…>
 * Runs as root in the project directory. Several words after `--` are one command and its
 * arguments (quoted as given); a single word is a shell command line (`-- 'a && b'`).
 * Ctrl-C (or SIGTERM/SIGHUP) kills QEMU and removes the temp files; exit code 124 after
 * the time limit (default 20 minutes), 125 when the VM stopped before the command ended.
 */
import { runInVm, shellQuote } from './harness.js';

const USAGE = 'usage: npx tsx test/vm/run.ts [--timeout <seconds>] -- <command…>';

/** Splits `[--timeout N] [--] command…` (parsed by hand: one option is not worth a parser). */
function parseArgs(argv: string[]): { timeoutMs?: number; command: string[] } {
  let timeoutMs: number | undefined;
  let i = 0;
  for (; i < argv.length && argv[i] !== '--'; i++) {
    if (argv[i] !== '--timeout') break;
    const seconds = Number(argv[++i]);
    if (!(seconds > 0)) throw new Error(`--timeout wants a number of seconds\n${USAGE}`);
    timeoutMs = seconds * 1000;
  }
  if (argv[i] === '--') i++;
  return { ...(timeoutMs !== undefined ? { timeoutMs } : {}), command: argv.slice(i) };
}

let parsed: ReturnType<typeof parseArgs>;
try {
  parsed = parseArgs(process.argv.slice(2));
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
if (parsed.command.length === 0) {
  console.error(USAGE);
  process.exit(2);
}

const stop = new AbortController();
// `on`, not `once`: tsx's own handler exits the process when it finds no other listener.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => stop.abort(new Error(`stopped by ${sig}`)));

const seconds = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);
try {
  const { command } = parsed;
  const line = command.length === 1 ? command[0]! : command.map(shellQuote).join(' ');
  const result = await runInVm(line, {
    onOutput: (t) => process.stdout.write(t),
    signal: stop.signal,
    ...(parsed.timeoutMs !== undefined ? { timeoutMs: parsed.timeoutMs } : {}),
  });
  const how = result.timedOut ? 'time limit reached, VM killed' : `exit code ${result.exitCode ?? 'none (the VM stopped before the command ended)'}`;
  console.error(`\n[vm] ${how}; boot ${seconds(result.bootMs)}, total ${seconds(result.durationMs)}`);
  process.exit(result.timedOut ? 124 : (result.exitCode ?? 125));
} catch (err) {
  console.error(`\n[vm] ${stop.signal.aborted ? (stop.signal.reason as Error).message : (err as Error).message}`);
  process.exit(stop.signal.aborted ? 130 : 1);
}
