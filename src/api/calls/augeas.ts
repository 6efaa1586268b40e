/**
 * libguestfs' Augeas calls (`aug_init`, `aug_get`, … `aug_save`) over the
 * real Augeas (augtool), which works on staged copies of the guest's config
 * files, never on the guest mount (see src/augeas/stage.ts). As in
 * libguestfs, one handle is open per session; changes reach the guest only
 * with `augSave`, the one call a read-only session refuses.
 */
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CleanupEntry } from '../../core/cleanup.js';
import { VmcraftError } from '../../core/errors.js';
import { guarded, withHost } from '../../fs/files/context.js';
import { AugeasHandle, checkFlags } from '../../augeas/handle.js';
import { a } from '../args.js';
import { defineCall, type Guest } from '../entry.js';
import { perSession } from '../session-state.js';

const v = '0.2.0';

interface AugeasState {
  handle?: AugeasHandle;
  entry?: CleanupEntry;
  opened: number;
}

/** The Augeas state of each session. */
const state = perSession<AugeasState>(() => ({ opened: 0 }));

/** The open handle; libguestfs' error when there is none. */
function handle(g: Guest): AugeasHandle {
  g.assertLaunched();
  const h = state(g).handle;
  if (!h) throw new VmcraftError('EINVAL', "no Augeas handle: call augInit (aug_init) first");
  return h;
}

async function augClose(g: Guest): Promise<void> {
  handle(g);
  const s = state(g);
  const entry = s.entry!;
  s.handle = undefined;
  s.entry = undefined;
  await g.cleanup.releaseOne(entry);
}

async function augInit(g: Guest, root: string, flags: number): Promise<void> {
  g.assertLaunched();
  checkFlags(flags);
  if (state(g).handle) await augClose(g);
  const ctx = g.fileContext();
  const guestRoot = await guarded(root, 'augInit', () => withHost(ctx, root, true, async (host, resolved) => {
    if (!(await stat(host)).isDirectory()) throw new VmcraftError('ENOTDIR', `augInit: ${root} is not a directory`, { path: root });
    return resolved.guestPath;
  }));
  const s = state(g);
  const dir = path.join(g.workDir, `augeas-${++s.opened}`);
  let opened: AugeasHandle | undefined;
  // Pushed before augtool starts, so that a session closed meanwhile still ends it.
  const entry = g.cleanup.push(`augtool for ${guestRoot}`, () => (opened ? opened.close() : rm(dir, { recursive: true, force: true })));
  try {
    opened = await AugeasHandle.open({ ctx, runner: g.runner, guestRoot, dir, flags, warn: (message) => g.warn(message) });
  } catch (err) {
    await g.cleanup.releaseOne(entry);
    throw err;
  }
  s.handle = opened;
  s.entry = entry;
}

const augpath = a.string('augpath', { doc: 'an Augeas path expression (`/files/etc/fstab/1/spec`)' });

