/** KEY=VALUE files: os-release (shell quoting), lsb-release, sysconfig. */

/** Removes shell quoting from a value: "a \"b\"" → a "b", 'c' → c, \$ escapes in double quotes. */
export function shellUnquote(value: string): string {
  const v = value.trim();
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) return v.slice(1, -1);
  if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) return v.slice(1, -1).replace(/\\([\\"$`])/g, '$1');
  return v.replace(/\\(.)/g, '$1');
}

/**
 * Parses KEY=VALUE lines, skipping comments and blank lines; later keys win.
 * ```
 * # os-release
 * NAME="Debian GNU/Linux"
 * VERSION_ID="12"
 * ID=debian
 * ```
 */
export function parseKeyValue(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (match) values[match[1]!] = shellUnquote(match[2]!);
  }
  return values;
}

/** Major and minor from the first `N.M` (or bare `N`) in a string, libguestfs style. */
export function parseMajorMinor(text: string): { major: number; minor: number } | undefined {
  const both = /(\d+)\.(\d+)/.exec(text);
  if (both) return { major: Number(both[1]), minor: Number(both[2]) };
  const major = /(\d+)/.exec(text);
  return major ? { major: Number(major[1]), minor: 0 } : undefined;
}
