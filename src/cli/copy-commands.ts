/**
 * guestfish's `copy-in LOCALPATH… REMOTEDIR` and `copy-out REMOTEPATH… LOCALDIR`: several
 * sources in one command, each copied by the table's copyIn/copyOut (which take one). Every
 * source and the target are checked before the first copy, so a typo copies nothing.
 */
import { stat } from 'node:fs/promises';
import { a } from '../api/args.js';
import { VmcraftError } from '../core/errors.js';
import type { GuestFS } from '../guestfs.js';
import type { ShellCommand } from './commands.js';

/** The sources and the target of `words` (at least one source). */
function sourcesAndTarget(name: string, words: unknown, syntax: string): { sources: string[]; target: string } {
  const all = (words as string[] | undefined) ?? [];
  if (all.length < 2) throw new VmcraftError('EINVAL', `${name}: expected ${syntax}`);
  return { sources: all.slice(0, -1), target: all.at(-1)! };
}

async function copyIn(g: GuestFS, words: unknown): Promise<void> {
  const { sources, target } = sourcesAndTarget('copy-in', words, 'LOCALPATH… REMOTEDIR');
  if (!(await g.isDir(target, { followSymlinks: true }))) throw new VmcraftError('ENOTDIR', `copy-in: target '${target}' is not a directory in the guest`);
  for (const local of sources) if (!(await stat(local).catch(() => undefined))) throw new VmcraftError('ENOENT', `copy-in: ${local}: no such file or directory`);
  for (const local of sources) await g.copyIn(local, target);
}

async function copyOut(g: GuestFS, words: unknown): Promise<void> {
  const { sources, target } = sourcesAndTarget('copy-out', words, 'REMOTEPATH… LOCALDIR');
  if (!(await stat(target).catch(() => undefined))?.isDirectory()) throw new VmcraftError('ENOTDIR', `copy-out: target '${target}' is not a directory`);
  for (const remote of sources) if (!(await g.exists(remote))) throw new VmcraftError('ENOENT', `copy-out: ${remote}: no such file or directory in the guest`);
  for (const remote of sources) await g.copyOut(remote, target);
}

/** `copy-in` and `copy-out` with several sources (they win over the table's one-source commands). */
export const COPY_COMMANDS: ShellCommand[] = [
  {
    name: 'copy-in',
    summary: 'copy host files or directories into a guest directory: copy-in LOCALPATH… REMOTEDIR',
    doc: 'Each LOCALPATH (a file, a symlink — copied as a link — or a whole tree) lands as REMOTEDIR/<its name>, with owners, modes and times kept (copyIn, libguestfs copy_in). REMOTEDIR must exist; every LOCALPATH is checked before the first is copied.',
    args: [a.stringList('paths', { doc: 'the host paths, then the guest directory' })],
    run: async (g, [words]) => copyIn(g, words),
  },
  {
    name: 'copy-out',
    summary: 'copy guest files or directories into a host directory: copy-out REMOTEPATH… LOCALDIR',
    doc: 'Each REMOTEPATH lands as LOCALDIR/<its name>, symlinks as links, device nodes left out (copyOut, libguestfs copy_out). LOCALDIR must exist; every REMOTEPATH is checked before the first is copied.',
    args: [a.stringList('paths', { doc: 'the guest paths, then the host directory' })],
    run: async (g, [words]) => copyOut(g, words),
  },
];
