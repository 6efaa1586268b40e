/**
 * Lines of guest files: `head`/`tail` (libguestfs `head_n`/`tail_n`, with
 * their meaning of a negative count) and the `grep` family. Lines are split on
 * `\n` only and a final line ending adds no empty line, as libguestfs splits a
 * command's output. grep gets the opened file as `/proc/<pid>/fd/<n>`, never
 * a guest path: it reads exactly the regular file that was checked.
 */
import type { FileHandle } from 'node:fs/promises';
import { VmcraftError } from '../../core/errors.js';
import type { Runner } from '../../core/exec.js';
import { fdPath } from '../cursor.js';
import type { GuestPath } from '../names.js';
import { runBounded } from './bounded.js';
import { guarded, runnerOf, withHost, type FileContext } from './context.js';
import { STREAM_CHUNK } from './read.js';
import { openRegularForRead } from './regular.js';

/** Runs `fn` on an opened regular guest file (symlinks followed inside the guest). */
async function withOpened<T>(ctx: FileContext, p: GuestPath, operation: string, fn: (handle: FileHandle) => Promise<T>): Promise<T> {
  return guarded(p, operation, () => withHost(ctx, p, true, async (file) => {
    const handle = await openRegularForRead(file, operation, p);
    try {
      return await fn(handle);
    } finally {
      await handle.close();
    }
  }));
}

/** The lines of an opened file, streamed; `stop` returning true ends the reading early. */
async function eachLine(handle: FileHandle, onLine: (line: string) => boolean | void): Promise<void> {
  let pending: Buffer[] = [];
  for await (const chunk of handle.createReadStream({ start: 0, highWaterMark: STREAM_CHUNK }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, start)) {
      const line = Buffer.concat([...pending, chunk.subarray(start, at)]).toString('utf8');
      pending = [];
      start = at + 1;
      if (onLine(line)) return;
    }
    if (start < chunk.length) pending.push(chunk.subarray(start));
  }
  if (pending.length > 0) onLine(Buffer.concat(pending).toString('utf8'));
}

/**
 * The first `n` lines; with a negative `n` every line but the last `-n`;
 * none for 0 (libguestfs `head_n`).
 */
export async function headN(ctx: FileContext, n: number, p: GuestPath): Promise<string[]> {
  if (n === 0) return [];
  return withOpened(ctx, p, 'headN', async (handle) => {
    const out: string[] = [];
    await eachLine(handle, (line) => {
      out.push(line);
      return n > 0 && out.length >= n;
    });
    return n > 0 ? out : out.slice(0, Math.max(0, out.length + n));
  });
}

/**
 * The last `n` lines; with a negative `n` the lines from line `-n` (counted
 * from 1) on, as `tail -n +N`; none for 0 (libguestfs `tail_n`).
 */
export async function tailN(ctx: FileContext, n: number, p: GuestPath): Promise<string[]> {
  if (n === 0) return [];
  return withOpened(ctx, p, 'tailN', async (handle) => {
    const out: string[] = [];
    let seen = 0;
    await eachLine(handle, (line) => {
      seen++;
      if (n < 0) {
        if (seen >= -n) out.push(line);
        return;
      }
      out.push(line);
      if (out.length > n) out.shift();
    });
    return out;
  });
}

/** Options of `GuestFS.grep` (libguestfs `grep` optargs). */
export interface GrepOptions {
  /** The regex is an extended one (`grep -E`). */
  extended?: boolean;
  /** The regex is a fixed string (`grep -F`). */
  fixed?: boolean;
  /** Case is ignored (`-i`). */
  insensitive?: boolean;
  /** The file may be compressed (`zgrep`). */
  compressed?: boolean;
}

/** grep's time limit: it reads the whole file. */
const GREP_TIMEOUT_MS = 600_000;

/**
 * The lines of a guest file matching `regex` (libguestfs `grep`): an empty
 * list when none does. The host's grep (or zgrep) reads the opened file
 * under an address-space limit (see bounded.ts).
 */
export async function grep(ctx: FileContext, regex: string, p: GuestPath, options: GrepOptions = {}, runner: Runner = runnerOf(ctx)): Promise<string[]> {
  if (options.extended && options.fixed) throw new VmcraftError('EINVAL', "grep: the options 'extended' and 'fixed' cannot be used together");
  const flags = [...(options.extended ? ['-E'] : []), ...(options.fixed ? ['-F'] : []), ...(options.insensitive ? ['-i'] : [])];
  return withOpened(ctx, p, 'grep', async (handle) => {
    const tool = options.compressed ? 'zgrep' : 'grep';
    const result = await runBounded(runner, tool, [...flags, '-e', regex, '--', fdPath(handle.fd).toString()], { okExitCodes: [0, 1], timeoutMs: GREP_TIMEOUT_MS, env: { LC_ALL: 'C.UTF-8' } });
    if (result.exitCode === 1) return [];
    return result.stdout === '' ? [] : result.stdout.replace(/\n$/, '').split('\n');
  });
}
