/** Per-phase timings of a session (attach, scan, inspect, mount…), for `g.metrics()`. */

/** Accumulated time and count of one phase. */
export interface PhaseMetric {
  /** Number of times the phase ran. */
  count: number;
  /** Total milliseconds spent in it. */
  totalMs: number;
  /** What was decided, for a phase that decides (`mode`: `vm: this host's kernel has no device-mapper, needed for…`). */
  note?: string;
}

/** One finished run of a phase: what a session's `phase` event carries. */
export interface PhaseEvent {
  /** The phase's name (`launch`, `attach`, `scan`, `inspect`, `mount`, `command`, `shutdown`…). */
  phase: string;
  /** Wall-clock duration of this run in milliseconds (rounded to 0.1 ms). */
  durationMs: number;
  /** Whether the phase finished without throwing. */
  ok: boolean;
}

/** Records how long each named phase takes. */
export class Metrics {
  readonly #phases = new Map<string, PhaseMetric>();
  readonly #onPhase?: (event: PhaseEvent) => void;

  /** @param onPhase called after each timed run of a phase (a session turns it into its `phase` event). */
  constructor(onPhase?: (event: PhaseEvent) => void) {
    this.#onPhase = onPhase;
  }

  /** Runs `fn` and adds its duration to `phase`. */
  async time<T>(phase: string, fn: () => Promise<T>): Promise<T> {
    const started = performance.now();
    let ok = false;
    try {
      const result = await fn();
      ok = true;
      return result;
    } finally {
      const ms = performance.now() - started;
      this.add(phase, ms);
      this.#onPhase?.({ phase, durationMs: Math.round(ms * 10) / 10, ok });
    }
  }

  /** Adds `ms` to `phase`. */
  add(phase: string, ms: number): void {
    const current = this.#phases.get(phase) ?? { count: 0, totalMs: 0 };
    current.count += 1;
    current.totalMs += ms;
    this.#phases.set(phase, current);
  }

  /** Adds `ms` to `phase` and notes what it decided. */
  note(phase: string, ms: number, note: string): void {
    this.add(phase, ms);
    this.#phases.get(phase)!.note = note;
  }

  /** A snapshot: phase → { count, totalMs, note? } with times rounded to 0.1 ms. */
  snapshot(): Record<string, PhaseMetric> {
    return Object.fromEntries(
      [...this.#phases].map(([k, v]) => [k, { count: v.count, totalMs: Math.round(v.totalMs * 10) / 10, ...(v.note ? { note: v.note } : {}) }]),
    );
  }
}
