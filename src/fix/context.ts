/** What fixers look at: the guest's calls and stable names of its devices. */
import type { GuestTarget } from '../guest-target.js';

/** Everything a fixer may look at. */
export interface FixContext {
  target: GuestTarget;
  /** `UUID=…` (or `PARTUUID=…`) for a device name the guest used, when it is one of this session's devices. */
  stableName(spec: string): string | undefined;
}

/** The text of a guest file, or undefined when there is none. */
export async function textOf(t: GuestTarget, path: string): Promise<string | undefined> {
  return (await t.isFile(path, { followSymlinks: true })) ? t.read(path, 'utf8') : undefined;
}
