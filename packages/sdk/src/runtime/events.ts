import type { KubeObject } from "../util/objects.js";
import type { Item } from "./item.js";

/**
 * An object appeared, changed or went away. `initial` marks events of a (re)list, between
 * `init-start` and `init-done` of the same endpoint; a relist repeats unchanged objects as
 * `modified` (like an informer resync), with `old` set.
 */
export type ObjectEvent<T = KubeObject> = Item<T> & {
  readonly type: "added" | "modified" | "deleted";
  readonly initial: boolean;
  /** The previous state of the object for `modified` (and `deleted` when it was known). */
  readonly old?: Item<T> | undefined;
};

/** A (re)list of one endpoint begins: object events up to `init-done` are its contents. */
export interface InitStartEvent {
  readonly type: "init-start";
  readonly endpoint: string;
}

/** A (re)list of one endpoint is complete: objects not listed were reported `deleted` before this. */
export interface InitDoneEvent {
  readonly type: "init-done";
  readonly endpoint: string;
}

/**
 * The set of endpoint URLs (one per shard) changed. Objects of an endpoint that went away are
 * reported `deleted` before this event.
 */
export interface EndpointsEvent {
  readonly type: "endpoints";
  readonly endpoints: readonly string[];
}

/**
 * A workspace's binding became Ready (`engaged`), is being deleted (`terminating`: kcp has marked
 * its objects deleted and waits for their finalizers; only deletions should be processed), or is
 * gone (`disengaged`). Objects are reported `added` after `engaged` and `deleted` before
 * `disengaged`; drop any pending work and per-workspace state for a disengaged workspace.
 */
export interface WorkspaceEvent {
  readonly type: "engaged" | "terminating" | "disengaged";
  readonly workspace: string;
  readonly endpoint: string;
}

/** Everything `watch()` streams. */
export type WatchEvent<T = KubeObject> =
  | ObjectEvent<T>
  | InitStartEvent
  | InitDoneEvent
  | EndpointsEvent
  | WorkspaceEvent;

/** Narrows a {@link WatchEvent} to an object event. */
export function isObjectEvent<T>(ev: WatchEvent<T>): ev is ObjectEvent<T> {
  return ev.type === "added" || ev.type === "modified" || ev.type === "deleted";
}
