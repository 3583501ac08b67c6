import type { Logger } from "pino";
import type { WorkQueue } from "./work-queue.js";

/** What a worker pool does with each key, and what it tells around it. */
export interface WorkerPoolOptions<K> {
  queue: WorkQueue<K>;
  /** The key's string form (`workspace/namespace/name`), for the running set and `stuck`. */
  id: (key: K) => string;
  /** Processes one key; must settle once `signal` aborts. */
  run: (key: K, signal: AbortSignal) => Promise<void>;
  /** A key started or finished (metrics). */
  onBusy?: (delta: 1 | -1) => void;
  log: Logger;
}

/**
 * Workers that take keys off a work queue, one key at a time each, and a drain that never hangs: a
 * run that ignores its abort signal is reported, not waited for. Why separate from the controller:
 * the drain (wait, abort, grace, report) is its own concern and is tested alone.
 */
export class WorkerPool<K> {
  private readonly running = new Map<string, { promise: Promise<void>; abort: AbortController }>();
  private workers: Promise<void>[] = [];

  constructor(private readonly options: WorkerPoolOptions<K>) {}

  /** Starts `n` workers (once). */
  start(n: number): void {
    if (this.workers.length > 0) return;
    this.workers = Array.from({ length: n }, () => this.work());
  }

  /** Keys running now. */
  get size(): number {
    return this.running.size;
  }

  /**
   * Shuts the queue down, lets running keys finish for up to `timeoutMs`, then aborts their
   * signals and gives them `graceMs` more. Returns the keys still running after that.
   */
  async drain(timeoutMs: number, graceMs: number): Promise<string[]> {
    const { queue, log } = this.options;
    queue.shutDown();
    if (this.running.size > 0) {
      log.info({ running: this.running.size, timeoutMs }, "waiting for running reconciles to finish");
      if (!(await settledWithin(this.promises(), timeoutMs))) {
        log.warn({ running: this.running.size }, "drain timeout passed: aborting running reconciles");
        for (const r of this.running.values()) r.abort.abort(new Error("provider shutting down"));
        await settledWithin(this.promises(), graceMs);
      }
    }
    const stuck = [...this.running.keys()];
    if (stuck.length === 0) await Promise.all(this.workers);
    this.workers = [];
    return stuck;
  }

  /**
   * Resolves once no running key's id starts with `prefix` (whose keys the caller no longer lets
   * start). They get `timeoutMs`, then their signal aborts (at once with `abortNow`); a run that
   * ignores its signal is waited for: the caller hands the keys to someone else only after this.
   */
  async settle(prefix: string, timeoutMs: number, abortNow: boolean, reason: string): Promise<void> {
    const matching = () => [...this.running].filter(([k]) => k.startsWith(prefix)).map(([, r]) => r);
    if (matching().length === 0) return;
    if (
      abortNow ||
      !(await settledWithin(
        matching().map((r) => r.promise),
        timeoutMs,
      ))
    ) {
      for (const r of matching()) r.abort.abort(new Error(reason));
    }
    while (matching().length > 0) await Promise.allSettled(matching().map((r) => r.promise));
  }

  private promises(): Promise<void>[] {
    return [...this.running.values()].map((r) => r.promise);
  }

  private async work(): Promise<void> {
    const { queue, id, run, onBusy } = this.options;
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      const k = id(key);
      const abort = new AbortController();
      const promise = run(key, abort.signal);
      this.running.set(k, { promise, abort });
      onBusy?.(1);
      await promise;
      onBusy?.(-1);
      this.running.delete(k);
      queue.done(key);
    }
  }
}

/** Whether all promises settle within `ms`. */
async function settledWithin(promises: Promise<unknown>[], ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<false>((r) => {
    timer = setTimeout(() => r(false), ms);
  });
  const result = await Promise.race([Promise.allSettled(promises).then(() => true as const), timedOut]);
  clearTimeout(timer);
  return result;
}
