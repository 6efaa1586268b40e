/**
 * `sparsify` (virt-sparsify): copying mode zeroes the free space of every filesystem in a
 * throwaway qcow2 overlay on the input (which is never written) and converts the overlay
 * to the output, so qemu-img leaves the zeroed blocks out; `--in-place` discards the free
 * space of the image itself with fstrim.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { GuestFS } from '../../guestfs.js';
import type { ImageFormat } from '../../attach/detect.js';
import { convert, type OutputFormat } from '../../convert/convert.js';
import { interruption } from '../interrupt.js';
import { io as cliIo } from '../output.js';
import { terminalBar } from './progress.js';
import type { ShellIo } from '../shell.js';
import { addModeOptions } from '../mode.js';
import { eachFilesystem, usage, withTool, type DriveFlags } from './session.js';

interface SparsifyFlags extends Omit<DriveFlags, 'add' | 'format'> { format?: ImageFormat; inPlace?: boolean; convert?: OutputFormat; compress?: boolean }

/** Adds `sparsify` to the program. */
export function addSparsify(program: Command, io: ShellIo = cliIo): void {
  addModeOptions(program
    .command('sparsify')
    .description('make a disk image sparse, like virt-sparsify: a sparse copy, or --in-place')
    .argument('<indisk>', 'the image to sparsify')
    .argument('[outdisk]', 'the sparse copy (not with --in-place)')
    .option('--in-place', 'discard the free space of the image itself (fstrim) instead of making a copy')
    .option('--convert <format>', 'format of the copy: qcow2 or raw (by default the input\'s)')
    .option('--compress', 'compress the copy (qcow2)')
    .option('--format <format>', 'the input\'s format (detected from the content when not given)')
    .option('--key <passphrase>', 'LUKS passphrase to try (repeatable)', (v: string, p: string[]) => [...p, v], [])
    .option('--chain-dir <dir>', 'let the input read backing files in this directory')
    .option('--json', 'print JSON'))
    .action(async (indisk: string, outdisk: string | undefined, flags: SparsifyFlags) => {
      if (flags.inPlace) {
        if (outdisk !== undefined || flags.convert || flags.compress) throw usage('sparsify: --in-place takes one image and no --convert or --compress');
        const trimmed = await withTool([{ path: indisk, ...(flags.format ? { format: flags.format } : {}) }], flags, (g) => eachFilesystem(g, async (device) => (await g.fstrim('/'), device)), false);
        io.out(flags.json ? JSON.stringify({ image: indisk, trimmed }) : `Sparsify in-place operation completed with no errors.`);
        return;
      }
      if (outdisk === undefined) throw usage('sparsify: expected INDISK OUTDISK (or --in-place INDISK)');
      if (flags.convert && flags.convert !== 'qcow2' && flags.convert !== 'raw') throw usage(`sparsify: --convert: qcow2 or raw, got ${String(flags.convert)}`);
      const input = path.resolve(indisk);
      const work = await mkdtemp(path.join(os.tmpdir(), 'vmcraft-sparsify-'));
      try {
        const helper = new GuestFS();
        const inputFormat = flags.format ?? (await helper.diskFormat(input));
        const overlay = path.join(work, 'overlay.qcow2');
        await helper.diskCreate(overlay, 'qcow2', -1, { backingFile: input, backingFormat: inputFormat });
        const chain = { allowDir: flags.chainDir ?? path.dirname(input) };
        const zeroed = await withTool([{ path: overlay, format: 'qcow2' }], { ...flags, chainDir: chain.allowDir }, (g) => eachFilesystem(g, async (device) => (await g.zeroFreeSpace('/'), device)), false);
        const bar = await terminalBar('copying [{bar}] {percentage}%', 100, flags.json);
        const format = flags.convert ?? (inputFormat === 'raw' ? 'raw' : 'qcow2');
        const result = await convert(overlay, outdisk, { format, compress: flags.compress ?? false, chain, signal: interruption, onProgress: (e) => bar?.update(e.percent) }).finally(() => bar?.stop());
        io.out(flags.json ? JSON.stringify({ input: indisk, output: result.output, format: result.format, size: result.size, zeroed }) : 'Sparsify operation completed with no errors.');
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    });
}
