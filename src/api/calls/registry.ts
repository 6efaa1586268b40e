/** TODO(issue 14): the registry calls move here from src/guestfs/registry.ts. */
import type { ApiEntry } from '../entry.js';

/** The calls of this module, in table order. */
export const REGISTRY_CALLS: ApiEntry[] = [];
