/** The fstab(5) parser. */
import type { FstabEntry } from '../types.js';
import { decodeMountField } from '../../core/mountinfo.js';

/**
 * Parses /etc/fstab:
 * ```
 * # <file system> <mount point> <type> <options> <dump> <pass>
 * UUID=0f3c… /               ext4    errors=remount-ro 0       1
 * LABEL=my\040disk /data ext4 defaults
 * ```
 * Comments and blank lines are skipped, `\040`-style escapes decoded, missing
 * dump/pass fields read as 0; lines with fewer than three fields are dropped.
 */
export function parseFstab(text: string): FstabEntry[] {
  const entries: FstabEntry[] = [];
  for (const raw of text.split(/\r?\n/)) {
    // A comment starts a line or follows a blank: `LABEL=disk#2` keeps its `#`.
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    const fields = line.split(/\s+/).map(decodeMountField);
    if (fields.length < 3) continue;
    const [spec, file, vfstype, options = 'defaults', freq = '0', passno = '0'] = fields as [string, string, string, ...string[]];
    entries.push({ spec, file, vfstype, options: options.split(','), freq: Number(freq) || 0, passno: Number(passno) || 0 });
  }
  return entries;
}
