/** The vmcraft CLI from its sources, run as a user would, with TMPDIR in a scratch directory (so leftovers can be checked there). */
import path from 'node:path';
import { execa } from 'execa';

/** The CLI's entry point (run with `node --import tsx`). */
export const CLI = path.join(import.meta.dirname, '../../src/cli/main.ts');

/** What one CLI run printed and how it ended. */
export interface CliRun {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
}

/** A function that runs `vmcraft ARGS` (stdin from `input`, else none) with TMPDIR=`tmpDir()`; never rejects. */
export function cliRunner(tmpDir: () => string): (args: string[], input?: string) => Promise<CliRun> {
  return async (args, input) => {
    const r = await execa('node', ['--import', 'tsx', CLI, ...args], { reject: false, env: { TMPDIR: tmpDir() }, ...(input !== undefined ? { input } : { stdin: 'ignore' }) });
    return { exitCode: r.exitCode, stdout: String(r.stdout), stderr: String(r.stderr) };
  };
}
