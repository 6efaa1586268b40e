/**
 * Installed packages from apk's database (/lib/apk/db/installed), as
 * libguestfs reads it (lib/inspect-apps.c, list_applications_apk).
 */
import type { Application } from '../types.js';
import { application, splitVersion } from './application.js';

/** Where apk keeps its database, and libguestfs' bound on it (MAX_APK_INSTALLED_SIZE): 50 MB. */
export const APK_INSTALLED = { path: '/lib/apk/db/installed', maxBytes: 50 * 1000 * 1000 };

/**
 * The packages of an apk `installed` file's text, unsorted: stanzas of
 * `X:value` lines separated by blank lines; P is the name, V the version
 * (`[epoch:]version-rRELEASE`, the release without its `r`), A the arch, U
 * the url, T the description. A stanza without P or V, or with an epoch that
 * is not a number, is left out and counted in `skipped`.
 */
export function parseApkInstalled(text: string): { apps: Application[]; skipped: number } {
  const apps: Application[] = [];
  let skipped = 0;
  let fields = new Map<string, string>();
  const flush = () => {
    if (fields.size === 0) return;
    const name = fields.get('P');
    const v = fields.get('V');
    const version = v === undefined ? undefined : splitVersion(v);
    if (!name || !version) skipped++;
    else {
      const release = version.release.startsWith('r') ? version.release.slice(1) : version.release;
      apps.push(application({ name, ...version, release, arch: fields.get('A') ?? '', url: fields.get('U') ?? '', description: fields.get('T') ?? '' }));
    }
    fields = new Map();
  };
  for (const line of text.split('\n')) {
    if (line === '') flush();
    else if (line[1] === ':') fields.set(line[0]!, line.slice(2));
  }
  flush();
  return { apps, skipped };
}
