/** The vmcraft CLI from its sources, run as a user would, with TMPDIR in a scratch directory (so leftovers can be checked there). */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

const REPO = path.join(import.meta.dirname, '../..');

/** The built CLI (dist/cli.js), as users get it. */
export const BUILT_CLI = path.join(REPO, 'dist/cli.js');

/** Newest modification time of the .ts files under `root`. */
async function newestSource(root: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts')) newest = Math.max(newest, (await stat(path.join(entry.parentPath, entry.name))).mtimeMs);
  }
  return newest;
}

/**
 * Throws unless dist/cli.js exists and is newer than the sources under each
 * of `sources` (e.g. `src/cli`): a test of an older build would test old code.
 */
export async function assertBuiltCliFresh(sources: string[]): Promise<void> {
  const built = await stat(BUILT_CLI).catch(() => undefined);
  if (!built) throw new Error(`${BUILT_CLI} is missing: run \`npm run build\` first (scripts/test.sh does)`);
  for (const sub of sources) {
    if (built.mtimeMs < (await newestSource(path.join(REPO, sub)))) throw new Error(`${BUILT_CLI} is older than ${sub}/: run \`npm run build\` first`);
  }
}

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
