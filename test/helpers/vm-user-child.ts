/**
 * Child process of the rootless VM-mode test, run as an unprivileged user:
 * opens each image set of argv[2] (JSON: `[{ images, file, keys }]`) with the
 * built package in `auto` mode, read-only, in the session directory argv[3],
 * and prints what it saw as one JSON line per set.
 */
import { GuestFS as BuiltGuestFS } from '../../dist/index.js';
import type { GuestFS, GuestFSOptions } from '../../src/index.js';
import { viewSession } from './vm-mode.js';

const sets = JSON.parse(process.argv[2]!) as { images: string[]; file: string; keys?: string[] }[];
const tmpDir = process.argv[3]!;
for (const set of sets) {
  const view = await viewSession(set.images, set.file, { tmpDir, keys: set.keys ?? [] }, (o: GuestFSOptions) => new BuiltGuestFS(o) as unknown as GuestFS);
  process.stdout.write(`${JSON.stringify({ uid: process.getuid!(), ...view })}\n`);
}
