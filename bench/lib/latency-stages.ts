/**
 * Splits steady-state latencies at the moment the provider's handler started for the written
 * generation, with the reconcile starts a contender serves on `GET /reconciles`. Every time is
 * wall-clock milliseconds since the epoch (`performance.now()` from `wallClockAnchor()` in the
 * driver and the TypeScript contenders, `time.Now()` in Go): driver and contender run on one
 * machine and read one clock.
 */

/** One steady-state update as the driver saw it. */
export interface SteadySample {
  /** `workspace/namespace/name`. */
  key: string;
  generation: number;
  /** The driver's write was answered. */
  answeredMs: number;
  /** The driver's watch showed the status written for that generation. */
  doneMs: number;
}

/** A reconcile start a contender recorded. */
export interface ReconcileStart {
  key: string;
  generation: number;
  atMs: number;
}

/**
 * `steady_to_handler_*`: from the write's answer until the handler started for that generation
 * (kcp's watch fan-out, the provider's decoding, cache and queue). `steady_after_handler_*`: from
 * there until the driver's watch showed the status (handler, status write, kcp's fan-out of that
 * event). Samples without a matching start (the contender served none) are counted, not guessed.
 */
export function latencyStages(
  samples: readonly SteadySample[],
  starts: readonly ReconcileStart[],
  percentile: (sorted: number[], p: number) => number,
): Record<string, number> {
  // The first start per (key, generation): later ones are the provider seeing its own write.
  const first = new Map<string, number>();
  for (const s of starts) {
    const id = `${s.key}@${s.generation}`;
    const seen = first.get(id);
    if (seen === undefined || s.atMs < seen) first.set(id, s.atMs);
  }
  const before: number[] = [];
  const after: number[] = [];
  for (const s of samples) {
    const at = first.get(`${s.key}@${s.generation}`);
    if (at === undefined) continue;
    before.push(at - s.answeredMs);
    after.push(s.doneMs - at);
  }
  before.sort((a, b) => a - b);
  after.sort((a, b) => a - b);
  return {
    steady_matched_starts: before.length,
    steady_to_handler_p50_ms: percentile(before, 50),
    steady_to_handler_p99_ms: percentile(before, 99),
    steady_after_handler_p50_ms: percentile(after, 50),
    steady_after_handler_p99_ms: percentile(after, 99),
  };
}
