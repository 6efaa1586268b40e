import { describe, expect, it, vi } from 'vitest';
import { parseProgressPercents, ProgressTracker, type ProgressEvent } from '../../../src/convert/progress.js';

describe('parseProgressPercents', () => {
  it('reads the carriage-return redraws of qemu-img -p', () => {
    // Captured from `qemu-img convert -p` (stdout, one line redrawn with \r).
    expect(parseProgressPercents('    (0.00/100%)\r    (100.00/100%)\r    (100.00/100%)\r\n')).toEqual([0, 100, 100]);
    expect(parseProgressPercents('    (12.5/100%)\r    (25.01/100%)')).toEqual([12.5, 25.01]);
    expect(parseProgressPercents('qemu-img: error while writing\n')).toEqual([]);
  });
});

describe('ProgressTracker', () => {
  it('emits only forward steps, with bytes from the virtual size, rate and ETA', () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    try {
      const events: ProgressEvent[] = [];
      const tracker = new ProgressTracker(1000, (e) => events.push(e));
      vi.advanceTimersByTime(1000);
      tracker.feed('    (10.00/100%)\r    (5.00/100%)\r    (10.00/100%)\r');
      vi.advanceTimersByTime(1000);
      // A chunk may split a redraw: the tail of it arrives with the next chunk.
      tracker.feed('    (50.00/1');
      tracker.feed('00%)\r');
      tracker.finish();
      tracker.finish();
      expect(events.map((e) => e.percent)).toEqual([10, 50, 100]);
      expect(events[0]).toEqual({ percent: 10, bytes: 100, totalBytes: 1000, rateBytesPerSecond: 100, etaSeconds: 9 });
      expect(events[1]).toMatchObject({ bytes: 500, rateBytesPerSecond: 250, etaSeconds: 2 });
      expect(events[2]).toMatchObject({ percent: 100, bytes: 1000, etaSeconds: 0 });
    } finally {
      vi.useRealTimers();
    }
  });

  it('holds percentages until the total is known, then emits the furthest one', () => {
    const events: ProgressEvent[] = [];
    const tracker = new ProgressTracker(undefined, (e) => events.push(e));
    tracker.feed('    (3.00/100%)\r    (7.50/100%)\r');
    expect(events).toEqual([]);
    tracker.setTotal(2000);
    tracker.feed('    (7.50/100%)\r    (40.00/100%)\r');
    tracker.finish();
    expect(events.map((e) => [e.percent, e.bytes])).toEqual([[7.5, 150], [40, 800], [100, 2000]]);
  });
});
