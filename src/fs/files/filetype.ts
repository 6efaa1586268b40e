/**
 * What a guest file is (libguestfs `file`, `file_architecture`). file(1) never
 * gets a guest path: it reads a bounded copy of the file's first bytes on its
 * standard input, under an address-space and time limit, so a symlink,
 * device or FIFO in the guest cannot reach the host and a crafted file
 * cannot make libmagic run away.
 */
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { VmcraftError } from '../../core/errors.js';
import type { Runner } from '../../core/exec.js';
import { showPath, type GuestPath } from '../names.js';
import { runBounded } from './bounded.js';
import { elfOrPeArchitecture } from './headers.js';
import { guarded, runnerOf, withHost, type FileContext } from './context.js';
import { readAt } from './offset.js';
import { openRegularForRead } from './regular.js';
import { fileType } from './stat.js';
import type { GuestFileType } from './types.js';

/** How much of a file file(1) sees: its own default read limit (`-P bytes`). */
export const FILE_BYTES = 1024 * 1024;

/** What libguestfs answers for a path that is not a regular file (its daemon's words). */
const KIND_WORDS: Record<Exclude<GuestFileType, 'file'>, string> = {
  directory: 'directory', char: 'character device', block: 'block device', fifo: 'FIFO', symlink: 'symbolic link', socket: 'socket',
};

/**
 * What file(1) says of a guest path (libguestfs `file`: `file -zb`, the name
 * not shown); the path itself, a final symlink not followed: `directory`,
 * `symbolic link`, `FIFO`, `character device`, `block device`, `socket` for those.
 */
export async function fileDescription(ctx: FileContext, p: GuestPath, runner: Runner = runnerOf(ctx)): Promise<string> {
  return guarded(p, 'file', () => withHost(ctx, p, false, async (host) => {
    const info = await lstat(host);
    const kind = fileType(info);
    if (kind !== 'file') return KIND_WORDS[kind];
    return describe(runner, await openRegularForRead(host, 'file', p));
  }));
}

/** What file(1) says of a session device's content (libguestfs `file` on a `/dev/` name): its first MiB, as for a file. */
export async function deviceDescription(name: string, hostPath: string, runner: Runner): Promise<string> {
  return guarded(name, 'file', async () => describe(runner, await open(hostPath, 'r')));
}

/** file(1)'s words for the first {@link FILE_BYTES} of an opened file, which it closes. */
async function describe(runner: Runner, handle: FileHandle): Promise<string> {
  const head = await readAt(handle, FILE_BYTES, 0).finally(() => handle.close());
  return (await runBounded(runner, 'file', ['-zb', '-'], { input: head })).stdout.replace(/\n$/, '');
}

/**
 * The architecture of an ELF or PE binary (libguestfs `file_architecture`
 * names: `i386`, `x86_64`, `aarch64`, `arm`, `riscv64`, `ppc64le`…), read from its headers.
 *
 * @throws VmcraftError `EINVAL` for a file that is neither.
 */
export async function fileArchitecture(ctx: FileContext, p: GuestPath): Promise<string> {
  return guarded(p, 'fileArchitecture', () => withHost(ctx, p, true, async (host) => {
    const handle = await openRegularForRead(host, 'fileArchitecture', p);
    const head = await readAt(handle, 64 * 1024, 0).finally(() => handle.close());
    const arch = elfOrPeArchitecture(head);
    if (!arch) throw new VmcraftError('EINVAL', `fileArchitecture ${showPath(p)}: not an ELF or PE binary of a known architecture`, { path: showPath(p) });
    return arch;
  }));
}
