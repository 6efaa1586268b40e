/**
 * Installed packages from a guest's rpm database, read with the HOST's rpm
 * (never the guest's binaries) on a private copy of the database in the
 * session's work directory: the image is never written, and rpm never opens
 * a guest path. The database is the guest's and may be hostile: the copy is
 * bounded, and rpm runs under prlimit (address space, file size, no core)
 * and a time limit that grow with the database.
 *
 * The fields are those libguestfs' librpm code takes (daemon/rpm-c.c):
 * NAME, EPOCH (0 when none), VERSION, RELEASE, ARCH, URL, SUMMARY and
 * DESCRIPTION, each as rpm formats it (`(none)` for a missing string tag).
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { VmcraftError } from '../../core/errors.js';
import type { Runner } from '../../core/exec.js';
import { toolMissingMessage } from '../../core/tool-packages.js';
import { download } from '../../fs/files/read.js';
import { isType, statPath } from '../../fs/files/stat.js';
import type { FileContext } from '../../fs/files/context.js';
import type { Application } from '../types.js';
import { application } from './application.js';

const MIB = 1024 * 1024;

/** Where rpm keeps its database: Fedora ≥ 36 and friends, then the traditional place (often a symlink to the first). */
export const RPMDB_DIRS = ['/usr/lib/sysimage/rpm', '/var/lib/rpm'];

/** The database files rpm reads, by backend (never bdb's `__db.*` environment, locks or sqlite's shared-memory file). */
const DB_FILES = { sqlite: ['rpmdb.sqlite', 'rpmdb.sqlite-wal'], bdb: ['Packages'], ndb: ['Packages.db', 'Index.db'] };

/** The bound on the database copied: 512 MiB (a Fedora workstation's is about 100 MiB). */
export const RPMDB_MAX_BYTES = 512 * MIB;

let copies = 0;

/** The limits of one rpm run on a database of `bytes`: 512 MiB + 4 × bytes of address space, files up to 2 × bytes + 64 MiB, 60 s + 1 s per MiB. */
export function rpmBounds(bytes: number): { addressSpace: number; fileSize: number; timeoutMs: number } {
  return { addressSpace: 512 * MIB + 4 * bytes, fileSize: 64 * MIB + 2 * bytes, timeoutMs: 60_000 + Math.ceil(bytes / MIB) * 1000 };
}

/** The query format: every field shell-quoted (a string cannot end its quote), one package a line. */
const FIELDS = ['NAME', 'EPOCHNUM', 'VERSION', 'RELEASE', 'ARCH', 'URL', 'SUMMARY', 'DESCRIPTION'] as const;
export const RPM_QUERY_FORMAT = `${FIELDS.map((f) => `%{${f}:shescape}`).join(' ')}\\n`;

/** The guest's rpm database directory and its backend, or undefined when it has none. */
async function findDatabase(ctx: FileContext): Promise<{ dir: string; backend: keyof typeof DB_FILES } | undefined> {
  for (const dir of RPMDB_DIRS) {
    for (const backend of Object.keys(DB_FILES) as (keyof typeof DB_FILES)[]) {
      if (await isType(ctx, `${dir}/${DB_FILES[backend][0]}`, 'file')) return { dir, backend };
    }
  }
  return undefined;
}

/**
 * Copies the guest's database files into `copyDir` (bounded by
 * {@link RPMDB_MAX_BYTES} in all) and returns their size in bytes.
 */
async function copyDatabase(ctx: FileContext, db: { dir: string; backend: keyof typeof DB_FILES }, copyDir: string): Promise<number> {
  let total = 0;
  for (const name of DB_FILES[db.backend]) {
    const guestFile = `${db.dir}/${name}`;
    if (!(await isType(ctx, guestFile, 'file'))) continue;
    total += (await statPath(ctx, guestFile, true)).size;
    if (total > RPMDB_MAX_BYTES) throw new VmcraftError('EINSPECT', `the rpm database in ${db.dir} is larger than ${RPMDB_MAX_BYTES / MIB} MiB: not read`, { path: db.dir });
    await download(ctx, guestFile, path.join(copyDir, name));
  }
  return total;
}

