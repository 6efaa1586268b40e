/** TODO(issue 14): the fix calls move here from src/guestfs/fix.ts. */
import type { ApiEntry } from '../entry.js';

/** The calls of this module, in table order. */
export const FIX_CALLS: ApiEntry[] = [];
