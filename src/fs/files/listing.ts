/** Listings as text and NUL-separated files: libguestfs `ll` and `find0`. */
import { stat, writeFile } from 'node:fs/promises';
import type { Runner } from '../../core/exec.js';
import { showPath, type GuestPath } from '../names.js';
import { errnoError, guarded, runnerOf, runTool, toolPath, withHost, type FileContext } from './context.js';
import { find } from './search.js';

/**
 * `ls -la` of a guest directory as text (libguestfs `ll`). Owners are shown
 * as numbers (`-n`): the host's user names would name the host's users, not
 * the guest's. ls lists entries with lstat and never follows a symlink below the directory.
 */
export async function ll(ctx: FileContext, dir: GuestPath, runner: Runner = runnerOf(ctx)): Promise<string> {
  return guarded(dir, 'll', () => withHost(ctx, dir, true, async (host) => {
    if (!(await stat(host)).isDirectory()) throw errnoError('ENOTDIR', 'not a directory');
    // ls names no directory when given one: the host path never shows in the text.
    return runTool(ctx, dir, 'll', ['env', 'LC_ALL=C', 'ls', '-lan', '--', toolPath(host, dir, 'll')], runner);
  }));
}

/**
 * Every name below a guest directory, relative to it, each followed by a NUL
 * byte, written to the caller's host file (libguestfs `find0`); names keep their raw bytes.
 */
export async function find0(ctx: FileContext, dir: GuestPath, hostFile: string): Promise<void> {
  const names = (await find(ctx, dir, { encoding: 'buffer' })) as Buffer[];
  const nul = Buffer.of(0);
  await guarded(hostFile, `find0 ${showPath(dir)} to`, () => writeFile(hostFile, Buffer.concat(names.flatMap((name) => [name, nul]))));
}
