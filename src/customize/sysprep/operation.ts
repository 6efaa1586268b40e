/**
 * What a sysprep operation is (a name, whether virt-sysprep runs it by default, its heading,
 * and a run step over the guest) and the few guest edits operations make, recorded for the
 * report and only recorded in a dry run. Every edit goes through the guest-path calls, which
 * keep paths (symlinks and `..` included) inside the guest.
 */
import type { GuestTarget } from '../../guest-target.js';
import type { GuestStat } from '../../fs/files/types.js';
import type { OsInfo } from '../../inspect/types.js';

/** The guest calls the operations use. */
export interface SysprepTarget extends GuestTarget {
  find(dir: string): Promise<string[]>;
  lstat(path: string): Promise<GuestStat>;
  touch(path: string): Promise<void>;
  realpath(path: string): Promise<string>;
  runFirstBoot(script: string, name?: string): Promise<string>;
}

/** What the operations need to know of the guest (from its inspection). */
export type SysprepOs = Pick<OsInfo, 'type' | 'distro' | 'packageFormat' | 'packageManagement'>;

/** What one operation did (or, in a dry run, would do). */
export interface SysprepOperationReport {
  /** The operation's name (`logfiles`). */
  name: string;
  /** Guest paths removed (a directory with everything in it). */
  removed: string[];
  /** Files truncated to zero length. */
  emptied: string[];
  /** Files written, created or edited. */
  changed: string[];
}

/** What `GuestFS.sysprep` did (or `sysprepPlan` would do): per operation, and every path of them all. */
export interface SysprepReport {
  /** Nothing was written: what would be done. */
  dryRun: boolean;
  /** The operations run, in the order run. */
  operations: SysprepOperationReport[];
  /** Every path removed, of all operations. */
  removed: string[];
  /** Every file emptied, of all operations. */
  emptied: string[];
  /** Every file written, created or edited, of all operations. */
  changed: string[];
  /** What could not be done as wished (the CA store update left to the first boot). */
  warnings: string[];
}

/** Options of the operations that take some (virt-sysprep's extra arguments). */
export interface SysprepOperationOptions {
  /** user-account: remove only these users (all users by default). */
  removeUserAccounts?: string[];
  /** user-account: keep these users. */
  keepUserAccounts?: string[];
}

/** What a run step gets. */
export interface OpContext {
  os: SysprepOs;
  edit: GuestEdits;
  options: SysprepOperationOptions;
}

/** One operation of the table. */
export interface SysprepOperation {
  /** virt-sysprep's name. */
  name: string;
  /** virt-sysprep runs it without `--operations`/`--enable`. */
  enabledByDefault: boolean;
  /** virt-sysprep's heading (what `--list-operations` prints). */
  heading: string;
  /** Runs after the others (virt-sysprep's `order`; `customize` is last). */
  order?: number;
  run(t: SysprepTarget, ctx: OpContext): Promise<void>;
}

/** Families whose network settings live in ifcfg files (virt-sysprep's list). */
export const REDHAT_FAMILY = ['fedora', 'rhel', 'centos', 'scientificlinux', 'oraclelinux', 'redhat-based'];

/** Whether `os` is Linux of the Red Hat family. */
export const isRedhat = (os: SysprepOs): boolean => os.type === 'linux' && REDHAT_FAMILY.includes(os.distro);

/** Whether `os` is Linux of the Debian family. */
export const isDebian = (os: SysprepOs): boolean => os.type === 'linux' && ['debian', 'ubuntu', 'kalilinux'].includes(os.distro);

const isMissing = (err: unknown) => ['ENOENT', 'ENOTDIR'].includes((err as { code?: string }).code ?? '');

/** The guest edits of one operation: each is recorded, and done unless it is a dry run. */
export class GuestEdits {
  readonly report: SysprepOperationReport;
  /** An operation removed a CA certificate: the guest's CA store must be rebuilt. */
  caStoreChanged = false;

