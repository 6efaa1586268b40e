/**
 * Teardown records: the commands that release what a session set up (the
 * storage layers': close a LUKS mapping, deactivate a VG, stop an array),
 * pushed on the session's cleanup stack and also written to the session's
 * work directory, so that if the process dies without cleaning up, the next
 * launch can run them (attach/reaper.ts).
 */
import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CleanupEntry, CleanupStack } from './cleanup.js';
import type { Runner } from './exec.js';

/** The file in a work directory that lists the teardown commands, oldest first, one JSON object per line. */
const TEARDOWN_FILE = 'teardown.jsonl';

/** One recorded teardown command. */
export interface TeardownCommand {
  file: string;
  args: string[];
  env?: Record<string, string>;
}

/** Records `command` in `workDir` and pushes it on the cleanup stack as `label`; returns its entry. */
export async function pushTeardown(ctx: { cleanup: CleanupStack; runner: Runner; workDir: string }, label: string, command: TeardownCommand): Promise<CleanupEntry> {
  await appendFile(path.join(ctx.workDir, TEARDOWN_FILE), `${JSON.stringify(command)}\n`);
  return ctx.cleanup.push(label, () => runTeardown(command, ctx.runner));
}

/** Runs one teardown command. */
export async function runTeardown(command: TeardownCommand, runner: Runner): Promise<void> {
  await runner.run(command.file, command.args, command.env ? { env: command.env } : {});
}

/** The teardown commands recorded in `workDir`, newest first (the order to run them in). */
export async function recordedTeardowns(workDir: string): Promise<TeardownCommand[]> {
  const text = await readFile(path.join(workDir, TEARDOWN_FILE), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as TeardownCommand).reverse();
}