/** The calls of this module, in table order. */
export const AUGEAS_CALLS = [
  defineCall({
    name: 'augInit', libguestfs: 'aug_init', group: 'augeas', since: v,
    summary: 'create a new Augeas handle',
    doc: [
      'Opens Augeas on the mounted guest with `root` (a guest directory, normally `/`) as its root, closing the handle',
      'open before. `flags` are augeas.h\'s, as in libguestfs: 1 `AUG_SAVE_BACKUP` (keep `.augsave` copies), 2 `AUG_SAVE_NEWFILE`',
      '(write `.augnew` files instead), 4 `AUG_TYPE_CHECK`, 8 `AUG_NO_STDINC`, 16 `AUG_SAVE_NOOP`, 32 `AUG_NO_LOAD` (call',
      '{@link GuestFS.augLoad} later), 64 `AUG_NO_MODL_AUTOLOAD`, 128 `AUG_ENABLE_SPAN`, 256 `AUG_NO_ERR_CLOSE`.',
      '',
      "Augeas never sees the guest mount: the guest files its lenses include are found in the guest (symlinks resolve inside",
      "it) and copied, when they are regular files of at most 16 MiB, into a private directory of the session where one augtool",
      'process works until {@link GuestFS.augClose} or the end of the session. Changes stay there until {@link GuestFS.augSave}.',
    ].join('\n'),
    args: [a.guestPath('root', { ts: 'string', doc: 'guest directory Augeas sees as `/`' }), a.int('flags', { doc: 'sum of AUG_* flags; 0 for the defaults' })],
    returns: 'void', ts: 'Promise<void>',
    impl: (g, root, flags) => augInit(g, root, flags),
  }),
  defineCall({
    name: 'augClose', libguestfs: 'aug_close', group: 'augeas', since: v,
    summary: 'close the current Augeas handle',
    doc: 'Ends augtool and drops the staged files with unsaved changes. Closing the session does it too.',
    args: [], returns: 'void', ts: 'Promise<void>',
    impl: (g) => augClose(g),
  }),
  defineCall({
    name: 'augDefvar', libguestfs: 'aug_defvar', group: 'augeas', since: v,
    summary: 'define an Augeas variable',
    doc: [
      'Defines the variable `name` as the value of `expr`; `null` undefines it (augtool cannot undefine: the variable is bound',
      'to an empty node set instead). @returns how many nodes it holds, 0 when `expr` is not a node set',
    ].join('\n'),
    args: [a.string('name'), a.string('expr', { nullable: true, ts: 'string | null', doc: 'an Augeas expression, or null to undefine' })],
    returns: 'int', ts: 'Promise<number>',
    impl: (g, name, expr) => handle(g).defvar(name, expr),
  }),
  defineCall({
    name: 'augDefnode', libguestfs: 'aug_defnode', group: 'augeas', since: v,
    summary: 'define an Augeas node',
    doc: 'Defines the variable `name` as the node set of `expr`; when it is empty, a node is created first, as {@link GuestFS.augSet} `expr` `val` would. @returns libguestfs\' `int_bool`: `i` nodes in the set, `b` 1 when a node was created',
    args: [a.string('name'), a.string('expr'), a.string('val')],
    returns: 'struct', ts: 'Promise<AugIntBool>',
    impl: (g, name, expr, val) => handle(g).defnode(name, expr, val),
  }),
  defineCall({
    name: 'augGet', libguestfs: 'aug_get', group: 'augeas', since: v,
    summary: 'look up the value of an Augeas path',
    doc: 'The value of the one node `augpath` matches: `ENOENT` when it matches none, `EAUGEAS` when it matches several or the node has no value.',
    args: [augpath], returns: 'string', ts: 'Promise<string>',
    impl: (g, p) => handle(g).get(p),
  }),
  defineCall({
    name: 'augSet', libguestfs: 'aug_set', group: 'augeas', since: v,
    summary: 'set Augeas path to value',
    doc: 'Sets the value of the node `augpath` matches, creating it when it matches none. The change is in memory until {@link GuestFS.augSave}, so a read-only session may make it. A value cannot hold control characters other than tab and line break (augtool reads its commands through readline): `EINVAL`.',
    args: [augpath, a.string('val')], returns: 'void', ts: 'Promise<void>',
    impl: (g, p, val) => handle(g).set(p, val),
  }),
  defineCall({
    name: 'augSetm', libguestfs: 'aug_setm', group: 'augeas', since: v,
    summary: 'set multiple Augeas nodes',
    doc: 'Sets the node `sub` (a path relative to each base node; `null` or `.` for the base node itself) below every node `base` matches to `val`, creating it where it is missing. @returns how many nodes were set',
    args: [a.string('base'), a.string('sub', { nullable: true, ts: 'string | null', doc: 'relative path below each base node, or null' }), a.string('val')],
    returns: 'int', ts: 'Promise<number>',
    impl: (g, base, sub, val) => handle(g).setm(base, sub, val),
  }),
  defineCall({
    name: 'augLabel', libguestfs: 'aug_label', group: 'augeas', since: v,
    summary: 'return the label from an Augeas path expression',
    doc: 'The label (name) of the one node `augpath` matches: `ENOENT` when it matches none, `EAUGEAS` when it matches several.',
    args: [augpath], returns: 'string', ts: 'Promise<string>',
    impl: (g, p) => handle(g).label(p),
  }),
  defineCall({
    name: 'augInsert', libguestfs: 'aug_insert', group: 'augeas', since: v,
    summary: 'insert a sibling Augeas node',
    doc: 'Creates a node `label` beside the one node `augpath` matches: before it when `before` is true, else after it.',
    args: [augpath, a.string('label'), a.bool('before')], returns: 'void', ts: 'Promise<void>',
    impl: (g, p, label, before) => handle(g).insert(p, label, before),
  }),
  defineCall({
    name: 'augClear', libguestfs: 'aug_clear', group: 'augeas', since: v,
    summary: 'clear Augeas path',
    doc: 'Sets the value of the node `augpath` matches to nothing (NULL), creating it when it matches none.',
    args: [augpath], returns: 'void', ts: 'Promise<void>',
    impl: (g, p) => handle(g).set(p, null),
  }),
  defineCall({
    name: 'augRm', libguestfs: 'aug_rm', group: 'augeas', since: v,
    summary: 'remove an Augeas path',
    doc: 'Removes every node `augpath` matches and everything below them. @returns how many nodes were removed',
    args: [augpath], returns: 'int', ts: 'Promise<number>',
    impl: (g, p) => handle(g).rm(p),
  }),
  defineCall({
    name: 'augMv', libguestfs: 'aug_mv', group: 'augeas', since: v,
    summary: 'move Augeas node',
    doc: 'Moves the one node `src` matches (with what is below it) to `dest`, which must match one node or none.',
    args: [a.string('src'), a.string('dest')], returns: 'void', ts: 'Promise<void>',
    impl: (g, src, dest) => handle(g).mv(src, dest),
  }),
  defineCall({
    name: 'augMatch', libguestfs: 'aug_match', group: 'augeas', since: v,
    summary: 'return Augeas nodes which match augpath',
    doc: 'The paths of every node `augpath` matches, in tree order; `[]` when none does.',
    args: [augpath], returns: 'stringList', ts: 'Promise<string[]>',
    impl: (g, p) => handle(g).match(p),
  }),
  defineCall({
    name: 'augSave', libguestfs: 'aug_save', group: 'augeas', since: v, writes: true,
    summary: 'write all pending Augeas changes to disk',
    doc: [
      'Augeas saves the changed files (as `augInit`\'s flags say: in place, with `.augsave` backups, or as `.augnew` files) into',
      'its private copy; each file it wrote is then written into the guest (an existing file keeps its mode and owner, a symlink',
      'is followed inside the guest), and each file whose whole tree was removed is deleted. Refused in a read-only session',
      '(`EREADONLY`); `EAUGEAS` when Augeas cannot save (a value its lens cannot write).',
      '@returns the guest files written and removed (libguestfs returns nothing)',
    ].join('\n'),
    args: [], returns: 'struct', ts: 'Promise<AugSaveResult>',
    impl: (g) => handle(g).save(),
  }),
  defineCall({
    name: 'augLoad', libguestfs: 'aug_load', group: 'augeas', since: v,
    summary: 'load files into the tree',
    doc: 'Copies the guest files the transforms include (again: they may have changed, or {@link GuestFS.augTransform} changed the list) and loads them into the tree.',
    args: [], returns: 'void', ts: 'Promise<void>',
    impl: (g) => handle(g).load(),
  }),
  defineCall({
    name: 'augLs', libguestfs: 'aug_ls', group: 'augeas', since: v,
    summary: 'list Augeas nodes under augpath',
    doc: 'The paths of the children of `augpath` (`augMatch(augpath + "/*")`), sorted. A path ending in `/`, `]` or `*` is `EINVAL`, as in libguestfs.',
    args: [augpath], returns: 'stringList', ts: 'Promise<string[]>',
    impl: async (g, p) => {
      const h = handle(g);
      if (p.length > 1 && /[/\]*]$/.test(p)) throw new VmcraftError('EINVAL', "augLs: don't use aug-ls with a path that ends with / ] *");
      return (await h.match(p === '/' ? '/*' : `${p}/*`)).sort();
    },
  }),
  defineCall({
    name: 'augTransform', libguestfs: 'aug_transform', group: 'augeas', since: v,
    summary: 'add/remove an Augeas lens transformation',
    doc: 'Makes `lens` (`Hosts.lns`, `Fstab.lns`…) load `file` (a guest path or glob, below augInit\'s root), or with `remove: true` no longer load it. It takes effect at the next {@link GuestFS.augLoad}.',
    args: [
      a.string('lens'),
      a.string('file', { doc: 'guest path or glob of the files' }),
      a.options('options', [a.bool('remove', { doc: 'exclude the file instead of including it', defaultText: 'false' })], { ts: 'AugTransformOptions' }),
    ],
    returns: 'void', ts: 'Promise<void>',
    impl: (g, lens, file, options) => handle(g).transform(lens, file, options?.remove ?? false),
  }),
];
