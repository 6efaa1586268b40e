/** The crypttab(5) parser. */

/** One crypttab line: the mapping name and the device it opens. */
export interface CrypttabEntry {
  /** Mapping name (`/dev/mapper/<name>`). */
  name: string;
  /** Encrypted device: `UUID=…`, `PARTUUID=…`, `/dev/sda3`, `/dev/disk/by-uuid/…`. */
  source: string;
  /** Key file, or `none`. */
  keyFile: string;
  options: string[];
}

/**
 * Parses /etc/crypttab:
 * ```
 * # <target name> <source device> <key file> <options>
 * sda3_crypt UUID=6f0f… none luks,discard
 * ```
 */
export function parseCrypttab(text: string): CrypttabEntry[] {
  return text.split(/\r?\n/).flatMap((raw) => {
    const fields = raw.replace(/#.*$/, '').trim().split(/\s+/).filter(Boolean);
    if (fields.length < 2) return [];
    const [name, source, keyFile = 'none', options = ''] = fields as [string, string, ...string[]];
    return [{ name, source, keyFile, options: options ? options.split(',') : [] }];
  });
}
