/**
 * The line formats of libguestfs's small tools (virt-ls -lR, virt-df, virt-filesystems),
 * kept apart from the commands so each can be checked against the tool's own output.
 */
import type { GuestStat, GuestStatvfs } from '../../fs/files/types.js';

/** A CSV field quoted as the libguestfs tools quote it (only when it holds a space, quote, newline or comma). */
export function csvField(field: string): string {
  return /[ ",\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

/**
 * A size as gnulib's human_readable with autoscale, base 1024 and SI suffixes
 * (what `-h` prints in virt-df, virt-ls, virt-filesystems): `512`, `4.0K`, `9.8G`, `20G`.
 */
export function humanSize(bytes: number): string {
  const units = ['', 'K', 'M', 'G', 'T', 'P', 'E'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return String(bytes);
  // One decimal below 10, as df does; a value rounding up to 1024 belongs to the next unit.
  if (value < 10 && Number(value.toFixed(1)) < 10) return `${value.toFixed(1)}${units[unit]}`;
  const rounded = Math.round(value);
  return rounded >= 1024 && unit < units.length - 1 ? `1.0${units[unit + 1]}` : `${rounded}${units[unit]}`;
}

const TYPE_CHAR: Record<GuestStat['type'], string> = { file: '-', directory: 'd', char: 'c', block: 'b', fifo: 'p', symlink: 'l', socket: 's' };

/** One file as virt-ls -lR shows it. */
export interface LsEntry {
  path: string;
  stat: GuestStat;
  checksum?: string;
  link?: string;
}

/** Options of {@link lsLine}: the virt-ls flags that change a -lR line. */
export interface LsLineOptions {
  csv?: boolean;
  human?: boolean;
  /** With --checksums: a column for every entry in CSV, for regular files in text. */
  checksums?: boolean;
  /** --time-days: days since atime, mtime, ctime, relative to `now`. */
  timeDays?: boolean;
  now?: number;
}

/** A virt-ls -lR line: `- 0644         52 /etc/hostname`, `l 0777  7 /bin -> usr/bin` (cat/ls.c show_file). */
export function lsLine(entry: LsEntry, options: LsLineOptions = {}): string {
  const { csv = false, human = false } = options;
  const fields: string[] = [TYPE_CHAR[entry.stat.type], entry.stat.perms.toString(8).padStart(4, '0')];
  const size = human ? humanSize(entry.stat.size) : String(entry.stat.size);
  fields.push(csv ? size : size.padStart(10));
  if (options.timeDays) {
    const now = options.now ?? Date.now();
    for (const t of [entry.stat.atime, entry.stat.mtime, entry.stat.ctime]) fields.push(String(Math.trunc((now - t.getTime()) / 86_400_000)).padStart(3));
  }
  if (options.checksums && (entry.checksum !== undefined || csv)) fields.push(entry.checksum ?? '');
  fields.push(entry.path);
  if (entry.link !== undefined) fields.push(csv ? entry.link : `-> ${entry.link}`);
  return csv ? fields.map(csvField).join(',') : fields.join(' ');
}

/** One filesystem's usage, as virt-df prints it. */
export interface DfRow extends Omit<GuestStatvfs, 'type'> {
  /** The guest's name: the first image's file name (`+` when it has several). */
  name: string;
  device: string;
}

/** Options of {@link dfLines}. */
export interface DfOptions {
  human?: boolean;
  inodes?: boolean;
  csv?: boolean;
}

/** virt-df's header and rows (df/output.c): `%-36s%10s %10s %10s %5s`, `name:dev` wrapped onto its own line past 36 columns. */
export function dfLines(rows: readonly DfRow[], options: DfOptions = {}): string[] {
  const head = ['VirtualMachine', 'Filesystem', ...(options.inodes ? ['Inodes', 'IUsed', 'IFree', 'IUse%'] : [options.human ? 'Size' : '1K-blocks', 'Used', 'Available', 'Use%'])];
  const lines = [options.csv ? head.map(csvField).join(',') : `${head[1]!.padEnd(36)}${head[2]!.padStart(10)} ${head[3]!.padStart(10)} ${head[4]!.padStart(10)} ${head[5]!.padStart(5)}`];
  for (const row of rows) {
    const cols = dfColumns(row, options);
    if (options.csv) {
      lines.push([row.name, row.device, ...cols].map(csvField).join(','));
      continue;
    }
    const label = `${row.name}:${row.device}`;
    const data = `${cols[0]!.padStart(10)} ${cols[1]!.padStart(10)} ${cols[2]!.padStart(10)} ${cols[3]!.padStart(5)}`;
    lines.push(label.length <= 36 ? `${label.padEnd(36)}${data}` : `${label}\n${' '.repeat(36)}${data}`);
  }
  return lines;
}

function dfColumns(row: DfRow, options: DfOptions): string[] {
  let cols: string[];
  let percent: number;
  if (options.inodes) {
    cols = [row.files, row.files - row.ffree, row.ffree].map(String);
    percent = row.files ? 100 - (100 * row.ffree) / row.files : 0;
  } else {
    const used = row.blocks - row.bfree;
    cols = options.human
      ? [row.blocks, used, row.bavail].map((n) => humanSize(n * row.bsize))
      : [row.blocks, used, row.bavail].map((n) => String(n * Math.trunc(row.bsize / 1024)));
    percent = row.blocks ? 100 - (100 * row.bfree) / row.blocks : 0;
  }
  // df rounds the percentage up; CSV keeps one decimal.
  return [...cols, options.csv ? percent.toFixed(1) : `${String(Math.ceil(percent)).padStart(3)}%`];
}

/**
 * Rows as virt-filesystems --long prints them: every column as wide as its
 * widest cell, one space apart (the last column is not padded); CSV with `csv`.
 */
export function tableLines(rows: readonly (readonly string[])[], csv = false): string[] {
  if (csv) return rows.map((r) => r.map(csvField).join(','));
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join(' ').trimEnd());
}
