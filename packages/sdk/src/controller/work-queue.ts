/**
 * A work queue in the spirit of client-go's workqueue and kube-rs's scheduler, with the workspace
 * made part of every key and of scheduling:
 *
 * - per-key dedup: a key waits in the queue at most once;
 * - one at a time: a key handed out is not handed out again until `done`; adds meanwhile mark it
 *   dirty and it runs exactly once more afterwards;
 * - delays: `addAfter` keeps the earliest time;
 * - per-key exponential backoff (`addRateLimited`), reset by `forget`;
 * - fairness: ready keys are handed out round-robin across workspaces, so one workspace with
 *   10,000 objects does not starve another with one (controller-runtime #3496);
 * - `dropWorkspace` releases everything held for a workspace that went away, so its keys are not
 *   retried forever (multicluster-runtime #32).
 */

/** Backoff settings for {@link WorkQueue.addRateLimited}. */
export interface RetryBackoffOptions {
  /** First retry delay; default 5 ms (controller-runtime). */
  baseMs?: number;
  /** Upper bound; default 1000 s (controller-runtime). */
  maxMs?: number;
}

/** Hooks for metrics; all optional and called synchronously. */
export interface WorkQueueObserver {
  /** A key became ready (or was re-added while ready). */
  onAdd?(workspace: string): void;
  /** A key was handed out after waiting `waitMs` in the ready queue. */
  onGet?(workspace: string, waitMs: number): void;
  /** Number of ready keys changed. */
  onDepth?(depth: number): void;
  /** A rate-limited retry was scheduled. */
  onRetry?(workspace: string): void;
}

/** How a {@link WorkQueue} identifies keys, groups them by workspace, and retries them. */
export interface WorkQueueOptions<K> {
  /** Unique string for a key (dedup identity). */
  id: (key: K) => string;
  /** The workspace of a key, for fairness and `dropWorkspace`. */
  workspace: (key: K) => string;
  backoff?: RetryBackoffOptions;
  observer?: WorkQueueObserver;
  /** Clock, replaceable in tests. */
  now?: () => number;
}

interface Entry<K> {
  key: K;
  workspace: string;
  ready: boolean;
  processing: boolean;
  /** Re-add requested while processing. */
  dirty: boolean;
  /** Dropped while processing: `done` must not requeue it. */
  dropped: boolean;
  readySince: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  dueAt: number;
  failures: number;
}

/**
 * The controller's work queue (see the file comment for its guarantees).
 *
 * @example
 * ```ts
 * const queue = new WorkQueue<ObjectRef>({ id: objectKey, workspace: (k) => k.workspace });
 * queue.add({ workspace: "2x8wqk1fz", name: "a" });
 * const key = await queue.get(); // undefined once shut down
 * if (key) queue.done(key);
 * ```
 */
export class WorkQueue<K> {
  private readonly entries = new Map<string, Entry<K>>();
  /** Ready ids per workspace, FIFO. */
  private readonly readyByWorkspace = new Map<string, string[]>();
  /** Round-robin order of workspaces that have ready keys. */
  private readonly rotation: string[] = [];
  private readyCount = 0;
  private readonly waiters: ((key: K | undefined) => void)[] = [];
  private shuttingDown = false;
  private handOffScheduled = false;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly now: () => number;

  constructor(private readonly options: WorkQueueOptions<K>) {
    this.baseMs = options.backoff?.baseMs ?? 5;
    this.maxMs = options.backoff?.maxMs ?? 1_000_000;
    this.now = options.now ?? Date.now;
  }

  /** Keys ready to be handed out. */
  get depth(): number {
    return this.readyCount;
  }

