import type { Observable, Subscription } from "rxjs";
import type { KubeObject } from "../util/objects.js";
import { isObjectEvent, type WatchEvent } from "./events.js";
import { type Item, itemOf, objectKey } from "./item.js";

/** A custom index: the values an item is filed under (e.g. an owner's name, a label's value). */
export type IndexFunction<T> = (item: Item<T>) => readonly string[];

/** Options of a {@link Store}. */
export interface StoreOptions<T, I extends string = string> {
  /** Custom indexes by name, queried with {@link Store.byIndex}. */
  indexes?: Record<I, IndexFunction<T>>;
}

/**
 * The cache fed by `watch()`: one writer (the event stream), many readers. Keyed by
 * (workspace, namespace, name), so equal names in different workspaces never collide.
 *
 * Items are the frozen objects the watcher decoded (managedFields already dropped); reads return
 * them as they are, without defensive copies. A relist of an endpoint is buffered and swapped in
 * at its `init-done` in one synchronous step, so readers never see a half-listed cache, and memory
 * peaks at about twice the endpoint's objects.
 */
export class Store<T = KubeObject, I extends string = string> {
  private readonly items = new Map<string, Item<T>>();
  private readonly byWorkspace = new Map<string, Set<string>>();
  private readonly byNamespace = new Map<string, Set<string>>();
  private readonly byEndpoint = new Map<string, Set<string>>();
  private readonly custom = new Map<string, Map<string, Set<string>>>();
  private readonly buffers = new Map<string, Map<string, Item<T>>>();
  private readonly started = new Set<string>();
  private readonly syncedEndpoints = new Set<string>();
  private expected: Set<string> | undefined;
  private isSynced = false;
  private waiters: (() => void)[] = [];
  private readonly indexFns: [string, IndexFunction<T>][];

  constructor(options: StoreOptions<T, I> = {}) {
    this.indexFns = Object.entries(options.indexes ?? {}) as [string, IndexFunction<T>][];
    for (const [name] of this.indexFns) this.custom.set(name, new Map());
  }

  /** Feeds the store from a `watch()` stream; unsubscribe to stop. */
  connect(events$: Observable<WatchEvent<T>>): Subscription {
    return events$.subscribe((ev) => this.apply(ev));
  }

  /** Applies one event. */
  apply(ev: WatchEvent<T>): void {
    if (isObjectEvent(ev)) {
      const buffer = this.buffers.get(ev.endpoint);
      if (!ev.initial || !buffer) {
        if (ev.type === "deleted") this.remove(ev.key);
        else this.upsert(itemOf(ev));
      }
      if (buffer) {
        if (ev.type === "deleted") buffer.delete(ev.key);
        else buffer.set(ev.key, itemOf(ev));
      }
      return;
    }
    switch (ev.type) {
      case "init-start":
        this.started.add(ev.endpoint);
        this.buffers.set(ev.endpoint, new Map());
        return;
      case "init-done":
        this.started.add(ev.endpoint);
        this.swap(ev.endpoint);
        this.syncedEndpoints.add(ev.endpoint);
        this.checkSync();
        return;
      case "endpoints": {
        this.expected = new Set(ev.endpoints);
        for (const endpoint of [...this.byEndpoint.keys(), ...this.started]) {
          if (!this.expected.has(endpoint)) this.dropEndpoint(endpoint);
        }
        this.checkSync();
        return;
      }
      case "disengaged":
        for (const key of [...(this.byWorkspace.get(ev.workspace) ?? [])]) {
          if (this.items.get(key)?.endpoint === ev.endpoint) this.remove(key);
        }
        for (const item of [...(this.buffers.get(ev.endpoint)?.values() ?? [])]) {
          if (item.workspace === ev.workspace) this.buffers.get(ev.endpoint)?.delete(item.key);
        }
        return;
      case "engaged":
      case "terminating":
        return;
    }
  }

  /**
   * Whether a (re)list of the endpoint is being buffered: its objects reach {@link get} and
   * {@link list} only at its `init-done`, all at once.
   */
  listing(endpoint: string): boolean {
    return this.buffers.has(endpoint);
  }

  /** One object, or `undefined`. */
  get(ref: { workspace: string; namespace?: string | undefined; name: string }): Item<T> | undefined {
    return this.items.get(objectKey(ref));
  }

