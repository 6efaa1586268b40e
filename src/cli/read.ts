/** Host files the CLI reads for its user (scripts, keys, .reg files): a missing one is a clear VmcraftError. */
import { readFile } from 'node:fs/promises';
import { fromFsError } from '../core/errors.js';

/** Reads a host file named on the command line as text; ENOENT/EACCES/… name the file and what it was for. */
export async function readCliFile(file: string, what: string): Promise<string> {
  return readFile(file, 'utf8').catch((err: unknown) => {
    throw fromFsError(err, file, `cannot read ${what}`);
  });
}

/** All of standard input (a pipe, file or socket: /dev/stdin cannot be opened on a socket). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
