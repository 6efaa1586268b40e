/**
 * The calls of a VM-mode session: each call of the API table that does I/O
 * (every asynchronous one) goes to the agent in the VM; host-path arguments
 * are staged through the session's share — a file the call reads is copied
 * in before, a file it writes is copied out after (as this process, so it
 * gets the owner and mode a host-mode call would give it, never a link or a
 * special file the VM made).
 */
import { constants } from 'node:fs';
import { chown, cp, mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { VmcraftError } from '../core/errors.js';
import type { ApiEntry } from '../api/entry.js';
import type { RemoteSession } from '../api/session.js';
import { GUEST_SHARE, type VmConnection } from './launch.js';

/** A host file a call writes: where the VM writes it, where it goes after. */
export interface Outgoing {
  staged: string;
  target: string;
}

/** Copies a file the VM wrote in the share to `target`: a regular file only, read without following links. */
export async function deliver({ staged, target }: Outgoing): Promise<void> {
  const source = await open(staged, constants.O_RDONLY | constants.O_NOFOLLOW).catch((err: NodeJS.ErrnoException) => {
    throw new VmcraftError('EVM', `the VM did not leave a file for ${target} (${err.code})`, { path: target });
  });
  try {
    if (!(await source.stat()).isFile()) throw new VmcraftError('EVM', `the VM left something other than a file for ${target}`, { path: target });
    await pipeline(source.createReadStream(), createWriteStream(target));
  } finally {
    await source.close().catch(() => undefined);
  }
}

/** An error of the VM that names staged paths, naming the caller's host paths instead. */
function inHostTerms(err: VmcraftError, renamed: readonly [string, string][]): VmcraftError {
  const swap = (text: string) => renamed.reduce((t, [guest, host]) => t.split(guest).join(host), text);
  return new VmcraftError(err.code, swap(err.message), {
    ...(err.path !== undefined ? { path: swap(err.path) } : {}),
    ...(err.command ? { command: err.command } : {}),
    ...(err.feature ? { feature: err.feature } : {}),
  });
}

/** The calls of one VM-mode session, sent to its agent. */
export class VmRemote implements RemoteSession {
  #staged = 0;

  constructor(private readonly vm: VmConnection, private readonly share: string) {}

  async call(entry: ApiEntry, args: readonly unknown[]): Promise<unknown> {
    const dir = path.join(this.share, `call${++this.#staged}`);
    const outgoing: Outgoing[] = [];
    /** Staged paths and the host paths they stand for, for errors. */
    const renamed: [string, string][] = [];
    let made = false;
    const stage = async (name: string): Promise<{ host: string; guest: string }> => {
      if (!made) {
        await mkdir(dir, { mode: 0o700 });
        if (this.vm.shareOwner) await chown(dir, this.vm.shareOwner.uid, this.vm.shareOwner.gid);
      }
      made = true;
      return { host: path.join(dir, name), guest: path.posix.join(GUEST_SHARE, path.basename(dir), name) };
    };
    try {
      const sent = await Promise.all(args.map(async (value, i) => {
        const spec = entry.args[i];
        if (typeof value !== 'string' || (spec?.kind !== 'hostPathIn' && spec?.kind !== 'hostPathOut')) return value;
        const { host, guest } = await stage(`arg${i}`);
        // A file that is not there is not staged: the call in the VM then fails on it as it fails here.
        if (spec.kind === 'hostPathIn') {
          await cp(value, host, { recursive: true, dereference: true }).catch((err: NodeJS.ErrnoException) => {
            if (err.code !== 'ENOENT') throw new VmcraftError(err.code === 'EACCES' ? 'EACCES' : 'EIO', `cannot read ${value}: ${err.message}`, { path: value });
          });
        } else outgoing.push({ staged: host, target: value });
        renamed.push([guest, value]);
        return guest;
      }));
      const signal = sent.flatMap((v) => (v && typeof v === 'object' ? Object.values(v) : [])).find((v): v is AbortSignal => v instanceof AbortSignal);
      let id = 0;
      const onAbort = () => this.vm.abort(id);
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const value = await this.vm.request({ t: 'call', name: entry.name, args: sent }, (n) => (id = n)).catch((err: unknown) => {
          throw renamed.length && err instanceof VmcraftError ? inHostTerms(err, renamed) : err;
        });
        for (const out of outgoing) await deliver(out);
        return value;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    } finally {
      if (made) await rm(dir, { recursive: true, force: true });
    }
  }
}
