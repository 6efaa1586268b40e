/**
 * Queued pipelines (BullMQ on Redis, see docs/scale-out.md):
 *   vmcraft pipeline enqueue CONFIG… [--redis URL] [--queue Q] [--json]   one job per VM
 *   vmcraft pipeline status [--redis URL] [--json] [--watch [SEC]]      per VM: waiting, active, done, failed
 *   vmcraft pipeline retry VM | cancel VM [--redis URL]
 *   vmcraft worker [--redis URL] [--concurrency N] [--vm|--host|--mode M] [--json]   runs jobs until SIGTERM
 * --redis defaults to $VMCRAFT_REDIS_URL; the password comes from $VMCRAFT_REDIS_PASSWORD,
 * --redis-password-file or $VMCRAFT_REDIS_PASSWORD_FILE (never printed).
 */
import os from 'node:os';
import type { Command } from 'commander';
import { VmcraftError } from '../core/errors.js';
import { loadPipelineConfig } from '../pipeline/index.js';
import type { RedisConnection } from '../scale/connection.js';
import { enqueuePipeline } from '../scale/enqueue.js';
import { DEFAULT_QUEUE } from '../scale/job.js';
import type { QueueOptions } from '../scale/queue.js';
import { cancelVm, pipelineStatus, retryVm, type VmQueueStatus } from '../scale/status.js';
import { startWorker, type WorkerEvent } from '../scale/worker.js';
import { commandReportsInterruption, interruption } from './interrupt.js';
import { addModeOptions, requestedMode } from './mode.js';
import { outputFlags, reportCommand, traceEvent } from './output.js';
import type { ShellIo } from './shell.js';

export interface RedisFlags {
  redis?: string;
  redisPasswordFile?: string;
  queue?: string;
}

/** Adds --redis, --redis-password-file and --queue to a command (the queue commands and the dashboard). */
export function addRedisOptions(command: Command): Command {
  return command
    .option('--redis <url>', 'the queue\'s Redis: redis://host:port or rediss://host:port (TLS); default $VMCRAFT_REDIS_URL; the password goes in $VMCRAFT_REDIS_PASSWORD or a file')
    .option('--redis-password-file <file>', 'read the Redis password from this file (default $VMCRAFT_REDIS_PASSWORD_FILE)')
    .option('--queue <name>', 'the BullMQ queue (default vmcraft-migrate)');
}

/** The queue and its Redis connection as the flags give them. */
export function queueOptions(flags: RedisFlags): QueueOptions {
  const connection: RedisConnection = { ...(flags.redis ? { url: flags.redis } : {}), ...(flags.redisPasswordFile ? { passwordFile: flags.redisPasswordFile } : {}) };
  return { connection, ...(flags.queue ? { queue: flags.queue } : {}) };
}

function wholeNumber(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new VmcraftError('EINVAL', `Expected ${flag} to be a whole number ≥ 1, got \`${text}\``);
  return n;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** One human line of a VM's status. */
export function statusLine(s: VmQueueStatus, width: number): string {
  const name = s.vm.padEnd(width);
  const tries = `try ${s.attempts.made + (s.state === 'active' ? 1 : 0)} of ${s.attempts.max}`;
  switch (s.state) {
    case 'active': {
      const p = s.progress;
      const where = p ? `on ${p.host}:${p.pid}` : '';
      const stage = p?.stage ? ` ${p.stage}${p.percent !== undefined ? ` ${p.percent}%` : ''}` : '';
      return `${name}  active   ${where}${stage} (${tries})`;
    }
    case 'done':
      return `${name}  done     ${s.result?.reportFile ?? ''}${s.result ? ` (${s.result.host}, ${seconds(s.result.durationMs)})` : ''}`;
    case 'failed':
      return `${name}  failed   ${s.error ? `${s.error.code}: ${s.error.message.split('\n')[0]}` : ''} (${s.attempts.made} of ${s.attempts.max} tries)`;
    default:
      return `${name}  waiting${s.state === 'delayed' ? ' for a retry' : ''}${s.error ? ` (last try: ${s.error.code}: ${s.error.message.split('\n')[0]})` : ''}`;
  }
}

function statusText(list: VmQueueStatus[]): string {
  const width = Math.max(2, ...list.map((s) => s.vm.length));
  const count = (state: string) => list.filter((s) => s.state === state || (state === 'waiting' && s.state === 'delayed')).length;
  return [...list.map((s) => statusLine(s, width)), `${list.length} VM(s): ${count('waiting')} waiting, ${count('active')} active, ${count('done')} done, ${count('failed')} failed`].join('\n');
}

function workerLine(e: WorkerEvent): string | undefined {
  switch (e.type) {
    case 'job-start':
      return `${e.vm}: started (try ${e.attempt})`;
    case 'pipeline':
      return e.event.type === 'stage-end' ? `${e.event.vm}: ${e.event.stage} ${e.event.status}` : e.event.type === 'note' ? `${e.event.vm}: ${e.event.stage}: ${e.event.message}` : undefined;
    case 'job-end':
      return `${e.vm}: ${e.outcome}${e.error ? ` — ${e.error.code}: ${e.error.message.split('\n')[0]}` : ''}${e.outcome === 'done' && e.reportFile ? ` — ${e.reportFile}` : ''}`;
    case 'error':
      return `worker: ${e.message}`;
  }
}

async function watchStatus(io: ShellIo, options: QueueOptions, json: boolean, everySec: number): Promise<void> {
  const terminal = process.stdout.isTTY && !json;
  for (;;) {
    const list = await pipelineStatus(options);
    if (json) io.out(JSON.stringify({ time: new Date().toISOString(), vms: list }));
    else io.out(`${terminal ? '\x1b[H\x1b[2J' : ''}${statusText(list)}${terminal ? '' : '\n'}`);
    const finished = list.every((s) => s.state === 'done' || s.state === 'failed');
    if (finished || interruption.aborted) {
      process.exitCode = list.some((s) => s.state === 'failed') ? 1 : 0;
      return;
    }
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, everySec * 1000);
      interruption.addEventListener('abort', () => (clearTimeout(timer), resolve(undefined)), { once: true });
    });
  }
}

