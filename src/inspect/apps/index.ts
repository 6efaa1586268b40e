/**
 * libguestfs' `inspect_list_applications2`: the packages of an inspected
 * root, read from the mounted guest (deb, rpm, apk, pacman) or from what
 * inspection read in the registry (Windows), sorted by name.
 */
import { VmcraftError } from '../../core/errors.js';
import type { Runner } from '../../core/exec.js';
import type { FileContext } from '../../fs/files/context.js';
import { readHead } from '../../fs/files/read.js';
import { isType, ls } from '../../fs/files/stat.js';
import type { Application, OsInfo } from '../types.js';
import { sortApplications } from './application.js';
import { APK_INSTALLED, parseApkInstalled } from './apk.js';
import { DPKG_STATUS, parseDpkgStatus } from './deb.js';
import { PACMAN_LOCAL, parsePacmanDesc } from './pacman.js';
import { listRpmApplications } from './rpm.js';
import { windowsApplication } from './windows.js';

/** What listing needs from the session. */
export interface AppsContext {
  /** The mounted guest. */
  files: FileContext;
  runner: Runner;
  /** The session's private work directory (rpm reads its copy of the database there). */
  workDir: string;
  warn(message: string): void;
}

/** A guest file of at most `maxBytes`, as text; a larger one is `EINSPECT` (libguestfs refuses it too). */
async function boundedText(files: FileContext, file: { path: string; maxBytes: number }): Promise<string> {
  const bytes = await readHead(files, file.path, file.maxBytes + 1);
  if (bytes.length > file.maxBytes) throw new VmcraftError('EINSPECT', `${file.path} is larger than ${file.maxBytes} bytes: not read`, { path: file.path });
  return bytes.toString('utf8');
}

/** Parses a package database file, warning about the stanzas it had to leave out. */
async function fromStanzas(ctx: AppsContext, file: { path: string; maxBytes: number }, parse: (text: string) => { apps: Application[]; skipped: number }): Promise<Application[]> {
  const { apps, skipped } = parse(await boundedText(ctx.files, file));
  if (skipped) ctx.warn(`${file.path}: ${skipped} package entr${skipped === 1 ? 'y' : 'ies'} left out (no name or version, or an epoch that is not a number)`);
  return apps;
}

/** pacman: the desc file of each package directory; one that is missing, too big or incomplete is left out with a warning. */
async function pacmanApplications(ctx: AppsContext): Promise<Application[]> {
  const apps: Application[] = [];
  for (const entry of await ls(ctx.files, PACMAN_LOCAL.dir)) {
    const dir = `${PACMAN_LOCAL.dir}/${String(entry)}`;
    // As libguestfs: directories only (the database also holds ALPM_DB_VERSION), symlinks not followed.
    if (!(await isType(ctx.files, dir, 'directory', false))) continue;
    const desc = `${dir}/desc`;
    try {
      const app = parsePacmanDesc(await boundedText(ctx.files, { path: desc, maxBytes: PACMAN_LOCAL.maxBytes }));
      if (app) apps.push(app);
      else ctx.warn(`${desc} left out: no %NAME%, %VERSION% (with a release) or %ARCH%`);
    } catch (err) {
      if (!(err instanceof VmcraftError)) throw err;
      ctx.warn(`package left out: ${err.message}`);
    }
  }
  return apps;
}

/** The applications of an inspected root, sorted by name; an empty list for a package format libguestfs does not read. */
export async function listApplications(ctx: AppsContext, os: OsInfo): Promise<Application[]> {
  if (os.type === 'windows') return sortApplications((os.windows?.applications ?? []).map(windowsApplication));
  if (os.type !== 'linux' && os.type !== 'hurd') return [];
  switch (os.packageFormat) {
    case 'deb': return sortApplications(await fromStanzas(ctx, DPKG_STATUS, parseDpkgStatus));
    case 'apk': return sortApplications(await fromStanzas(ctx, APK_INSTALLED, parseApkInstalled));
    case 'pacman': return sortApplications(await pacmanApplications(ctx));
    case 'rpm': return sortApplications(await listRpmApplications(ctx.files, ctx.runner, ctx.workDir));
    default: return [];
  }
}
