/** Per-phase timings (src/core/metrics.ts): counts, totals, phase events, and the note of a phase that decides (mode). */
import { describe, expect, it } from 'vitest';
import { Metrics, type PhaseEvent } from '../../../src/core/metrics.js';

describe('Metrics', () => {
  it('note(): the snapshot carries the note beside the count and time', () => {
    const m = new Metrics();
    m.note('mode', 12.34, "vm: this host's kernel has no device-mapper");
    expect(m.snapshot()).toEqual({ mode: { count: 1, totalMs: 12.3, note: "vm: this host's kernel has no device-mapper" } });
  });

  it('note(): the last note wins and the time adds up', () => {
    const m = new Metrics();
    m.note('mode', 1, 'host: the host can attach and mount the images');
    m.note('mode', 2, 'vm: not root');
    expect(m.snapshot().mode).toEqual({ count: 2, totalMs: 3, note: 'vm: not root' });
  });

  it('a phase without a note has no note key, and a note stays on its own phase', () => {
    const m = new Metrics();
    m.add('attach', 5);
    m.note('mode', 0, 'vm: asked');
    const snap = m.snapshot();
    expect(snap.attach).toEqual({ count: 1, totalMs: 5 });
    expect('note' in snap.attach!).toBe(false);
    expect(snap.mode!.note).toBe('vm: asked');
  });

  it('add() counts and sums, rounded to 0.1 ms', () => {
    const m = new Metrics();
    m.add('scan', 1.04);
    m.add('scan', 2.02);
    expect(m.snapshot()).toEqual({ scan: { count: 2, totalMs: 3.1 } });
  });

  it('time() records the run and reports it as a phase event, failed runs too', async () => {
    const events: PhaseEvent[] = [];
    const m = new Metrics((e) => events.push(e));
    expect(await m.time('inspect', async () => 42)).toBe(42);
    await expect(m.time('inspect', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(events.map((e) => [e.phase, e.ok])).toEqual([['inspect', true], ['inspect', false]]);
    expect(m.snapshot().inspect!.count).toBe(2);
  });
});
