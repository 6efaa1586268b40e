/** State a module of calls keeps per session (the open hive, the Augeas handle), dropped with the session. */
import type { Session } from './session.js';

/**
 * A getter of per-session state, made with `init` the first time a session asks.
 *
 * @example
 * ```ts
 * const state = perSession(() => ({ opened: 0 }));
 * state(g).opened++;
 * ```
 */
export function perSession<T>(init: () => T): (session: Session) => T {
  const states = new WeakMap<Session, T>();
  return (session) => {
    let s = states.get(session);
    if (s === undefined) states.set(session, (s = init()));
    return s;
  };
}
