/**
 * `vmcraft dashboard [--redis URL] [--queue Q] [--listen HOST:PORT] [--token T]`:
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
import { addRedisOptions, queueOptions, type RedisFlags } from './queue.js';
import { outputFlags } from './output.js';
import type { ShellIo } from './shell.js';

/** Adds `dashboard` to the program. */
export function addDashboardCommand(program: Command, io: ShellIo): void {
  addRedisOptions(program
    .command('dashboard')
    .description('serve a web page of a migration queue: bull-board, and per VM its state, host, stage, percent, report and error (docs/scale-out.md)'))
    .option('--listen <host:port>', 'where to listen; an address other than loopback needs a token', '127.0.0.1:3000')
    .option('--token <token>', 'every request must carry it (Authorization: Bearer, or ?token= once); default $VMCRAFT_DASHBOARD_TOKEN')
    .action(async (opts: RedisFlags & { listen: string; token?: string }) => {
      const token = opts.token ?? (process.env.VMCRAFT_DASHBOARD_TOKEN || undefined);
      const { connection, queue = DEFAULT_QUEUE } = queueOptions(opts);
      const dashboard = await startDashboard({
        redis: connection ?? {},
        queue,
        listen: parseListen(opts.listen),
        ...(token ? { token } : {}),
        onError: (message) => outputFlags().quiet || io.err(`warn: ${message}`),
      });
      io.out(`vmcraft dashboard: ${dashboard.url} (queue ${queue} on ${dashboard.redis}; per VM: ${dashboard.url}vms)${token ? '; every request needs the token' : ''}`);
      await new Promise((resolve) => (interruption.aborted ? resolve(undefined) : interruption.addEventListener('abort', resolve, { once: true })));
      await dashboard.close();
    });
}
