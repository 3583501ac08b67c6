import type { KubeObject } from "../../util/objects.js";

/** Where an object lives: logical cluster, resource (`<group>/<plural>`), namespace, name. */
export interface ObjectAddress {
  cluster: string;
  resource: string;
  namespace: string;
  name: string;
}

/** One write, as watches replay it. */
export interface Change extends ObjectAddress {
  rv: number;
  type: "ADDED" | "MODIFIED" | "DELETED";
  object: KubeObject;
  /** The object before the write (for MODIFIED and DELETED). */
  previous?: KubeObject;
}

const keyOf = (a: ObjectAddress) => `${a.cluster}\u0000${a.resource}\u0000${a.namespace}\u0000${a.name}`;

/**
 * All objects of every logical cluster, with one resourceVersion counter for all of them (as kcp's
 * single etcd has) and a bounded history of writes that watches resume from. History older than
 * `compactedRv` is gone: resuming from there is a 410, as after an etcd compaction.
 */
export class ObjectStore {
  private rv = 1000;
  private readonly objects = new Map<string, Change>();
  private history: Change[] = [];
  /** Writes at or below this resourceVersion can no longer be replayed. */
  compactedRv = 1000;
  private readonly listeners = new Set<(c: Change) => void>();

  constructor(private readonly historyLimit = 50_000) {}

  /** The newest resourceVersion. */
  get resourceVersion(): number {
    return this.rv;
  }

  get(a: ObjectAddress): KubeObject | undefined {
    return this.objects.get(keyOf(a))?.object;
  }

  /** Objects of one resource matching the filter, in a stable order (cluster, namespace, name). */
  list(
    resource: string,
    filter: (a: ObjectAddress) => boolean,
  ): { address: ObjectAddress; key: string; object: KubeObject }[] {
    const out: { address: ObjectAddress; key: string; object: KubeObject }[] = [];
    for (const [key, c] of this.objects) {
      if (c.resource === resource && filter(c)) out.push({ address: c, key, object: c.object });
    }
    return out.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
  }

  /** Every address in a logical cluster (to drop a deleted workspace). */
  addressesIn(cluster: string): ObjectAddress[] {
    return [...this.objects.values()].filter((c) => c.cluster === cluster);
  }

  /** Stores `object` (its resourceVersion is set here) and tells the watchers. */
  put(a: ObjectAddress, object: KubeObject): KubeObject {
    const key = keyOf(a);
    const previous = this.objects.get(key)?.object;
    const rv = ++this.rv;
    const stored = { ...object, metadata: { ...object.metadata, resourceVersion: String(rv) } };
    const change: Change = {
      ...a,
      rv,
      type: previous ? "MODIFIED" : "ADDED",
      object: stored,
      ...(previous && { previous }),
    };
    this.objects.set(key, change);
    this.record(change);
    return stored;
  }

  /** Removes an object; the DELETED event carries a new resourceVersion, as Kubernetes' does. */
  remove(a: ObjectAddress): KubeObject | undefined {
    const key = keyOf(a);
    const previous = this.objects.get(key)?.object;
    if (!previous) return undefined;
    this.objects.delete(key);
    const rv = ++this.rv;
    const object = { ...previous, metadata: { ...previous.metadata, resourceVersion: String(rv) } };
    this.record({ ...a, rv, type: "DELETED", object, previous });
    return object;
  }

  /** Writes after `rv`, or `undefined` when `rv` is older than the kept history. */
  since(rv: number): Change[] | undefined {
    if (rv < this.compactedRv) return undefined;
    // History is sorted by rv: find the first newer write.
    let lo = 0;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid]!.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.history.slice(lo);
  }

  /** Forgets all history: every resourceVersion older than now is too old to resume from. */
  compact(): void {
    this.history = [];
    this.compactedRv = this.rv;
  }

  subscribe(fn: (c: Change) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private record(change: Change): void {
    this.history.push(change);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compactedRv = dropped.at(-1)!.rv;
    }
    for (const fn of this.listeners) fn(change);
  }
}