  /** All objects, or those of one workspace and/or namespace. */
  list(filter: { workspace?: string; namespace?: string } = {}): Item<T>[] {
    let keys: Iterable<string>;
    if (filter.workspace !== undefined) {
      keys = this.byWorkspace.get(filter.workspace) ?? [];
    } else if (filter.namespace !== undefined) {
      keys = this.byNamespace.get(filter.namespace) ?? [];
    } else {
      return [...this.items.values()];
    }
    const out: Item<T>[] = [];
    for (const key of keys) {
      const item = this.items.get(key)!;
      if (filter.namespace === undefined || item.namespace === filter.namespace) out.push(item);
    }
    return out;
  }

  /** Objects filed under `value` by a custom index. */
  byIndex(index: I, value: string): Item<T>[] {
    const idx = this.custom.get(index);
    if (!idx) throw new Error(`no index named "${index}"`);
    return [...(idx.get(value) ?? [])].map((k) => this.items.get(k)!);
  }

  /** Workspaces that have at least one object here. */
  workspaces(): string[] {
    return [...this.byWorkspace.keys()];
  }

  get size(): number {
    return this.items.size;
  }

  /** True once every endpoint has been listed once (sticky, like an informer's HasSynced). */
  get synced(): boolean {
    return this.isSynced;
  }

  /** Resolves once {@link synced}; rejects on timeout (default none) or abort. */
  waitForSync(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    if (this.isSynced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => finish(options.signal?.reason ?? new Error("aborted"));
      const finish = (err?: unknown) => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        if (err) reject(err);
        else resolve();
      };
      const waiter = () => finish();
      this.waiters.push(waiter);
      if (options.timeoutMs !== undefined) {
        timer = setTimeout(
          () => finish(new Error(`store not synced after ${options.timeoutMs} ms (${this.syncReport()})`)),
          options.timeoutMs,
        );
      }
      if (options.signal?.aborted) onAbort();
      else options.signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  private syncReport(): string {
    const expected = this.expected ? [...this.expected] : [...this.started];
    const missing = expected.filter((e) => !this.syncedEndpoints.has(e));
    return expected.length === 0 && !this.expected
      ? "no endpoint has started listing"
      : `endpoints not listed yet: ${missing.join(", ") || "none"}`;
  }

  private checkSync(): void {
    if (this.isSynced) return;
    const expected = this.expected ?? this.started;
    if (!this.expected && expected.size === 0) return;
    for (const e of expected) if (!this.syncedEndpoints.has(e)) return;
    this.isSynced = true;
    for (const w of this.waiters) w();
  }

  private swap(endpoint: string): void {
    const buffer = this.buffers.get(endpoint);
    this.buffers.delete(endpoint);
    if (!buffer) return;
    for (const key of [...(this.byEndpoint.get(endpoint) ?? [])]) {
      if (!buffer.has(key)) this.remove(key);
    }
    for (const item of buffer.values()) {
      if (this.items.get(item.key) !== item) this.upsert(item);
    }
  }

  private dropEndpoint(endpoint: string): void {
    for (const key of [...(this.byEndpoint.get(endpoint) ?? [])]) this.remove(key);
    this.byEndpoint.delete(endpoint);
    this.buffers.delete(endpoint);
    this.started.delete(endpoint);
    this.syncedEndpoints.delete(endpoint);
  }

  private upsert(item: Item<T>): void {
    const old = this.items.get(item.key);
    if (old) this.unindex(old);
    this.items.set(item.key, item);
    add(this.byWorkspace, item.workspace, item.key);
    add(this.byNamespace, item.namespace ?? "", item.key);
    add(this.byEndpoint, item.endpoint, item.key);
    for (const [name, fn] of this.indexFns) {
      for (const v of safeIndex(fn, item)) add(this.custom.get(name)!, v, item.key);
    }
  }

  private remove(key: string): void {
    const old = this.items.get(key);
    if (!old) return;
    this.unindex(old);
    this.items.delete(key);
  }

  private unindex(item: Item<T>): void {
    del(this.byWorkspace, item.workspace, item.key);
    del(this.byNamespace, item.namespace ?? "", item.key);
    del(this.byEndpoint, item.endpoint, item.key);
    for (const [name, fn] of this.indexFns) {
      for (const v of safeIndex(fn, item)) del(this.custom.get(name)!, v, item.key);
    }
  }
}

function safeIndex<T>(fn: IndexFunction<T>, item: Item<T>): readonly string[] {
  try {
    return fn(item);
  } catch {
    return [];
  }
}

function add(map: Map<string, Set<string>>, k: string, v: string): void {
  let s = map.get(k);
  if (!s) {
    s = new Set();
    map.set(k, s);
  }
  s.add(v);
}

function del(map: Map<string, Set<string>>, k: string, v: string): void {
  const s = map.get(k);
  if (!s) return;
  s.delete(v);
  if (s.size === 0) map.delete(k);
}
