/** Settings of {@link Backoff}; defaults are kube-rs's watcher defaults. */
export interface BackoffOptions {
  /** First delay; default 800 ms. */
  initialMs?: number;
  /** Upper bound; default 30 s. */
  maxMs?: number;
  /** The delay doubles up to `maxMs`, unless no delay was asked for this long; default 120 s. */
  resetAfterMs?: number;
  /** Random spread around each delay, as a fraction; default 0.2 (±20 %). */
  jitter?: number;
  /** Clock and randomness, replaceable in tests. */
  now?: () => number;
  random?: () => number;
}

/**
 * Exponential backoff with jitter that forgets past failures after a healthy period: a watch that
 * ran fine for two minutes and then broke retries fast again. Jitter keeps many watchers that
 * broke together (a restarted shard) from reconnecting in lockstep.
 */
export class Backoff {
  private attempt = 0;
  private lastAt: number | undefined;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly resetAfterMs: number;
  private readonly jitter: number;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 800;
    this.maxMs = options.maxMs ?? 30_000;
    this.resetAfterMs = options.resetAfterMs ?? 120_000;
    this.jitter = options.jitter ?? 0.2;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  /** The next delay in milliseconds. */
  next(): number {
    const now = this.now();
    if (this.lastAt !== undefined && now - this.lastAt > this.resetAfterMs) this.attempt = 0;
    this.lastAt = now;
    const base = Math.min(this.maxMs, this.initialMs * 2 ** this.attempt);
    if (base < this.maxMs) this.attempt++;
    const spread = 1 + this.jitter * (2 * this.random() - 1);
    return Math.round(Math.min(this.maxMs, base * spread));
  }

  /** Forget past failures now. */
  reset(): void {
    this.attempt = 0;
    this.lastAt = undefined;
  }
}
