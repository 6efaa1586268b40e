/** Per-phase timings of a session (attach, scan, inspect, mount…), for `g.metrics()`. */

/** Accumulated time and count of one phase. */
export interface PhaseMetric {
  /** Number of times the phase ran. */
  count: number;
  /** Total milliseconds spent in it. */
  totalMs: number;
}

/** Records how long each named phase takes. */
export class Metrics {
  readonly #phases = new Map<string, PhaseMetric>();

  /** Runs `fn` and adds its duration to `phase`. */
  async time<T>(phase: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await fn();
    } finally {
      this.add(phase, performance.now() - started);
    }
  }

  /** Adds `ms` to `phase`. */
  add(phase: string, ms: number): void {
    const current = this.#phases.get(phase) ?? { count: 0, totalMs: 0 };
    current.count += 1;
    current.totalMs += ms;
    this.#phases.set(phase, current);
  }

  /** A snapshot: phase → { count, totalMs } with times rounded to 0.1 ms. */
  snapshot(): Record<string, PhaseMetric> {
    return Object.fromEntries(
      [...this.#phases].map(([k, v]) => [k, { count: v.count, totalMs: Math.round(v.totalMs * 10) / 10 }]),
    );
  }
}