/**
 * Splits rpm's output in the {@link RPM_QUERY_FORMAT}: `'…'` words (with
 * `'\''` for a quote) or bare words (a number, `(none)`), separated by
 * spaces, one package a line. Undefined when the text is not in that form.
 */
export function parseRpmQuery(text: string): string[][] | undefined {
  const rows: string[][] = [];
  let row: string[] = [];
  const word = /'((?:[^']|'\\'')*)'|([^\s']+)/y;
  for (let i = 0; i < text.length;) {
    word.lastIndex = i;
    const m = word.exec(text);
    if (!m) return undefined;
    row.push(m[1] !== undefined ? m[1].split("'\\''").join("'") : m[2]!);
    i = word.lastIndex;
    if (text[i] === ' ') i++;
    else if (text[i] === '\n') {
      rows.push(row);
      row = [];
      i++;
    } else return undefined;
  }
  return row.length ? undefined : rows;
}

/** The packages of rpm's output: one application a row of {@link FIELDS}. */
function toApplications(text: string, dbDir: string): Application[] {
  const rows = parseRpmQuery(text);
  const bad = rows === undefined ? 0 : rows.findIndex((r) => r.length !== FIELDS.length || !/^\d+$/.test(r[1]!));
  if (!rows || bad >= 0) throw new VmcraftError('EINSPECT', `rpm's listing of the database in ${dbDir} is not in the form asked for${rows ? ` (package ${bad + 1})` : ''}: the database is corrupt or hostile`, { path: dbDir });
  return rows.map(([name, epoch, version, release, arch, url, summary, description]) =>
    application({ name: name!, epoch: Number(epoch), version: version!, release: release!, arch: arch!, url: url!, summary: summary!, description: description! }));
}

/** Runs rpm on the copy under its bounds; a run stopped by a bound or failing is `EINSPECT`, rpm missing `ETOOLMISSING`. */
async function queryCopy(runner: Runner, copyDir: string, bytes: number, dbDir: string): Promise<string> {
  const bounds = rpmBounds(bytes);
  const argv = [`--as=${bounds.addressSpace}`, `--fsize=${bounds.fileSize}`, '--core=0', '--', 'rpm', '--dbpath', copyDir, '--nodigest', '--nosignature', '-qa', '--qf', RPM_QUERY_FORMAT];
  try {
    return (await runner.run('prlimit', argv, { binary: true, timeoutMs: bounds.timeoutMs, env: { LC_ALL: 'C.UTF-8' } })).stdout.toString('utf8');
  } catch (err) {
    if (!(err instanceof VmcraftError) || !err.command) throw err;
    if (err.code === 'ECOMMAND' && err.command.exitCode === 127 && /failed to execute rpm/.test(err.command.stderr)) throw new VmcraftError('ETOOLMISSING', toolMissingMessage('rpm'), { cause: err });
    const stderr = err.command.stderr.split(copyDir).join(dbDir);
    const why = err.code === 'ETIMEOUT' ? `did not finish within ${bounds.timeoutMs / 1000} s` : err.command.signal ? `was killed by ${err.command.signal}` : `failed: ${stderr.split('\n')[0]}`;
    throw new VmcraftError('EINSPECT', `rpm reading the database in ${dbDir} ${why}: the database is corrupt or hostile`, { cause: err, path: dbDir });
  }
}

/**
 * The packages of the guest's rpm database, unsorted. No database is
 * `ENOENT`; an ndb database (openSUSE), which the host's rpm may not read,
 * is tried like the others and fails with `EINSPECT` then.
 */
export async function listRpmApplications(ctx: FileContext, runner: Runner, workDir: string): Promise<Application[]> {
  const db = await findDatabase(ctx);
  if (!db) throw new VmcraftError('ENOENT', `no rpm database in ${RPMDB_DIRS.join(' or ')}`);
  const copyDir = path.join(workDir, `rpmdb${copies++}`);
  await mkdir(copyDir, { mode: 0o700 });
  try {
    const bytes = await copyDatabase(ctx, db, copyDir);
    return toApplications(await queryCopy(runner, copyDir, bytes, db.dir), db.dir);
  } finally {
    await rm(copyDir, { recursive: true, force: true });
  }
}
