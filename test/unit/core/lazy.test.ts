import { describe, expect, it, vi } from 'vitest';
import { lazy } from '../../../src/core/lazy.js';

describe('lazy', () => {
  it('loads nothing until asked, then once for every caller', async () => {
    const load = vi.fn(async () => ({ answer: 42 }));
    const get = lazy(load);
    expect(load).not.toHaveBeenCalled();
    const [a, b] = await Promise.all([get(), get()]);
    expect(await get()).toBe(a);
    expect(b).toBe(a);
    expect(load).toHaveBeenCalledTimes(1);
  });
});
