/**
 * Installed packages from a dpkg status file (/var/lib/dpkg/status), as
 * libguestfs reads them (lib/inspect-apps.c, list_applications_deb).
 */
import type { Application } from '../types.js';
import { application, splitVersion } from './application.js';

/** Where dpkg keeps its status, and libguestfs' bound on it (MAX_DPKG_STATUS_SIZE): 50 MB. */
export const DPKG_STATUS = { path: '/var/lib/dpkg/status', maxBytes: 50 * 1000 * 1000 };

interface Stanza {
  name?: string;
  status?: string;
  version?: string;
  arch?: string;
  url?: string;
  source?: string;
  summary?: string;
  description?: string[];
}

/**
 * The installed packages of a status file's text, unsorted. A package counts
 * when the last word of its Status is `installed` (libguestfs searches the
 * text for `installed`, which also takes `half-installed` and
 * `not-installed`: those are left out here). A stanza without Package or
 * Version, or with an epoch that is not a number, is left out and counted in
 * `skipped`. Version is split at its first `:` and first `-` as libguestfs
 * does; Source is the name without its `(version)`; the Description's first
 * line is the summary, its continuation lines (first space dropped) the
 * description.
 */
export function parseDpkgStatus(text: string): { apps: Application[]; skipped: number } {
  const apps: Application[] = [];
  let skipped = 0;
  let stanza: Stanza = {};
  let inDescription = false;
  const flush = () => {
    const installed = stanza.status?.trim().split(/\s+/).pop() === 'installed';
    const version = stanza.version === undefined ? undefined : splitVersion(stanza.version);
    if (installed && (!stanza.name || !version)) skipped++;
    else if (installed && stanza.name && version) {
      apps.push(application({
        name: stanza.name, ...version, arch: stanza.arch ?? '', url: stanza.url ?? '', sourcePackage: stanza.source ?? '',
        summary: stanza.summary ?? '', description: stanza.description?.join('\n') ?? '',
      }));
    }
    stanza = {};
  };
  for (const line of text.split('\n')) {
    if (line === '') {
      flush();
      inDescription = false;
      continue;
    }
    if (inDescription && line.startsWith(' ')) {
      (stanza.description ??= []).push(line.slice(1));
      continue;
    }
    inDescription = false;
    const colon = line.indexOf(': ');
    if (colon < 0 || line.startsWith(' ')) continue;
    const value = line.slice(colon + 2);
    switch (line.slice(0, colon)) {
      case 'Package': stanza.name = value; break;
      case 'Status': stanza.status = value; break;
      case 'Version': stanza.version = value; break;
      case 'Architecture': stanza.arch = value; break;
      case 'Homepage': stanza.url = value; break;
      case 'Source': stanza.source = value.split(' ')[0]; break;
      case 'Description': stanza.summary = value; inDescription = true; break;
    }
  }
  flush();
  return { apps, skipped };
}
