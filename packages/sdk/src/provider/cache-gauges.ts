import type { RuntimeMetrics } from "../observability/metrics.js";
import type { WatchStats } from "../runtime/watch-stats.js";
import type { Informers } from "./informers.js";

/**
 * Sets the cache gauges (objects per resource and workspace, invalid objects, open watches) from
 * the caches themselves, at scrape time: counting is cheaper than tracking every change.
 */
export function collectCacheGauges(metrics: RuntimeMetrics, informers: Informers, stats: WatchStats): void {
  metrics.cachedObjects.reset();
  metrics.invalidObjects.reset();
  metrics.watches.reset();
  for (const inf of informers.all()) {
    const resource = inf.name;
    let invalid = 0;
    for (const ws of inf.store.workspaces()) {
      const items = inf.store.list({ workspace: ws });
      metrics.cachedObjects.set({ resource, workspace: ws }, items.length);
      for (const i of items) if (!i.valid) invalid++;
    }
    if (inf.owner) metrics.invalidObjects.set({ resource }, invalid);
  }
  for (const [resource, n] of Object.entries(stats.watchers())) metrics.watches.set({ resource }, n);
}
