/**
 * `vmcraft worker` as a child process for the scale-out tests: its JSON
 * events collected, waits for an event, stops with a signal. Every worker
 * started is tracked so a test file can kill what is left in afterAll.
 */
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { WorkerEvent } from '../../src/index.js';
import { CLI } from './cli.js';

/** A running worker. */
export interface TestWorker {
  proc: ResultPromise;
  pid: number;
  events: WorkerEvent[];
  stdout(): string;
  stderr(): string;
  /** Resolves with the first event (past or future) that `match` accepts; rejects if the worker ends first or after `timeoutMs`. */
  waitFor(match: (e: WorkerEvent) => boolean, timeoutMs?: number): Promise<WorkerEvent>;
}

const running = new Set<ResultPromise>();

/**
 * Starts `vmcraft worker --json` (from the sources) with `args` and `env`
 * added to this process's environment; `wrap` puts a command before node
 * (e.g. `unshare …`). The workers register their sessions in a registry of
 * their own (`sessions/` under env.TMPDIR): the session of a worker a test
 * kills is released by the test's next worker, never by a launch of another
 * test file running meanwhile (which would warn on its stderr).
 */
export function startTestWorker(args: string[], env: Record<string, string>, wrap: string[] = []): TestWorker {
  const argv = ['node', '--import', 'tsx', CLI, 'worker', '--json', ...args];
  const registry = { VMCRAFT_SESSION_DIR: path.join(env.TMPDIR ?? os.tmpdir(), 'sessions') };
  const proc = execa(wrap[0] ?? argv[0]!, [...(wrap.length ? [...wrap.slice(1), ...argv] : argv.slice(1))], { reject: false, env: { ...registry, ...env }, cwd: path.join(import.meta.dirname, '../..'), stdin: 'ignore' });
  running.add(proc);
  void proc.finally(() => running.delete(proc));
  const events: WorkerEvent[] = [];
  let out = '';
  let err = '';
  const waiters: { match: (e: WorkerEvent) => boolean; resolve: (e: WorkerEvent) => void }[] = [];
  proc.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    const lines = out.split('\n');
    for (const line of lines.slice(events.length, -1)) {
      const event = JSON.parse(line) as WorkerEvent;
      events.push(event);
      for (const w of [...waiters]) if (w.match(event)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(event));
    }
  });
  proc.stderr!.on('data', (chunk: Buffer) => void (err += chunk.toString()));
  return {
    proc,
    pid: proc.pid!,
    events,
    stdout: () => out,
    stderr: () => err,
    waitFor(match, timeoutMs = 60_000) {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no such worker event in ${timeoutMs} ms; stderr: ${err}`)), timeoutMs);
        waiters.push({ match, resolve: (e) => (clearTimeout(timer), resolve(e)) });
        void proc.then(() => reject(new Error(`the worker ended (${proc.exitCode}) before the event; stderr: ${err}`)));
      });
    },
  };
}

/** Kills every worker still running (afterAll, whatever happened). */
export async function killTestWorkers(): Promise<void> {
  for (const proc of running) proc.kill('SIGKILL');
  await Promise.all([...running]);
}
