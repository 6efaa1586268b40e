/** The hostname a Linux guest configures, from the files distros keep it in. */
import type { GuestReader } from '../types.js';
import { parseKeyValue } from '../parsers/key-value.js';

/** First non-empty, non-comment line of a file. */
function firstLine(text: string | undefined): string | undefined {
  return text?.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#'));
}

/**
 * /etc/HOSTNAME (old SUSE, Debian), /etc/hostname (Debian, RHEL 7+, most),
 * then /etc/sysconfig/network `HOSTNAME=` (older Red Hat), then Gentoo's
 * /etc/conf.d/hostname `hostname="…"`.
 */
export async function linuxHostname(reader: GuestReader): Promise<string | undefined> {
  for (const file of ['/etc/HOSTNAME', '/etc/hostname']) {
    const name = firstLine(await reader.readText(file));
    if (name) return name;
  }
  const network = await reader.readText('/etc/sysconfig/network');
  if (network && parseKeyValue(network).HOSTNAME) return parseKeyValue(network).HOSTNAME;
  const gentoo = await reader.readText('/etc/conf.d/hostname');
  return gentoo ? parseKeyValue(gentoo).hostname || undefined : undefined;
}
