import { Counter, Gauge, Histogram, Registry } from "./prom.js";

/**
 * The runtime's Prometheus metrics. Names follow controller-runtime where they mean the same
 * (`controller_runtime_*`, `workqueue_*`), so existing dashboards fit; kcp-specific ones are
 * prefixed `kcp_mesh_`. Every per-object series carries the workspace label.
 */
export class RuntimeMetrics {
  readonly registry: Registry;
  readonly reconcileTotal: Counter<"controller" | "result" | "workspace">;
  readonly reconcileErrors: Counter<"controller" | "workspace">;
  readonly reconcileTime: Histogram<"controller">;
  readonly activeWorkers: Gauge<"controller">;
  readonly queueDepth: Gauge<"name">;
  readonly queueAdds: Counter<"name" | "workspace">;
  readonly queueDuration: Histogram<"name">;
  readonly queueRetries: Counter<"name" | "workspace">;
  readonly watchRestarts: Counter<"resource" | "endpoint" | "reason">;
  readonly cachedObjects: Gauge<"resource" | "workspace">;
  readonly engagedWorkspaces: Gauge<"export">;
  readonly invalidObjects: Gauge<"resource">;
  readonly notReady: Gauge<"reason">;
  readonly watches: Gauge<"resource">;
  /** Called before each scrape, to set gauges that are cheaper to compute than to track (cache sizes). */
  readonly onCollect: (() => void)[] = [];

  constructor(registry = new Registry()) {
    this.registry = registry;
    const r = [registry];
    this.reconcileTotal = new Counter({
      name: "controller_runtime_reconcile_total",
      help: "Total number of reconciliations per controller and result (success, error, requeue_after, terminal_error, invalid, skipped, aborted)",
      labelNames: ["controller", "result", "workspace"],
      registers: r,
    });
    this.reconcileErrors = new Counter({
      name: "controller_runtime_reconcile_errors_total",
      help: "Total number of reconciliation errors per controller",
      labelNames: ["controller", "workspace"],
      registers: r,
    });
    this.reconcileTime = new Histogram({
      name: "controller_runtime_reconcile_time_seconds",
      help: "Length of time per reconciliation per controller",
      labelNames: ["controller"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: r,
    });
    this.activeWorkers = new Gauge({
      name: "controller_runtime_active_workers",
      help: "Number of currently used workers per controller",
      labelNames: ["controller"],
      registers: r,
    });
    this.queueDepth = new Gauge({
      name: "workqueue_depth",
      help: "Current depth of workqueue",
      labelNames: ["name"],
      registers: r,
    });
    this.queueAdds = new Counter({
      name: "workqueue_adds_total",
      help: "Total number of adds handled by workqueue",
      labelNames: ["name", "workspace"],
      registers: r,
    });
    this.queueDuration = new Histogram({
      name: "workqueue_queue_duration_seconds",
      help: "How long in seconds an item stays in workqueue before being requested",
      labelNames: ["name"],
      buckets: [0.001, 0.01, 0.1, 0.5, 1, 5, 10, 60, 300],
      registers: r,
    });
    this.queueRetries = new Counter({
      name: "workqueue_retries_total",
      help: "Total number of retries handled by workqueue",
      labelNames: ["name", "workspace"],
      registers: r,
    });
    this.watchRestarts = new Counter({
      name: "kcp_mesh_watch_restarts_total",
      help: "Watches restarted after an error, a disconnect or inactivity, per resource and endpoint",
      labelNames: ["resource", "endpoint", "reason"],
      registers: r,
    });
    const collect = () => {
      for (const f of this.onCollect) f();
    };
    this.cachedObjects = new Gauge({
      name: "kcp_mesh_cached_objects",
      collect,
      help: "Objects in the runtime's cache per resource and workspace",
      labelNames: ["resource", "workspace"],
      registers: r,
    });
    this.engagedWorkspaces = new Gauge({
      name: "kcp_mesh_engaged_workspaces",
      help: "Workspaces whose APIBinding to the export is ready",
      labelNames: ["export"],
      registers: r,
    });
    this.invalidObjects = new Gauge({
      name: "kcp_mesh_invalid_objects",
      help: "Cached objects that fail their resource's schema",
      labelNames: ["resource"],
      registers: r,
    });
    this.watches = new Gauge({
      name: "kcp_mesh_watches",
      collect,
      help: "List+watch loops running per resource (endpoint slices and APIBindings included): one per resource and endpoint",
      labelNames: ["resource"],
      registers: r,
    });
    this.notReady = new Gauge({
      name: "kcp_mesh_provider_not_ready",
      help: "1 for the reason the provider is not ready (as /readyz says), absent when ready",
      labelNames: ["reason"],
      registers: r,
    });
  }
}
