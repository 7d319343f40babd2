/** Lag samples of one replication direction: last, max and median of a recent window. */
export class LagWindow {
  private readonly samples: number[] = [];
  private next = 0;
  private maxSeen: number | null = null;
  private lastSeen: number | null = null;

  constructor(private readonly capacity = 1024) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('LagWindow capacity must be a positive integer');
  }

  record(lagMs: number): void {
    // Clocks are read on one machine, but a change timestamp can round past the apply time.
    const lag = Math.max(0, lagMs);
    this.lastSeen = lag;
    this.maxSeen = this.maxSeen === null ? lag : Math.max(this.maxSeen, lag);
    if (this.samples.length < this.capacity) this.samples.push(lag);
    else this.samples[this.next] = lag;
    this.next = (this.next + 1) % this.capacity;
  }

  get last(): number | null {
    return this.lastSeen;
  }

  /** Over every sample ever recorded, not only the window. */
  get max(): number | null {
    return this.maxSeen;
  }

  /** Median of the window; the lower middle value for an even count, so it is always an observed lag. */
  get p50(): number | null {
    return percentile(this.samples, 50);
  }

  /** 99th percentile of the window (nearest rank). */
  get p99(): number | null {
    return percentile(this.samples, 99);
  }
}

/** Nearest-rank percentile (p in 0..100) of the values; null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}