/** Adds `pipeline enqueue|status|retry|cancel` to the `pipeline` command, and `worker` to the program. */
export function addQueueCommands(program: Command, io: ShellIo): void {
  const pipeline = program.commands.find((c) => c.name() === 'pipeline');
  if (!pipeline) throw new Error('addQueueCommands: add the pipeline command first');

  addRedisOptions(pipeline
    .command('enqueue')
    .description('put one job per VM on the queue for workers on any host (the same VMs with the same inputs are not added twice)')
    .argument('<configs...>', 'YAML files, merged in order')
    .option('--json', 'print what was added as JSON'))
    .action(async (files: string[], opts: RedisFlags & { json?: boolean }) => {
      const result = await enqueuePipeline(await loadPipelineConfig(files), queueOptions(opts));
      if (opts.json) return io.out(JSON.stringify(result, null, 2));
      for (const a of result.added) io.out(`${a.vm}: added (job ${a.jobId})`);
      for (const e of result.existing) io.out(`${e.vm}: already on the queue, ${e.state} (job ${e.jobId})`);
    });

  addRedisOptions(pipeline
    .command('status')
    .description('where each VM of the queue stands: waiting, active (host, stage, percent), done (report), failed (code and message)')
    .option('--json', 'print the status as JSON (one object a poll with --watch)')
    .option('--watch [seconds]', 'poll until every VM is done or failed (exit 1 if one failed); every 2 s unless given'))
    .action(async (opts: RedisFlags & { json?: boolean; watch?: string | boolean }) => {
      const options = queueOptions(opts);
      if (opts.watch !== undefined) {
        commandReportsInterruption();
        return watchStatus(io, options, opts.json ?? false, opts.watch === true ? 2 : wholeNumber(opts.watch as string, '--watch'));
      }
      const list = await pipelineStatus(options);
      io.out(opts.json ? JSON.stringify(list, null, 2) : statusText(list));
    });

  addRedisOptions(pipeline
    .command('retry')
    .description('try a failed VM again (its tries start afresh), or run a done one again')
    .argument('<vm>', 'the VM\'s name'))
    .action(async (vm: string, opts: RedisFlags) => {
      const { jobId } = await retryVm(vm, queueOptions(opts));
      io.out(`${vm}: waiting again (job ${jobId})`);
    });

  addRedisOptions(pipeline
    .command('cancel')
    .description('call a VM off: removed when waiting; stopped by its worker when running (finished stages stay recorded)')
    .argument('<vm>', 'the VM\'s name'))
    .action(async (vm: string, opts: RedisFlags) => {
      const { was } = await cancelVm(vm, queueOptions(opts));
      io.out(was === 'active' ? `${vm}: its worker is asked to stop it` : `${vm}: removed from the queue`);
    });

  addModeOptions(addRedisOptions(program
    .command('worker')
    .description('run queued migration jobs on this host until SIGTERM (which gives the running VMs back to the queue, their finished stages recorded)')
    .option('--concurrency <n>', 'VMs at once on this host (default 1)')
    .option('--lock-duration <seconds>', 'a worker silent this long is taken as dead and its job given to another (default 30)')
    .option('--json', 'print the worker\'s events as JSON lines on stdout')))
    .action(async (opts: RedisFlags & { concurrency?: string; lockDuration?: string; json?: boolean }) => {
      commandReportsInterruption();
      const flags = outputFlags();
      const say = (text: string) => void (!opts.json && !flags.quiet && io.err(text));
      say(`worker ${os.hostname()}:${process.pid} starting on queue ${opts.queue ?? DEFAULT_QUEUE} (SIGTERM or Ctrl-C to stop)`);
      const worker = await startWorker({
        ...queueOptions(opts),
        ...(opts.concurrency ? { concurrency: wholeNumber(opts.concurrency, '--concurrency') } : {}),
        ...(opts.lockDuration ? { lockDurationMs: wholeNumber(opts.lockDuration, '--lock-duration') * 1000 } : {}),
        ...(requestedMode() ? { mode: requestedMode()! } : {}),
        signal: interruption,
        ...(flags.verbose || flags.trace ? { onTrace: reportCommand } : {}),
        onEvent: (e) => {
          if (opts.json) return io.out(JSON.stringify(e));
          if (flags.trace) return traceEvent('worker', { ...e });
          const line = flags.quiet ? undefined : workerLine(e);
          if (line) io.err(line);
        },
      });
      await worker.closed;
      say(`worker ${worker.host} stopped`);
      process.exitCode = 0;
    });
}
