/** The small virt-* tools as vmcraft subcommands (virt-ls, virt-cat, virt-df, virt-filesystems…). */
import type { Command } from 'commander';
import type { ShellIo } from '../shell.js';
import { addReadTools } from './read-tools.js';
import { addCopyTools } from './copy-tools.js';
import { addMakeFs } from './make-fs.js';
import { addSparsify } from './sparsify.js';
import { addWinReg } from './win-reg.js';

/** Adds the tools' subcommands to the program. */
export function addToolCommands(program: Command, io: ShellIo): void {
  addReadTools(program, io);
  addCopyTools(program, io);
  addMakeFs(program, io);
  addSparsify(program, io);
  addWinReg(program, io);
}
