/**
 * One entry of the API table: a call's names, its arguments by kind, what it
 * returns, whether it writes, and its implementation — a function of the
 * session and the arguments. `defineCall` types the implementation against
 * the declaration generated from the entry (src/api/generated.ts), so the two
 * cannot drift apart.
 */
import type { ArgSpec, ReturnKind } from './args.js';
import type { GuestFSCalls } from './generated.js';
import type { Session } from './session.js';

/** Feature groups, like libguestfs' optgroups; each is backed by host tools. */
export type ApiGroup = 'lifecycle' | 'devices' | 'partitions' | 'filesystems' | 'mount' | 'files' | 'inspect' | 'lvm2' | 'luks' | 'mdadm' | 'guest' | 'customize' | 'fix' | 'hivex' | 'augeas';

/** The session as the calls see it: its state plus every call of the table. */
export type Guest = Session & GuestFSCalls;

/** One call of the API. */
export interface ApiEntry {
  /** Method name on GuestFS. */
  readonly name: string;
  /** The libguestfs call it corresponds to (an alias of the same name is generated), if any. */
  readonly libguestfs?: string;
  readonly group: ApiGroup;
  /** Lower-case summary without a final period (libguestfs' shortdesc rule). */
  readonly summary: string;
  /** The rest of the documentation (TSDoc markdown), when the summary is not all. */
  readonly doc?: string;
  /** vmcraft version that added it. */
  readonly since: string;
  /** Arguments in order, with their kinds. */
  readonly args: readonly ArgSpec[];
  /** What it returns, and its TypeScript type (`Promise<string[]>`). */
  readonly returns: ReturnKind;
  readonly ts: string;
  /** More specific signatures shown before the general one (`(path: GuestPath): Promise<Buffer>`). */
  readonly overloads?: readonly string[];
  /** Changes the guest: refused (EREADONLY) in a read-only session before anything is touched. */
  readonly writes?: boolean;
  /** Works before launch and after close (it needs no drive): `fixers`, `available`. */
  readonly anytime?: boolean;
  /** Not a shell command (lifecycle, and calls whose arguments words cannot carry). */
  readonly noShell?: boolean;
  /**
   * Runs in the caller's process even in VM mode, made of other calls of the
   * table (which are proxied): for a call whose host-side argument the VM's
   * share cannot carry as one file (a host directory: `copyIn` tars it on
   * the host and calls `tarIn`).
   */
  readonly composed?: boolean;
  /**
   * The implementation; absent for the lifecycle calls, which are the
   * session's own methods.
   */
  readonly impl?: (g: Guest, ...args: never[]) => unknown;
}

type Method<N extends keyof GuestFSCalls> = GuestFSCalls[N] extends (...args: infer A) => infer R ? { args: A; result: R } : never;

/** An entry whose implementation has the signature generated for its name. */
export function defineCall<N extends keyof GuestFSCalls>(
  entry: Omit<ApiEntry, 'impl' | 'name'> & { name: N; impl: (g: Guest, ...args: Method<N>['args']) => Method<N>['result'] },
): ApiEntry {
  return entry as unknown as ApiEntry;
}

/** A lifecycle entry: implemented by the session itself. */
export function sessionCall(entry: Omit<ApiEntry, 'impl' | 'noShell'>): ApiEntry {
  return { ...entry, noShell: true };
}
