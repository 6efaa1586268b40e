/** The error a synchronous call throws, for tests of refusals. */
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
