/** The error a call throws or rejects with, for tests of refusals. */
import { expect } from 'vitest';
import { VmcraftError } from '../../src/core/errors.js';

/** The VmcraftError `fn` throws; fails the test when it throws something else or nothing. */
export function thrown(fn: () => unknown): VmcraftError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(VmcraftError);
    return err as VmcraftError;
  }
  throw new Error('expected a throw');
}

/** The VmcraftError `promise` rejects with; fails the test when it rejects with something else or resolves. */
export async function rejected(promise: Promise<unknown>): Promise<VmcraftError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(VmcraftError);
    return err as VmcraftError;
  }
  throw new Error('expected a rejection');
}
