/**
 * Installs the table's calls on a session class: each call checks that the
 * session is launched, checks its arguments by kind, refuses a write in a
 * read-only session, and runs as a tracked call (a release waits for it).
 * Each libguestfs alias is the same function as its camelCase call.
 */
import { VmcraftError } from '../core/errors.js';
import { checkArgs } from './args.js';
import type { ApiEntry, Guest } from './entry.js';
import type { Session } from './session.js';

function guarded(entry: ApiEntry, session: Session, args: unknown[]): unknown {
  if (!entry.anytime) session.assertLaunched();
  checkArgs(entry.name, entry.args, args, session);
  if (entry.writes && session.readonly) throw new VmcraftError('EREADONLY', `${entry.name} writes to the guest: the session is read-only`);
  // VM mode: what does I/O runs in the VM; the synchronous calls answer from the state it sent back,
  // and a composed call runs here, its parts in the VM.
  if (session.remote && !entry.composed && entry.ts.startsWith('Promise<')) return session.remote.call(entry, args);
  return (entry.impl as (g: Guest, ...a: unknown[]) => unknown)(session as Guest, ...args);
}

/** The method of one entry. */
function method(entry: ApiEntry): (this: Session, ...args: unknown[]) => unknown {
  // An async call reports a bad argument as a rejection, as its other errors.
  if (entry.ts.startsWith('Promise<')) {
    return function (this: Session, ...args: unknown[]) {
      return this.track(async () => guarded(entry, this, args));
    };
  }
  return function (this: Session, ...args: unknown[]) {
    return this.track(() => guarded(entry, this, args));
  };
}

/** Defines every call of `entries` (and its libguestfs alias) on `prototype`. */
export function installCalls(prototype: Session, entries: readonly ApiEntry[]): void {
  const target = prototype as unknown as Record<string, unknown>;
  for (const entry of entries) {
    if (entry.impl) Object.defineProperty(target, entry.name, { value: method(entry), writable: true, configurable: true, enumerable: false });
    if (typeof target[entry.name] !== 'function') throw new Error(`the API table names ${entry.name}, which has no implementation`);
    if (entry.libguestfs && entry.libguestfs !== entry.name) {
      Object.defineProperty(target, entry.libguestfs, { value: target[entry.name], writable: true, configurable: true, enumerable: false });
    }
  }
}