  /**
   * @param gone - a dry run's removals so far (shared by the operations of one run), so that
   *   later steps see the guest as the real run would: what is removed is not emptied too.
   */
  constructor(private readonly t: SysprepTarget, readonly dryRun: boolean, name: string, private readonly gone = new Set<string>()) {
    this.report = { name, removed: [], emptied: [], changed: [] };
  }

  /** Where `path` itself is in the guest: its directory resolved (`/var/spool/mail/x` is `/var/mail/x` on Debian), not its last component. */
  async #where(path: string): Promise<string> {
    const i = path.lastIndexOf('/');
    const dir = await this.t.realpath(path.slice(0, i) || '/').catch(() => path.slice(0, i));
    return `${dir === '/' ? '' : dir}${path.slice(i)}`;
  }

  /** In a dry run: whether `path` or a directory above it was removed already. */
  async #removed(path: string): Promise<boolean> {
    for (let p = await this.#where(path); p.length > 1; p = p.slice(0, p.lastIndexOf('/')) || '/') if (this.gone.has(p)) return true;
    return false;
  }

  async #remove(path: string): Promise<void> {
    if (this.dryRun) this.gone.add(await this.#where(path));
    this.report.removed.push(path);
  }

  /** The guest paths matching `pattern` (directories without a trailing `/`). */
  glob(pattern: string): Promise<string[]> {
    return this.t.globExpand(pattern, { directorySlash: false });
  }

  /** What `path` itself is (never a symlink's target); undefined when there is nothing there. */
  async kind(path: string): Promise<GuestStat['type'] | undefined> {
    if (this.dryRun && (await this.#removed(path))) return undefined;
    try {
      return (await this.t.lstat(path)).type;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  /** Removes `path` and everything below it (a symlink itself, never its target); nothing when absent. */
  async rmRf(path: string): Promise<void> {
    if (!(await this.kind(path))) return;
    if (!this.dryRun) await this.t.rmRf(path);
    await this.#remove(path);
  }

  /** Removes `path` unless it is a directory (libguestfs `rm` with its error ignored, as virt-sysprep does). */
  async rm(path: string): Promise<boolean> {
    const kind = await this.kind(path);
    if (!kind || kind === 'directory') return false;
    if (!this.dryRun) await this.t.rm(path);
    await this.#remove(path);
    return true;
  }

  /** {@link rmRf} of every match of each pattern. */
  async rmRfGlobs(patterns: readonly string[]): Promise<void> {
    for (const pattern of patterns) for (const path of await this.glob(pattern)) await this.rmRf(path);
  }

  /** {@link rm} of every match of each pattern (directories are left). */
  async rmGlobs(patterns: readonly string[], except: readonly string[] = []): Promise<void> {
    for (const pattern of patterns) for (const path of await this.glob(pattern)) if (!except.includes(path)) await this.rm(path);
  }

  /** Removes the regular files anywhere below `dir`, keeping its directories (and the files `keep` says). */
  async rmOnlyFiles(dir: string, keep: (path: string) => boolean = () => false): Promise<void> {
    if (!(await this.t.isDir(dir))) return;
    for (const name of await this.t.find(dir)) {
      const path = `${dir}/${name}`;
      if (!keep(path) && (await this.kind(path)) === 'file') await this.rm(path);
    }
  }

  /** Empties a regular file (a symlink is left alone); false when there is none. */
  async truncate(path: string): Promise<boolean> {
    if ((await this.kind(path)) !== 'file') return false;
    if (!this.dryRun) await this.t.truncate(path, 0);
    this.report.emptied.push(path);
    return true;
  }

  /** Writes `content` to `path`. */
  async write(path: string, content: string): Promise<void> {
    if (!this.dryRun) await this.t.write(path, content);
    this.report.changed.push(path);
  }

  /** Creates `path` (empty) or updates its times; false when its directory is missing. */
  async touch(path: string): Promise<boolean> {
    const parent = path.slice(0, path.lastIndexOf('/')) || '/';
    if (!(await this.t.isDir(parent, { followSymlinks: true }))) return false;
    if (!this.dryRun) await this.t.touch(path);
    this.report.changed.push(path);
    return true;
  }
}
