/** TODO(issue 14): the customize calls move here from src/guestfs/customize.ts. */
import type { ApiEntry } from '../entry.js';

/** The calls of this module, in table order. */
export const CUSTOMIZE_CALLS: ApiEntry[] = [];
