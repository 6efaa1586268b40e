/** The hostname a Linux guest configures, from the files distros keep it in. */
import type { InspectFiles, Warn } from '../guest-files.js';
import { parseKeyValue } from '../parsers/key-value.js';

/** Longest hostname (RFC 1123: 253 characters); a longer value is not one. */
export const HOSTNAME_MAX = 253;

/** First non-empty, non-comment line of a file. */
function firstLine(text: string): string | undefined {
  return text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#'));
}

/**
 * /etc/HOSTNAME (old SUSE, Debian), /etc/hostname (Debian, RHEL 7+, most),
 * then /etc/sysconfig/network `HOSTNAME=` (older Red Hat), then Gentoo's
 * /etc/conf.d/hostname `hostname="…"`.
 */
export async function linuxHostname(files: InspectFiles, warn: Warn): Promise<string | undefined> {
  const sources: [string, (text: string) => string | undefined][] = [
    ['/etc/HOSTNAME', firstLine],
    ['/etc/hostname', firstLine],
    ['/etc/sysconfig/network', (text) => parseKeyValue(text).HOSTNAME],
    ['/etc/conf.d/hostname', (text) => parseKeyValue(text).hostname],
  ];
  for (const [file, parse] of sources) {
    const text = await files.readText(file);
    const name = text === undefined ? undefined : parse(text);
    if (name && name.length > HOSTNAME_MAX) warn(`${file} ignored: its hostname is longer than ${HOSTNAME_MAX} characters`);
    else if (name) return name;
  }
  return undefined;
}
