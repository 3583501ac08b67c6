import type { MonoTypeOperatorFunction, OperatorFunction } from "rxjs";
import type { KubeObject } from "../util/objects.js";
import { filter } from "../util/rx.js";
import { isObjectEvent, type ObjectEvent, type WatchEvent } from "./events.js";
import type { Item } from "./item.js";
import { labelMatcher } from "./label-selector.js";

/** Keeps only object events (added/modified/deleted). */
export function objectEvents<T>(): OperatorFunction<WatchEvent<T>, ObjectEvent<T>> {
  return filter((ev): ev is ObjectEvent<T> => isObjectEvent(ev));
}

function metaOf<T>(item: Item<T>): KubeObject["metadata"] | undefined {
  // `object` is T for valid items, and a typed value always keeps its metadata.
  return (item.object as { metadata?: KubeObject["metadata"] } | undefined)?.metadata;
}

/**
 * Drops `modified` events that did not change `metadata.generation` (status-only writes, relist
 * repeats), which is what most reconcilers want. Objects without a generation pass when their
 * resourceVersion changed. Other event types pass.
 */
export function generationChanged<T, E extends WatchEvent<T>>(): MonoTypeOperatorFunction<E> {
  return filter((ev) => {
    if (ev.type !== "modified" || !ev.old) return true;
    const gen = metaOf(ev)?.generation;
    const oldGen = metaOf(ev.old)?.generation;
    if (gen === undefined || oldGen === undefined) return ev.resourceVersion !== ev.old.resourceVersion;
    return gen !== oldGen;
  });
}

/**
 * Drops `modified` events whose resourceVersion did not change: the repeats of a relist. Other
 * event types pass.
 */
export function changedOnly<T, E extends WatchEvent<T>>(): MonoTypeOperatorFunction<E> {
  return filter((ev) => ev.type !== "modified" || !ev.old || ev.old.resourceVersion !== ev.resourceVersion);
}

/**
 * Keeps object events whose labels match a selector (`app=web,env in (a,b)` or `{ app: "web" }`).
 * Non-object events pass. For server-side filtering pass `labelSelector` to `watch()` instead.
 */
export function matchingLabels<T, E extends WatchEvent<T>>(
  selector: string | Readonly<Record<string, string>>,
): MonoTypeOperatorFunction<E> {
  const match = labelMatcher(selector);
  return filter((ev) => !isObjectEvent(ev) || match(metaOf(ev)?.labels));
}

/** Keeps events of the given workspace(s) (logical cluster ids); `init-*` and `endpoints` events pass. */
export function inWorkspace<T, E extends WatchEvent<T>>(
  ...workspaces: readonly string[]
): MonoTypeOperatorFunction<E> {
  const set = new Set(workspaces);
  return filter((ev) => !("workspace" in ev) || set.has(ev.workspace));
}

/** Keeps object events of objects that passed validation, typed accordingly. */
export function validOnly<T>(): OperatorFunction<WatchEvent<T>, ObjectEvent<T> & { valid: true }> {
  return filter((ev): ev is ObjectEvent<T> & { valid: true } => isObjectEvent(ev) && ev.valid);
}
