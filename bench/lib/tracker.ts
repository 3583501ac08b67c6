import { CLUSTER_ANNOTATION, type KubeClient, type KubeObject } from "@kcp-mesh/sdk";
import { objectKey } from "./reconcile-starts.js";
import { runWildcardWatch } from "./wildcard-watch.js";

/** What the driver keeps of each object: enough to tell whether its status is written. */
interface Seen {
  generation: number;
  observedGeneration: number | undefined;
  phase: string | undefined;
  counter: number | undefined;
  seen: number | undefined;
  resourceVersion: string;
  hasStatus: boolean;
}

interface Waiter {
  generation: number;
  t0: number;
  resolve: (latencyMs: number) => void;
}

export const keyOf = (o: KubeObject) =>
  objectKey(o.metadata.annotations?.[CLUSTER_ANNOTATION] ?? "?", o.metadata.namespace, o.metadata.name);

/**
 * The driver's view of every object, through its own wildcard watch of the virtual workspace
 * (admin credentials): counts objects whose status is written for their current generation
 * (`status.observedGeneration == metadata.generation`, `phase == Ready`, `status.seen == spec.counter`)
 * and times write->status latencies.
 */
export class StatusTracker {
  private readonly objects = new Map<string, Seen>();
  private readonly waiters = new Map<string, Waiter[]>();
  private doneCount = 0;
  private statusCount = 0;
  private changed = new Set<() => void>();
  private readonly abort = new AbortController();
  private syncedOnce!: Promise<void>;
  relists = 0;

  constructor(
    /** Admin client for the virtual workspace (a getter: it changes when kcp restarts). */
    private readonly vw: () => KubeClient,
    private readonly path: string,
  ) {}

  start(): Promise<void> {
    let resolveSynced!: () => void;
    this.syncedOnce = new Promise((r) => {
      resolveSynced = r;
    });
    void runWildcardWatch({
      client: this.vw,
      path: this.path,
      signal: this.abort.signal,
      timeoutSeconds: 120,
      onListed: (items, relist) => {
        if (relist) this.relists++;
        const fresh = new Set<string>();
        for (const o of items) {
          const k = keyOf(o);
          fresh.add(k);
          this.put(k, o);
        }
        for (const k of [...this.objects.keys()]) if (!fresh.has(k)) this.remove(k);
        this.notify();
      },
      onSynced: () => resolveSynced(),
      onEvent: (ev) => {
        const k = keyOf(ev.object);
        if (ev.type === "DELETED") this.remove(k);
        else this.put(k, ev.object);
        this.notify();
      },
    });
    return this.syncedOnce;
  }

  stop(): void {
    this.abort.abort();
  }

  get size(): number {
    return this.objects.size;
  }
  /** Objects whose status is written for their current generation. */
  get done(): number {
    return this.doneCount;
  }
  /** Objects with any status at all. */
  get withStatus(): number {
    return this.statusCount;
  }
  keys(): string[] {
    return [...this.objects.keys()];
  }
  resourceVersions(): Map<string, string> {
    return new Map([...this.objects].map(([k, v]) => [k, v.resourceVersion]));
  }

  /** Resolves with the latency once `key` has status written for `generation` (or newer). */
  expect(key: string, generation: number, t0: number): Promise<number> {
    return new Promise((resolve) => {
      const cur = this.objects.get(key);
      if (cur && isDone(cur) && cur.generation >= generation) {
        resolve(performance.now() - t0);
        return;
      }
      const list = this.waiters.get(key) ?? [];
      list.push({ generation, t0, resolve });
      this.waiters.set(key, list);
    });
  }

  /** Waits until `pred()` holds, re-checking on every change; rejects after `timeoutMs` saying what it saw. */
  until(what: string, pred: () => boolean, timeoutMs: number, progress?: () => void): Promise<number> {
    const t0 = performance.now();
    return new Promise((resolve, reject) => {
      const tick = progress ? setInterval(progress, 5000) : undefined;
      const check = () => {
        if (pred()) {
          finish();
          resolve(performance.now() - t0);
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(
          new Error(
            `timed out after ${timeoutMs / 1000}s waiting for ${what} (objects ${this.size}, done ${this.done}, with status ${this.withStatus})`,
          ),
        );
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        if (tick) clearInterval(tick);
        this.changed.delete(check);
      };
      this.changed.add(check);
      check();
    });
  }

  private notify(): void {
    for (const c of [...this.changed]) c();
  }

  private put(key: string, o: KubeObject): void {
    const old = this.objects.get(key);
    if (old) this.uncount(old);
    const status = (o.status ?? undefined) as
      | { observedGeneration?: number; phase?: string; seen?: number }
      | undefined;
    const spec = (o.spec ?? {}) as { counter?: number };
    const s: Seen = {
      generation: o.metadata.generation ?? 0,
      observedGeneration: status?.observedGeneration,
      phase: status?.phase,
      counter: spec.counter,
      seen: status?.seen,
      resourceVersion: o.metadata.resourceVersion ?? "",
      hasStatus: status !== undefined && Object.keys(status).length > 0,
    };
    this.objects.set(key, s);
    this.count(s);
    if (isDone(s)) {
      const ws = this.waiters.get(key);
      if (ws) {
        const now = performance.now();
        const keep = ws.filter((w) => {
          if (s.generation >= w.generation) {
            w.resolve(now - w.t0);
            return false;
          }
          return true;
        });
        if (keep.length) this.waiters.set(key, keep);
        else this.waiters.delete(key);
      }
    }
  }

  private remove(key: string): void {
    const old = this.objects.get(key);
    if (!old) return;
    this.uncount(old);
    this.objects.delete(key);
  }

  private count(s: Seen): void {
    if (isDone(s)) this.doneCount++;
    if (s.hasStatus) this.statusCount++;
  }
  private uncount(s: Seen): void {
    if (isDone(s)) this.doneCount--;
    if (s.hasStatus) this.statusCount--;
  }
}

function isDone(s: Seen): boolean {
  return s.observedGeneration === s.generation && s.phase === "Ready" && s.seen === s.counter;
}
