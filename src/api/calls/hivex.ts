/** TODO(issue 14): the hivex calls move here from src/guestfs/hivex.ts. */
import type { ApiEntry } from '../entry.js';

/** The calls of this module, in table order. */
export const HIVEX_CALLS: ApiEntry[] = [];
