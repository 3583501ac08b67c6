import { CLUSTER_ANNOTATION, type KubeObject } from "../util/objects.js";
import type { ValidationIssue, WatchTarget } from "./target.js";

/** Where an object lives: its workspace (logical cluster id), namespace and name. */
export interface ObjectRef {
  /** The `kcp.io/cluster` annotation; `""` on a server that does not set it. */
  readonly workspace: string;
  /** `undefined` for cluster-scoped objects. */
  readonly namespace?: string | undefined;
  readonly name: string;
}

/** One cached object: where it lives, and the object itself, typed when it passed validation. */
export type Item<T = KubeObject> = ObjectRef & {
  /** `workspace/namespace/name`: unique across workspaces, unlike namespace/name. */
  readonly key: string;
  readonly resourceVersion: string;
  /** The virtual workspace URL (shard) the object came from. */
  readonly endpoint: string;
} & (
    | { readonly valid: true; readonly object: T }
    | {
        readonly valid: false;
        /** The object as the server sent it. */
        readonly object: KubeObject;
        readonly issues: readonly ValidationIssue[];
      }
  );

/** The key used everywhere for an object: `workspace/namespace/name` (namespace empty if cluster-scoped). */
export function objectKey(ref: ObjectRef): string {
  return `${ref.workspace}/${ref.namespace ?? ""}/${ref.name}`;
}

/** Options of {@link decodeItem}. */
export interface DecodeOptions {
  /** Keep `metadata.managedFields` (dropped by default: often half an object's size, rarely read). */
  keepManagedFields?: boolean;
}

/**
 * Turns an object off the wire into a cached {@link Item}: managedFields dropped, validated, and
 * deep-frozen, so every layer (watcher, store, user code) shares one copy safely. Never throws: a
 * throwing validator marks the object invalid.
 */
export function decodeItem<T>(
  target: WatchTarget<T>,
  raw: KubeObject,
  endpoint: string,
  options: DecodeOptions = {},
): Item<T> {
  const meta = raw.metadata ?? {};
  if (!options.keepManagedFields && meta.managedFields !== undefined) delete meta.managedFields;
  const ref = {
    workspace: meta.annotations?.[CLUSTER_ANNOTATION] ?? "",
    namespace: meta.namespace || undefined,
    name: meta.name ?? "",
  };
  const base = { ...ref, key: objectKey(ref), resourceVersion: meta.resourceVersion ?? "", endpoint };
  deepFreeze(raw);
  if (!target.validate) return Object.freeze({ ...base, valid: true, object: raw as T });
  let result: ReturnType<NonNullable<WatchTarget<T>["validate"]>>;
  try {
    result = target.validate(raw);
  } catch (err) {
    result = { ok: false, issues: [{ path: "", message: `validator threw: ${(err as Error).message}` }] };
  }
  if (result.ok) return Object.freeze({ ...base, valid: true, object: deepFreeze(result.value) });
  return Object.freeze({ ...base, valid: false, object: raw, issues: Object.freeze([...result.issues]) });
}

/** Freezes an object graph in place (JSON data: no cycles), and returns it. */
export function deepFreeze<V>(value: V): V {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * The item of an event, without the event's fields: what caches keep. Keeping the event itself
 * would keep its `old` (the previous version of the object) alive for as long as the entry.
 */
export function itemOf<T>(ev: Item<T> & { type?: unknown; initial?: unknown; old?: unknown }): Item<T> {
  const { type: _t, initial: _i, old: _o, ...item } = ev;
  return Object.freeze(item) as Item<T>;
}
