import type { Observable } from "rxjs";
import { Subject } from "../util/rx.js";
import type { RestartReason } from "./watcher-machine.js";

/** One restart of a watch (or list). */
export interface WatchRestart {
  /** Resource watched, e.g. `widgets.example.io/v1`. */
  resource: string;
  endpoint: string;
  reason: RestartReason;
  message?: string | undefined;
  at: Date;
}

/**
 * Plain counters of watch restarts, for metrics to read later (a Prometheus counter per reason is a
 * one-liner over `restarts$`). A watch that never restarts is only suspicious if `expired` does
 * not grow either: a healthy watch is renewed every `timeoutSeconds`.
 */
export class WatchStats {
  private readonly counts = new Map<RestartReason, number>();
  private readonly running = new Map<string, number>();
  private readonly subject = new Subject<WatchRestart>();
  /** Every restart as it happens. */
  readonly restarts$: Observable<WatchRestart> = this.subject.asObservable();

  /** Restarts so far, all reasons but the normal `expired` renewal. */
  get restarts(): number {
    let n = 0;
    for (const [reason, c] of this.counts) if (reason !== "expired") n += c;
    return n;
  }

  /** Restarts so far for one reason. */
  count(reason: RestartReason): number {
    return this.counts.get(reason) ?? 0;
  }

  /** Restarts so far by reason. */
  byReason(): Record<RestartReason, number> {
    const out: Record<RestartReason, number> = {
      gone: 0,
      "not-found": 0,
      error: 0,
      disconnect: 0,
      inactivity: 0,
      expired: 0,
    };
    for (const [reason, c] of this.counts) out[reason] = c;
    return out;
  }

  /**
   * List+watch loops running now, per resource (each holds at most one watch connection): what a
   * provider costs the API server, and how a test sees that watches are shared, not copied.
   */
  watchers(): Record<string, number> {
    return Object.fromEntries([...this.running].filter(([, n]) => n > 0));
  }

  /** Called by a watcher driver when it starts (`+1`) and stops (`-1`). */
  watcherRunning(resource: string, delta: 1 | -1): void {
    this.running.set(resource, (this.running.get(resource) ?? 0) + delta);
  }

  /** Records a restart (called by the watcher driver). */
  record(restart: WatchRestart): void {
    this.counts.set(restart.reason, (this.counts.get(restart.reason) ?? 0) + 1);
    this.subject.next(restart);
  }
}
