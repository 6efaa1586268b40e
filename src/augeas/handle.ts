/**
 * An Augeas handle over a guest, with libguestfs' `aug_*` semantics: one
 * augtool process working on a private staging root (see stage.ts), never on
 * the guest mount. The process lives until {@link AugeasHandle.close}; the
 * session's cleanup stack closes it with the session.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { VmcraftError } from '../core/errors.js';
import type { Runner } from '../core/exec.js';
import type { FileContext } from '../fs/files/context.js';
import type { AugIntBool, AugSaveResult } from './types.js';
import { Augtool, quoteArg as q } from './augtool.js';
import { stageChanges, stageFiles, writeBack, type StagedFiles } from './stage.js';

/** augeas.h's `aug_init` flags, as libguestfs documents them for `aug_init`. */
export const AUG_FLAGS = {
  SAVE_BACKUP: 1,
  SAVE_NEWFILE: 2,
  TYPE_CHECK: 4,
  NO_STDINC: 8,
  SAVE_NOOP: 16,
  NO_LOAD: 32,
  NO_MODL_AUTOLOAD: 64,
  ENABLE_SPAN: 128,
  NO_ERR_CLOSE: 256,
} as const;

/** The augtool options of the flags that have one. */
const FLAG_OPTIONS: [number, string][] = [
  [AUG_FLAGS.SAVE_BACKUP, '--backup'],
  [AUG_FLAGS.SAVE_NEWFILE, '--new'],
  [AUG_FLAGS.TYPE_CHECK, '--typecheck'],
  [AUG_FLAGS.NO_STDINC, '--nostdinc'],
  [AUG_FLAGS.NO_MODL_AUTOLOAD, '--noautoload'],
  [AUG_FLAGS.ENABLE_SPAN, '--span'],
];

const ALL_FLAGS = Object.values(AUG_FLAGS).reduce((acc, f) => acc | f, 0);

/** What a handle needs from its session. */
export interface AugeasSetup {
  ctx: FileContext;
  runner: Runner;
  /** The guest directory Augeas sees as `/`, resolved inside the guest. */
  guestRoot: string;
  /** A fresh host directory of the session's work directory, removed on close. */
  dir: string;
  flags: number;
  warn(message: string): void;
}

/** `PATH = VALUE` lines of augtool's `match`, as paths (a line of a value holding a line break may look like one too). */
function matchedPaths(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('/'))
    .map((line) => {
      const at = line.indexOf(' = ');
      return at < 0 ? line : line.slice(0, at);
    });
}

/** The number in augtool's `count` answer (`  3 matches`, `  no matches`). */
function countOf(output: string, what: string): number {
  if (/^\s*no matches\s*$/.test(output)) return 0;
  const found = /^\s*(\d+) match(es)?\s*$/.exec(output);
  if (!found) throw new VmcraftError('EAUGEAS', `${what}: unexpected augtool answer ${JSON.stringify(output.slice(0, 200))}`);
  return Number(found[1]);
}

/** Checks augInit's flags: an integer made of the known bits. */
export function checkFlags(flags: number): void {
  if (!Number.isInteger(flags) || flags < 0 || (flags & ~ALL_FLAGS) !== 0) {
    throw new VmcraftError('EINVAL', `augInit: unknown flags ${flags} (known: ${Object.entries(AUG_FLAGS).map(([k, v]) => `${v} AUG_${k}`).join(', ')})`);
  }
}

/** One Augeas handle (libguestfs keeps one per session). */
export class AugeasHandle {
  #staged: StagedFiles = new Map();

  private constructor(
    private readonly setup: AugeasSetup,
    private readonly tool: Augtool,
  ) {}

