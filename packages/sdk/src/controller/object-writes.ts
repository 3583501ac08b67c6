import { isDeepStrictEqual } from "node:util";
import type { Logger } from "pino";
import { type ObjectRef, objectKey } from "../runtime/item.js";
import type { KubeClient } from "../transport/kube-client.js";
import type { KubeObject } from "../util/objects.js";
import type { Condition } from "./conditions.js";
import type { JsonPatchOp } from "./finalizers.js";
import type { ResourceCoordinates } from "./object-paths.js";
import { WriteTracker } from "./read-your-writes.js";
import type { CachedEntry } from "./reconcile-types.js";
import { StatusWriter } from "./status-writer.js";

/** What {@link ObjectWrites} needs: where to write, as whom, and how to read the cache. */
export interface ObjectWritesOptions {
  resource: ResourceCoordinates;
  fieldManager: string;
  clientFor: (endpoint: string) => KubeClient;
  lookup: (key: ObjectRef) => CachedEntry | undefined;
  /** How long a reconcile waits for the cache to show the runtime's own last write. */
  cacheWaitTimeoutMs: number;
  log: Logger;
}

/**
 * Every write the controller makes to a consumer's object (status, conditions, finalizer patches),
 * and what it must remember about them: the fields its status owns (to remove one the handler
 * stopped setting) and the version it last wrote (read-your-writes: the next reconcile waits until
 * the cache shows it). One owner for "what the runtime wrote".
 */
export class ObjectWrites {
  private readonly writers = new Map<string, StatusWriter>();
  private readonly tracker = new WriteTracker();
  /** Status fields the last apply of each key set, to notice a field the handler stopped setting. */
  private readonly writtenFields = new Map<string, string[]>();

  constructor(private readonly options: ObjectWritesOptions) {}

  /** The cached entry once it shows at least the runtime's last write of the key (bounded wait). */
  fresh(key: ObjectRef): Promise<CachedEntry | undefined> {
    return this.tracker.fresh(
      objectKey(key),
      () => this.options.lookup(key),
      this.options.cacheWaitTimeoutMs,
      (want) =>
        this.options.log.warn(
          { workspace: key.workspace, namespace: key.namespace, name: key.name, want },
          "cache did not catch up with the last status write in time",
        ),
    );
  }

  /** The cache changed for a key: a reconcile waiting in {@link fresh} looks again. */
  observed(key: ObjectRef): void {
    this.tracker.observed(objectKey(key));
  }

  /** Forgets a key (gone) or, with a `workspace/` prefix, every key of a workspace. */
  forget(id: string): void {
    this.tracker.forget(id);
    this.writtenFields.delete(id);
  }

  forgetPrefix(prefix: string): void {
    this.tracker.forgetPrefix(prefix);
    for (const k of this.writtenFields.keys()) if (k.startsWith(prefix)) this.writtenFields.delete(k);
  }

  /**
   * Writes `status` as the runtime's whole status. Skipped when every field already has that value
   * and no field the runtime wrote before is left to remove, so a resync writes nothing and causes
   * no watch event.
   */
  async applyStatus(
    key: ObjectRef,
    entry: CachedEntry,
    status: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<void> {
    const id = objectKey(key);
    const current = (entry.object.status ?? {}) as Record<string, unknown>;
    const keys = Object.keys(status);
    const owned = this.writtenFields.get(id);
    const extra = Object.keys(current).filter((k) => !keys.includes(k));
    // After a restart nothing says whether the extra fields are the runtime's: the writer looks.
    const nothingToRemove =
      extra.length === 0 || (owned !== undefined && !extra.some((k) => owned.includes(k)));
    if (nothingToRemove && keys.every((k) => isDeepStrictEqual(current[k], status[k]))) return;
    const written = await this.writer(entry.endpoint).applyStatus(key, status, {
      signal,
      current: entry.object,
      ...(owned && { owned }),
    });
    this.writtenFields.set(id, keys);
    this.wrote(id, written);
  }

  /** Writes conditions alone, leaving the rest of the status as it is; nothing when unchanged. */
  async reportConditions(
    key: ObjectRef,
    entry: CachedEntry,
    conditions: Condition[],
    signal: AbortSignal,
  ): Promise<void> {
    const current = (entry.object.status as { conditions?: Condition[] } | undefined)?.conditions;
    if (isDeepStrictEqual(current ?? [], conditions)) return;
    this.wrote(objectKey(key), await this.writer(entry.endpoint).mergeStatus(key, { conditions }, signal));
  }

  /**
   * A JSON patch of the object's metadata (finalizers), re-read and retried on conflict. Returns the
   * object written, or `undefined` when the object is gone or the patch had nothing to do.
   */
  async patch(
    key: ObjectRef,
    entry: CachedEntry,
    ops: (o: KubeObject) => JsonPatchOp[] | undefined,
    signal: AbortSignal,
  ): Promise<KubeObject | undefined> {
    const written = await this.writer(entry.endpoint).patchWithRetry(key, entry.object, ops, signal);
    this.wrote(objectKey(key), written);
    return written;
  }

  private wrote(id: string, written: KubeObject | undefined): void {
    if (written) this.tracker.wrote(id, written.metadata.resourceVersion);
  }

  private writer(endpoint: string): StatusWriter {
    let w = this.writers.get(endpoint);
    if (!w) {
      w = new StatusWriter(
        this.options.clientFor(endpoint),
        this.options.resource,
        this.options.fieldManager,
      );
      this.writers.set(endpoint, w);
    }
    return w;
  }
}
