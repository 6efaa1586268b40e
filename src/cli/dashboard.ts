/**
 * `vmcraft dashboard --redis URL [--queue Q] [--listen HOST:PORT] [--token T]`:
 * serves the migration queue's web page (src/scale/dashboard.ts) until
 * SIGINT/SIGTERM, then closes the server and Redis and dies of the signal.
 * The token comes from --token or VMCRAFT_DASHBOARD_TOKEN (the environment
 * keeps it out of `ps`); neither it nor the Redis password is ever printed.
 * Exit codes: 2 for bad usage (a non-loopback --listen without a token), 1
 * when Redis cannot be reached or the address cannot be taken.
 */
import type { Command } from 'commander';
import { DEFAULT_QUEUE } from '../scale/job.js';
import { parseListen } from '../scale/dashboard-auth.js';
import { startDashboard } from '../scale/dashboard.js';
import { interruption } from './interrupt.js';
import { outputFlags } from './output.js';
import type { ShellIo } from './shell.js';

/** Adds `dashboard` to the program. */
export function addDashboardCommand(program: Command, io: ShellIo): void {
  program
    .command('dashboard')
    .description('serve a web page of a migration queue: bull-board, and per VM its state, host, stage, percent, report and error (docs/scale-out.md)')
    .requiredOption('--redis <url>', 'the queue\'s Redis: redis://host:6379 or rediss:// (TLS); password from the URL, VMCRAFT_REDIS_PASSWORD or VMCRAFT_REDIS_PASSWORD_FILE')
    .option('--queue <name>', 'the queue', DEFAULT_QUEUE)
    .option('--listen <host:port>', 'where to listen; an address other than loopback needs a token', '127.0.0.1:3000')
    .option('--token <token>', 'every request must carry it (Authorization: Bearer, or ?token= once); default $VMCRAFT_DASHBOARD_TOKEN')
    .action(async (opts: { redis: string; queue: string; listen: string; token?: string }) => {
      const token = opts.token ?? (process.env.VMCRAFT_DASHBOARD_TOKEN || undefined);
      const dashboard = await startDashboard({
        redis: opts.redis,
        queue: opts.queue,
        listen: parseListen(opts.listen),
        ...(token ? { token } : {}),
        onError: (message) => outputFlags().quiet || io.err(`warn: ${message}`),
      });
      io.out(`vmcraft dashboard: ${dashboard.url} (queue ${opts.queue} on ${dashboard.redis}; per VM: ${dashboard.url}vms)${token ? '; every request needs the token' : ''}`);
      await new Promise((resolve) => (interruption.aborted ? resolve(undefined) : interruption.addEventListener('abort', resolve, { once: true })));
      await dashboard.close();
    });
}
