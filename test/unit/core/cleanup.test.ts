import { describe, expect, it } from 'vitest';
import { CleanupStack } from '../../../src/core/cleanup.js';
import { VmcraftError } from '../../../src/core/errors.js';

describe('CleanupStack', () => {
  it('releases newest first', async () => {
    const order: string[] = [];
    const stack = new CleanupStack();
    for (const name of ['dir', 'daemon', 'loop', 'mount']) stack.push(name, async () => void order.push(name));
    await stack.releaseAll();
    expect(order).toEqual(['mount', 'loop', 'daemon', 'dir']);
    expect(stack.size).toBe(0);
  });

  it('keeps releasing past failures and reports all of them as ECLEANUP', async () => {
    const order: string[] = [];
    const stack = new CleanupStack();
    stack.push('a', async () => void order.push('a'));
    stack.push('b', async () => { throw new Error('b is busy'); });
    stack.push('c', async () => { throw new Error('c is stuck'); });
    const err = await stack.releaseAll().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VmcraftError);
    expect((err as VmcraftError).code).toBe('ECLEANUP');
    expect((err as VmcraftError).errors).toHaveLength(2);
    expect((err as VmcraftError).message).toMatch(/releasing c: c is stuck.*releasing b: b is busy/);
    expect(order).toEqual(['a']);
    expect(stack.size).toBe(0);
  });

  it('releases one entry early and forgets it', async () => {
    let released = 0;
    const stack = new CleanupStack();
    stack.push('keep', async () => {});
    const entry = stack.push('early', async () => void released++);
    await stack.releaseOne(entry);
    await stack.releaseOne(entry);
    expect(released).toBe(1);
    expect(stack.labels()).toEqual(['keep']);
  });

  it('keeps an entry whose early release failed, so teardown tries again', async () => {
    const stack = new CleanupStack();
    let attempts = 0;
    const entry = stack.push('flaky', async () => { if (++attempts === 1) throw new Error('busy'); });
    await expect(stack.releaseOne(entry)).rejects.toThrow('busy');
    expect(stack.labels()).toEqual(['flaky']);
    await stack.releaseAll();
    expect(attempts).toBe(2);
  });
});
