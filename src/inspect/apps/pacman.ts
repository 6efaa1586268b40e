/**
 * Installed packages from pacman's local database
 * (/var/lib/pacman/local/<name-version>/desc), as libguestfs reads it
 * (lib/inspect-apps.c, list_applications_pacman).
 */
import type { Application } from '../types.js';
import { application, splitVersion } from './application.js';

/** pacman's local database, and libguestfs' bound on one desc file: 8 KiB. */
export const PACMAN_LOCAL = { dir: '/var/lib/pacman/local', maxBytes: 8192 };

/**
 * The package of one desc file's text, or undefined when it lacks %NAME%,
 * %VERSION% (`[epoch:]version-release`, both parts non-empty) or %ARCH%:
 * `%KEY%` lines each followed by the value's first line.
 */
export function parsePacmanDesc(text: string): Application | undefined {
  const fields = new Map<string, string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length - 1; i++) {
    const key = /^%([A-Z]+)%$/.exec(lines[i]!)?.[1];
    if (key && lines[i + 1] !== '') fields.set(key, lines[++i]!);
  }
  const name = fields.get('NAME');
  const arch = fields.get('ARCH');
  const version = splitVersion(fields.get('VERSION') ?? '');
  if (!name || !arch || !version || version.version === '' || version.release === '') return undefined;
  return application({ name, ...version, arch, url: fields.get('URL') ?? '', description: fields.get('DESC') ?? '' });
}