  /** Keys handed out and not yet done. */
  get processing(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.processing) n++;
    return n;
  }

  /** True once {@link shutDown} was called. */
  get isShutDown(): boolean {
    return this.shuttingDown;
  }

  private entry(key: K): Entry<K> {
    const id = this.options.id(key);
    let e = this.entries.get(id);
    if (!e) {
      e = {
        key,
        workspace: this.options.workspace(key),
        ready: false,
        processing: false,
        dirty: false,
        dropped: false,
        readySince: 0,
        timer: undefined,
        dueAt: 0,
        failures: 0,
      };
      this.entries.set(id, e);
    } else {
      e.key = key;
    }
    return e;
  }

  /** Makes a key ready now (or, if it is being processed, once more after it is done). */
  add(key: K): void {
    if (this.shuttingDown) return;
    const e = this.entry(key);
    this.clearTimer(e);
    if (e.processing) {
      e.dirty = true;
      return;
    }
    this.makeReady(e);
  }

  /** Makes a key ready after `delayMs`; an earlier pending time wins. */
  addAfter(key: K, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const e = this.entry(key);
    if (e.ready) return; // already due now
    const due = this.now() + delayMs;
    if (e.timer !== undefined && e.dueAt <= due) return;
    this.clearTimer(e);
    e.dueAt = due;
    e.timer = setTimeout(() => {
      e.timer = undefined;
      this.add(e.key);
    }, delayMs);
    e.timer.unref?.();
  }

  /** Schedules a retry with per-key exponential backoff; returns the delay chosen. */
  addRateLimited(key: K): number {
    const e = this.entry(key);
    const delay = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(e.failures, 40));
    e.failures++;
    this.options.observer?.onRetry?.(e.workspace);
    this.addAfter(key, delay);
    return delay;
  }

  /** Number of rate-limited retries since the last {@link forget}. */
  failures(key: K): number {
    return this.entries.get(this.options.id(key))?.failures ?? 0;
  }

  /** Resets a key's backoff (after a success). */
  forget(key: K): void {
    const e = this.entries.get(this.options.id(key));
    if (e) {
      e.failures = 0;
      this.gc(e);
    }
  }

  /**
   * Waits for the next ready key, taking workspaces in turn. Resolves `undefined` once the queue
   * is shut down.
   */
  get(): Promise<K | undefined> {
    const key = this.take();
    if (key !== undefined || this.shuttingDown) return Promise.resolve(key);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks a key handed out by {@link get} as finished; a dirty key becomes ready again. */
  done(key: K): void {
    const id = this.options.id(key);
    const e = this.entries.get(id);
    if (!e) return;
    e.processing = false;
    if (e.dropped) {
      this.entries.delete(id);
      return;
    }
    if (e.dirty && !this.shuttingDown) {
      e.dirty = false;
      this.makeReady(e);
      return;
    }
    e.dirty = false;
    this.gc(e);
  }

  /** Forgets everything held for a workspace: ready, delayed and backoff state. */
  dropWorkspace(workspace: string): void {
    for (const [id, e] of this.entries) {
      if (e.workspace !== workspace) continue;
      this.clearTimer(e);
      if (e.processing) {
        e.dropped = true;
        e.dirty = false;
      } else {
        this.entries.delete(id);
      }
    }
    const ready = this.readyByWorkspace.get(workspace);
    if (ready) {
      this.readyCount -= ready.length;
      this.readyByWorkspace.delete(workspace);
      const i = this.rotation.indexOf(workspace);
      if (i >= 0) this.rotation.splice(i, 1);
      this.options.observer?.onDepth?.(this.readyCount);
    }
  }

  /** Stops handing out keys: waiters get `undefined`, adds are ignored, timers are cleared. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const e of this.entries.values()) this.clearTimer(e);
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  private makeReady(e: Entry<K>): void {
    this.options.observer?.onAdd?.(e.workspace);
    if (e.ready) return;
    e.ready = true;
    e.readySince = this.now();
    const id = this.options.id(e.key);
    let list = this.readyByWorkspace.get(e.workspace);
    if (!list) {
      list = [];
      this.readyByWorkspace.set(e.workspace, list);
      this.rotation.push(e.workspace);
    }
    list.push(id);
    this.readyCount++;
    this.options.observer?.onDepth?.(this.readyCount);
    if (this.waiters.length > 0 && !this.handOffScheduled) {
      // Idle workers get their keys a microtask later, not inside add(): adds of one synchronous
      // burst (a watch chunk, a list's init-done, a released workspace) then coalesce per key and
      // are shared round-robin, instead of the first add marking its key in flight and the second
      // making it run twice (client-go's Get also wakes up after Add returns).
      this.handOffScheduled = true;
      queueMicrotask(() => this.handOff());
    }
  }

  private handOff(): void {
    this.handOffScheduled = false;
    while (this.waiters.length > 0) {
      const key = this.take();
      if (key === undefined) return;
      this.waiters.shift()!(key);
    }
  }

  private take(): K | undefined {
    while (this.rotation.length > 0) {
      const ws = this.rotation.shift()!;
      const list = this.readyByWorkspace.get(ws)!;
      const id = list.shift()!;
      this.readyCount--;
      if (list.length > 0) this.rotation.push(ws);
      else this.readyByWorkspace.delete(ws);
      const e = this.entries.get(id);
      if (!e?.ready) continue;
      e.ready = false;
      e.processing = true;
      this.options.observer?.onDepth?.(this.readyCount);
      this.options.observer?.onGet?.(e.workspace, this.now() - e.readySince);
      return e.key;
    }
    return undefined;
  }

  private clearTimer(e: Entry<K>): void {
    if (e.timer !== undefined) {
      clearTimeout(e.timer);
      e.timer = undefined;
    }
  }

  /** Drops bookkeeping for idle keys with nothing pending, so the map does not grow forever. */
  private gc(e: Entry<K>): void {
    if (!e.ready && !e.processing && e.timer === undefined && e.failures === 0) {
      this.entries.delete(this.options.id(e.key));
    }
  }
}
