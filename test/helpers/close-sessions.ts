/** The shared end of the test files that compare a session in each mode (vitest only: vm-mode.ts is also loaded by child processes). */
import { expect } from 'vitest';
import type { GuestFS } from '../../src/index.js';
import { findLeftovers, NOTHING_LEFT } from './leaks.js';

/**
 * The end of a test file that compared a session in each mode: closes them
 * all, checks that nothing is left in their `dir`, and removes it.
 */
export async function closeSessions(sessions: Record<string, GuestFS>, dir: string, remove: () => Promise<void>): Promise<void> {
  await Promise.all(Object.values(sessions).map((g) => g.close()));
  expect(await findLeftovers(dir)).toEqual(NOTHING_LEFT);
  await remove();
}
