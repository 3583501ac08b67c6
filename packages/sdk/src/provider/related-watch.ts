import type { Infer } from "../api/infer.js";
import type { AnyResource } from "../api/resource.js";
import type { Item, ObjectRef } from "../runtime/item.js";
import type { WatchTarget } from "../runtime/target.js";
import type { RelatedWatch } from "./provider-options.js";
import { resourceTarget } from "./resource-target.js";

/**
 * A related watch whose `map` gets typed items: of the zod resource's storage version for a
 * resource definition, of the target's type for a {@link WatchTarget}. Written inline in
 * `related: [...]`, `map` would only get `Item<unknown>`.
 *
 * @example
 * ```ts
 * provider.reconcile(Record, handler, {
 *   // A Zone change reconciles the Records of its workspace that name it.
 *   related: [
 *     relatedWatch(Zone, (zone) =>
 *       provider
 *         .store(Record)
 *         .list({ workspace: zone.workspace })
 *         .filter((r) => r.valid && r.object.spec.zone === zone.name),
 *     ),
 *   ],
 * });
 * ```
 */
export function relatedWatch<R extends AnyResource>(
  resource: R,
  map?: (item: Item<Infer<R>>) => readonly ObjectRef[],
): RelatedWatch<Infer<R>>;
export function relatedWatch<T>(
  target: WatchTarget<T>,
  map?: (item: Item<T>) => readonly ObjectRef[],
): RelatedWatch<T>;
export function relatedWatch<T>(
  target: WatchTarget<T> | AnyResource,
  map?: (item: Item<T>) => readonly ObjectRef[],
): RelatedWatch<T> {
  // A zod definition names its versions; a watch target names the one it watches.
  const t = ("storageVersion" in target ? resourceTarget(target) : target) as WatchTarget<T>;
  return map ? { target: t, map: (item) => [...map(item)] } : { target: t };
}
