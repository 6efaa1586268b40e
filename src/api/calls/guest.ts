/** TODO(issue 14): the guest calls move here from src/guestfs/guest.ts. */
import type { ApiEntry } from '../entry.js';

/** The calls of this module, in table order. */
export const GUEST_CALLS: ApiEntry[] = [];
