/**
 * guestfish's commands of the shell's own that touch the host or only print:
 * `echo`, `edit` (through $EDITOR), `df-h`; `!cmd` and `cmd | pipeline`
 * (host shell commands, run by shell.ts); and the output shapes guestfish
 * gives some calls (`list-filesystems` as `device: type`, `statvfs` as
 * `field: value`) where the shell would print JSON.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { a } from '../api/args.js';
import { VmcraftError } from '../core/errors.js';
import type { GuestFS } from '../guestfs.js';
import type { ShellCommand } from './commands.js';

/**
 * Runs a host shell command line (`sh -c`), its output on the terminal and
 * `input`, when given, as its standard input (else the terminal's, with the
 * prompt's raw mode off while it runs). Rejects with ECOMMAND when it fails.
 */
export async function hostShell(command: string, input?: string): Promise<void> {
  const raw = process.stdin.isTTY && process.stdin.isRaw;
  if (raw) process.stdin.setRawMode(false);
  try {
    const r = await execa('sh', ['-c', command], { reject: false, stdout: 'inherit', stderr: 'inherit', ...(input !== undefined ? { input } : { stdin: 'inherit' }) });
    if (r.failed) throw new VmcraftError('ECOMMAND', `${command}: ${r.exitCode !== undefined ? `exit status ${r.exitCode}` : (r.signal ?? 'failed')}`);
  } finally {
    if (raw) process.stdin.setRawMode(true);
  }
}

/** A word for `sh`, single-quoted. */
export const shellQuote = (word: string) => `'${word.replace(/'/g, "'\\''")}'`;

/** Sizes as `df -h` shows them: 1024-based, one decimal under 10. */
function human(bytes: number): string {
  const units = ['', 'K', 'M', 'G', 'T', 'P'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) [n, u] = [n / 1024, u + 1];
  return u === 0 ? String(n) : `${n < 10 ? (Math.ceil(n * 10) / 10).toFixed(1) : Math.ceil(n)}${units[u]}`;
}

/** `edit`: the file copied to a private host directory, $EDITOR (else vi) run on it, written back when it changed. */
async function edit(g: GuestFS, file: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vmcraft-edit-'));
  try {
    const local = path.join(dir, path.posix.basename(file) || 'file');
    await g.download(file, local);
    const before = await readFile(local);
    const editor = process.env.EDITOR || 'vi';
    // $EDITOR may hold arguments (`emacs -nw`): the shell splits it, the file is its last word.
    await hostShell(`${editor} ${shellQuote(local)}`);
    if (!(await stat(local)).isFile()) throw new VmcraftError('EINVAL', `edit: ${file}: the editor did not leave a file`);
    if ((await readFile(local)).equals(before)) return '';
    await g.upload(local, file);
    return '';
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `df-h`: each mounted filesystem with its size, use and mount point, as `df -h` prints them. */
async function dfH(g: GuestFS): Promise<string[]> {
  const rows = [['Filesystem', 'Size', 'Used', 'Avail', 'Use%', 'Mounted on']];
  for (const m of g.mountpoints()) {
    const s = await g.statvfs(m.mountpoint);
    const used = (s.blocks - s.bfree) * s.bsize;
    const avail = s.bavail * s.bsize;
    const pct = used + avail > 0 ? `${Math.ceil((used * 100) / (used + avail))}%` : '-';
    rows.push([m.device, human(s.blocks * s.bsize), human(used), human(avail), pct, m.mountpoint]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(i === r.length - 1 ? 0 : widths[i]!) : c.padStart(widths[i]!))).join(' '));
}

/** The shell's own commands of this module. */
export const HOST_COMMANDS: ShellCommand[] = [
  {
    name: 'echo',
    summary: 'print the words given, separated by spaces',
    args: [a.stringList('words', { optional: true })],
    run: async (_g, [words]) => ((words as string[] | undefined) ?? []).join(' ') + '\n',
  },
  {
    name: 'edit',
    summary: 'edit a guest file with $EDITOR (vi when unset); written back only when it changed',
    doc: 'The file is copied to a private directory of the host, the editor runs on the copy, and the copy is uploaded over the file when its bytes changed.',
    args: [a.guestPath('path')],
    run: async (g, [file]) => edit(g, String(file)),
  },
  {
    name: 'df-h',
    summary: 'show the mounted filesystems with their sizes and use, as df -h does',
    args: [],
    run: async (g) => dfH(g),
  },
];

/** The fields of libguestfs's statvfs struct, as guestfish prints them. */
const STATVFS_FIELDS = ['bsize', 'frsize', 'blocks', 'bfree', 'bavail', 'files', 'ffree', 'favail', 'fsid', 'flag', 'namemax'] as const;

/** guestfish's output of some calls, by shell name: lines of `name: value` where the shell would print JSON. */
export const GUESTFISH_FORMATS: Record<string, (value: unknown) => string> = {
  'list-filesystems': (value) => (value as { device: string; vfsType: string }[]).map((f) => `${f.device}: ${f.vfsType}`).join('\n'),
  // libguestfs's struct fields in its order (vmcraft's type magic is not one of them).
  statvfs: (value) => STATVFS_FIELDS.map((k) => `${k}: ${String((value as Record<string, unknown>)[k])}`).join('\n'),
};