  /** Where augtool works: only staged copies, never the guest mount. */
  get #stagingRoot(): string {
    return path.join(this.setup.dir, 'root');
  }

  /** Starts augtool on an empty staging root, stages what its lenses include, and loads it (unless `AUG_NO_LOAD`). */
  static async open(setup: AugeasSetup): Promise<AugeasHandle> {
    checkFlags(setup.flags);
    const staging = path.join(setup.dir, 'root');
    await mkdir(staging, { recursive: true, mode: 0o700 });
    const options = FLAG_OPTIONS.filter(([bit]) => setup.flags & bit).map(([, option]) => option);
    const tool = await Augtool.start(setup.runner, ['--root', staging, '--noload', ...options]);
    const handle = new AugeasHandle(setup, tool);
    try {
      if (setup.flags & AUG_FLAGS.SAVE_NOOP) await tool.command('set /augeas/save noop', 'augInit');
      if (setup.flags & AUG_FLAGS.NO_LOAD) await handle.#stage();
      else await handle.load();
      return handle;
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** Copies the guest files the transforms include (`/augeas/load/*\/incl`) into the staging root. */
  async #stage(): Promise<void> {
    const incl = await this.tool.command('match /augeas/load/*/incl', 'augLoad');
    const patterns = incl.split('\n').flatMap((line) => {
      const at = line.indexOf(' = ');
      return at < 0 ? [] : [line.slice(at + 3)];
    });
    this.#staged = await stageFiles(this.setup.ctx, this.setup.guestRoot, patterns, this.#stagingRoot, this.setup.warn);
  }

  /** `aug_load`: stages the guest files again (they may have changed) and loads them. */
  async load(): Promise<void> {
    await this.#stage();
    // Augeas skips a file whose mtime it has seen; a guest file changed within the same second keeps it.
    await this.tool.command('rm /augeas/files//mtime', 'augLoad');
    await this.tool.command('load', 'augLoad');
  }

  /** `aug_get`: the value of the one node `augpath` matches. */
  async get(augpath: string): Promise<string> {
    return this.#single('get', 'augGet', augpath, 'no matching node');
  }

  /** `aug_label`: the label of the one node `augpath` matches. */
  async label(augpath: string): Promise<string> {
    return this.#single('label', 'augLabel', augpath, 'no matching nodes found');
  }

  /** An augtool command that answers `PATH = TEXT` for one node (`PATH (o)` for none, `PATH (none)` for a NULL value). */
  async #single(command: string, call: string, augpath: string, none: string): Promise<string> {
    const what = `${call} ${augpath}`;
    const out = await this.tool.command(`${command} ${q(augpath)}`, what);
    if (out === `${augpath} (o)\n`) throw new VmcraftError('ENOENT', `${what}: ${none}`, { path: augpath });
    if (out === `${augpath} (none)\n`) throw new VmcraftError('EAUGEAS', `${what}: Augeas returned NULL match (the node has no value)`, { path: augpath });
    const prefix = `${augpath} = `;
    if (!out.startsWith(prefix) || !out.endsWith('\n')) throw new VmcraftError('EAUGEAS', `${what}: unexpected augtool answer ${JSON.stringify(out.slice(0, 200))}`);
    return out.slice(prefix.length, -1);
  }

  /** `aug_set` (a null value is `aug_clear`). */
  async set(augpath: string, value: string | null): Promise<void> {
    await this.tool.command(value === null ? `clear ${q(augpath)}` : `set ${q(augpath)} ${q(value)}`, `${value === null ? 'augClear' : 'augSet'} ${augpath}`);
  }

  /** `aug_insert`: a sibling node `label` before or after the one node `augpath` matches. */
  async insert(augpath: string, label: string, before: boolean): Promise<void> {
    await this.tool.command(`ins ${q(label)} ${before ? 'before' : 'after'} ${q(augpath)}`, `augInsert ${augpath}`);
  }

  /** `aug_rm`: removes the matching nodes and what is below them; how many nodes were removed. */
  async rm(augpath: string): Promise<number> {
    const out = await this.tool.command(`rm ${q(augpath)}`, `augRm ${augpath}`);
    const count = /(\d+)\s*$/.exec(out);
    if (!count) throw new VmcraftError('EAUGEAS', `augRm ${augpath}: unexpected augtool answer ${JSON.stringify(out.slice(0, 200))}`);
    return Number(count[1]);
  }

  /** `aug_mv`: moves the one node `src` matches to `dest`. */
  async mv(src: string, dest: string): Promise<void> {
    await this.tool.command(`mv ${q(src)} ${q(dest)}`, `augMv ${src} ${dest}`);
  }

  /**
   * `aug_match`: the paths of the nodes an expression matches, in tree order.
   * augtool prints each with its value; when a value's lines look like
   * matches too, the count tells, and the answer is `EAUGEAS` rather than wrong.
   */
  async match(augpath: string): Promise<string[]> {
    const what = `augMatch ${augpath}`;
    const paths = matchedPaths(await this.tool.command(`match ${q(augpath)}`, what));
    const count = await this.count(augpath, what);
    if (paths.length !== count) throw new VmcraftError('EAUGEAS', `${what}: a matched node's value holds a line break and a path-like line, so augtool's answer cannot be read`);
    return paths;
  }

  /** How many nodes an expression matches. */
  async count(augpath: string, what = `count ${augpath}`): Promise<number> {
    return countOf(await this.tool.command(`count ${q(augpath)}`, what), what);
  }

  /** How many nodes a variable holds; 0 when its value is not a node set. */
  async #count(variable: string): Promise<number> {
    return this.count(`$${variable}`).catch(() => 0);
  }

  /** `aug_setm`: sets `sub` (null: the node itself) below every node `base` matches; how many nodes were set. */
  async setm(base: string, sub: string | null, value: string): Promise<number> {
    const what = `augSetm ${base}`;
    await this.tool.command(`setm ${q(base)} ${q(sub ?? '.')} ${q(value)}`, what);
    return this.count(sub === null || sub === '.' ? base : `${base}/${sub}`, what);
  }

  /**
   * `aug_defvar`: defines (or with a null expression undefines) a variable;
   * how many nodes it holds. augtool cannot undefine one: it is bound to an
   * empty node set instead, which matches nothing as an undefined one would.
   */
  async defvar(name: string, expr: string | null): Promise<number> {
    await this.tool.command(`defvar ${q(name)} ${q(expr ?? '/*[1 = 0]')}`, `augDefvar ${name}`);
    return expr === null ? 0 : this.#count(name);
  }

  /** `aug_defnode`: a variable for `expr`, creating a node with `value` when it matches nothing. */
  async defnode(name: string, expr: string, value: string): Promise<AugIntBool> {
    const before = await this.count(expr, `augDefnode ${name}`);
    await this.tool.command(`defnode ${q(name)} ${q(expr)} ${q(value)}`, `augDefnode ${name}`);
    return { i: await this.#count(name), b: before === 0 ? 1 : 0 };
  }

  /** `aug_transform`: includes (or excludes) `file` for `lens`; takes effect at the next load. */
  async transform(lens: string, file: string, remove: boolean): Promise<void> {
    await this.tool.command(`transform ${q(lens)} ${remove ? 'excl' : 'incl'} ${q(file)}`, `augTransform ${lens}`);
  }

  /** `aug_save`: saves the changed files into the staging root and writes them back into the guest. */
  async save(): Promise<AugSaveResult> {
    await this.tool.command('save', 'augSave');
    const changes = await stageChanges(this.#stagingRoot, this.#staged);
    return writeBack(this.setup.ctx, this.setup.guestRoot, this.#stagingRoot, this.#staged, changes);
  }

  /** `aug_close`: ends augtool and removes the staging root. */
  async close(): Promise<void> {
    try {
      await this.tool.close();
    } finally {
      await rm(this.setup.dir, { recursive: true, force: true });
    }
  }
}
