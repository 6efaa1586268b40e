/** TODO(issue 14): the files calls move here from src/guestfs/files.ts. */
import type { ApiEntry } from '../entry.js';

/** The calls of this module, in table order. */
export const FILES_CALLS: ApiEntry[] = [];
