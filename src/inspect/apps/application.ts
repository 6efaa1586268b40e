/** Building and ordering {@link Application} records, shared by every package format. */
import type { Application } from '../types.js';

/** An application with every field not given empty (`epoch` 0), as libguestfs' add_application fills them. */
export function application(fields: Partial<Application> & Pick<Application, 'name'>): Application {
  return {
    displayName: '', epoch: 0, version: '', release: '', arch: '', installPath: '', transPath: '', publisher: '',
    url: '', sourcePackage: '', summary: '', description: '', class: '', ...fields,
  };
}

/** Sorted by name as libguestfs sorts them (strcmp: by bytes, so `Z` before `a`); equal names keep their order. */
export function sortApplications(apps: Application[]): Application[] {
  const bytes = (s: string) => Buffer.from(s, 'utf8');
  return apps.sort((a, b) => Buffer.compare(bytes(a.name), bytes(b.name)));
}

/**
 * A `[epoch:]version[-release]` string split as libguestfs splits deb, apk
 * and pacman versions: the epoch before the first `:`, the release after the
 * first `-` of the rest. Undefined when the epoch is not an unsigned number
 * (libguestfs then drops the package).
 */
export function splitVersion(text: string): { epoch: number; version: string; release: string } | undefined {
  const colon = text.indexOf(':');
  const epochText = colon < 0 ? '0' : text.slice(0, colon);
  if (!/^\d{1,9}$/.test(epochText)) return undefined;
  const rest = colon < 0 ? text : text.slice(colon + 1);
  const dash = rest.indexOf('-');
  return { epoch: Number(epochText), version: dash < 0 ? rest : rest.slice(0, dash), release: dash < 0 ? '' : rest.slice(dash + 1) };
}
