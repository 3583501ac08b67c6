import type { ReconcileStart } from "./latency-stages.js";
import { wallClockAnchor } from "./wall-clock.js";

/**
 * An object's key as the driver's tracker and every contender's `GET /reconciles` write it, so the
 * latency split can match a handler's start to the driver's write: `workspace/namespace/name`.
 */
export const objectKey = (
  workspace: string,
  namespace: string | undefined,
  name: string | undefined,
): string => `${workspace}/${namespace ?? ""}/${name ?? ""}`;

/**
 * When a contender's handler (or, for the write ceiling, its write) started per object generation,
 * the last `capacity` of them, served on `GET /reconciles` (bench/README.md).
 */
export class ReconcileStarts {
  private readonly ring: ReconcileStart[] = [];
  private next = 0;

  constructor(private readonly capacity = 20_000) {}

  /** The wall clock at construction (bench/lib/wall-clock.ts); a contender lives a few minutes. */
  private readonly anchor = wallClockAnchor();

  add(key: string, generation: number): void {
    const start = { key, generation, atMs: this.anchor + performance.now() };
    if (this.ring.length < this.capacity) this.ring.push(start);
    else this.ring[this.next++ % this.capacity] = start;
  }

  toJSON(): { starts: ReconcileStart[] } {
    return { starts: this.ring };
  }
}
