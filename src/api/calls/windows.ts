/** TODO(issue 14): the windows calls move here from src/guestfs/windows.ts. */
import type { ApiEntry } from '../entry.js';

/** The calls of this module, in table order. */
export const WINDOWS_CALLS: ApiEntry[] = [];
