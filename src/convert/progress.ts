/** Progress of `qemu-img convert -p`, turned into events with bytes, rate and ETA. */

/** One progress event. */
export interface ProgressEvent {
  /** 0 to 100. */
  percent: number;
  /** Bytes of the virtual disk done so far. */
  bytes: number;
  /** Virtual size of the disk. */
  totalBytes: number;
  /** Average bytes per second since the start. */
  rateBytesPerSecond: number;
  /** Estimated seconds left, when it can be estimated. */
  etaSeconds?: number;
}

/**
 * Extracts the percentages from qemu-img's `-p` output, which redraws one
 * line with carriage returns: `    (12.34/100%)\r    (25.00/100%)\r`.
 */
export function parseProgressPercents(chunk: string): number[] {
  return [...chunk.matchAll(/\((\d+(?:\.\d+)?)\/100%\)/g)].map((m) => Number(m[1]));
}

/**
 * Turns percentages into ordered events (never going backwards), with rate
 * and ETA. The total may arrive after the first percentages (qemu-img info
 * runs beside the conversion): until then the furthest one waits, and is
 * emitted when {@link setTotal} is called.
 */
export class ProgressTracker {
  #total: number | undefined;
  readonly #started = performance.now();
  #last = -1;
  #emitted = -1;
  /** Text after the last line break: a redraw a chunk boundary cut in two. */
  #pending = '';

  constructor(totalBytes: number | undefined, private readonly emit: (event: ProgressEvent) => void) {
    this.#total = totalBytes;
  }

  /** Sets the virtual size once it is known, and emits the percentage that waited for it. */
  setTotal(totalBytes: number): void {
    this.#total = totalBytes;
    if (this.#last > this.#emitted) this.#emit(this.#last);
  }

  /** Feeds a chunk of qemu-img output (chunks may split a redraw anywhere). */
  feed(chunk: string): void {
    const text = this.#pending + chunk;
    const end = Math.max(text.lastIndexOf('\r'), text.lastIndexOf('\n')) + 1;
    this.#pending = text.slice(end);
    for (const percent of parseProgressPercents(text.slice(0, end))) this.report(percent);
  }

  /** Reports one percentage (ignored when it does not move forward). */
  report(percent: number): void {
    percent = Math.min(percent, 100);
    if (percent <= this.#last) return;
    this.#last = percent;
    if (this.#total !== undefined) this.#emit(percent);
  }

  #emit(percent: number): void {
    const total = this.#total!;
    this.#emitted = percent;
    const seconds = (performance.now() - this.#started) / 1000;
    const bytes = Math.round((total * percent) / 100);
    const rate = seconds > 0 ? bytes / seconds : 0;
    const eta = rate > 0 ? (total - bytes) / rate : undefined;
    this.emit({ percent, bytes, totalBytes: total, rateBytesPerSecond: Math.round(rate), ...(eta !== undefined ? { etaSeconds: Math.round(eta * 10) / 10 } : {}) });
  }

  /** Makes sure the last event says 100 (call it after {@link setTotal}). */
  finish(): void {
    this.feed('\n');
    this.report(100);
  }
}
