import type { KubeObject } from "../util/objects.js";
import { Observable } from "../util/rx.js";
import { Engagement, type EngagementOptions, type InformerOptions } from "./engagement.js";
import type { WatchEvent } from "./events.js";
import type { WatchTarget } from "./target.js";

export { API_BINDINGS, type WatchSource } from "./engagement.js";

/** Options of {@link watch}: where and how (see {@link EngagementOptions}), and what to select. */
export interface WatchOptions extends EngagementOptions, InformerOptions {
  /** Server-side label selector. */
  labelSelector?: string;
  fieldSelector?: string;
}

/**
 * Every object of a resource in every workspace served at the source's endpoints, as a stream
 * that never ends by itself and never errors: disconnects, expired resourceVersions, restarts of
 * kcp and empty shards are handled inside, counted in `options.stats` and logged.
 *
 * Per endpoint, the stream starts with `init-start`, the listed objects (`added`), `init-done`,
 * then live `added`/`modified`/`deleted` events; each relist repeats that pattern, reporting
 * objects that vanished meanwhile as `deleted`. Every object event carries `workspace` (the
 * `kcp.io/cluster` annotation), `key` (`workspace/namespace/name`) and `endpoint`. Objects that
 * fail `target.validate` come flagged `valid: false` with the issues.
 *
 * Cold: each subscription runs its own watches; unsubscribing stops them. Share one with
 * `share()` and feed a {@link Store} from it.
 *
 * @example
 * ```ts
 * const provider = KubeClient.fromKubeConfig({ path: "provider.kubeconfig" });
 * watch({ group: "example.io", version: "v1", plural: "widgets", namespaced: true }, {
 *   source: { client: provider, exportName: "widgets.example.io" },
 * }).subscribe((ev) => console.log(ev.type, "key" in ev ? ev.key : ""));
 * ```
 */
export function watch<T = KubeObject>(
  target: WatchTarget<T>,
  options: WatchOptions,
): Observable<WatchEvent<T>> {
  return new Observable<WatchEvent<T>>((subscriber) => {
    const engagement = new Engagement(options);
    engagement.add(target, (ev) => subscriber.next(ev), {
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      ...(options.keepManagedFields !== undefined && { keepManagedFields: options.keepManagedFields }),
    });
    engagement.start();
    return () => {
      void engagement.stop();
    };
  });
}
