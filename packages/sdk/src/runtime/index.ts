/**
 * `@kcp-mesh/sdk/runtime`: the layers under `createProvider`, each usable alone, for teams that
 * build their own loop or test one layer. From the bottom: `listPage` and `openWatch` (transport),
 * `stepWatcher` (the list/watch state machine, pure) and `Watcher` (its driver), `Store` (what
 * exists), `watchEndpointSlice` and `WorkspaceGate` (which workspaces are bound), `Engagement` (one
 * of each per provider), `WorkQueue`, `Controller` and `StatusWriter` (reconciling), and the
 * observability pieces the provider wires up. Each folder's DESIGN.md says who owns what.
 *
 * Provider code rarely needs this entry point: `watch`, `Store` and the operators are exported by
 * the package root too.
 *
 * @example
 * ```ts
 * import { objectKey } from "@kcp-mesh/sdk";
 * import { WorkQueue } from "@kcp-mesh/sdk/runtime";
 *
 * // A work queue on its own: dedup per key, one worker per key, fairness across workspaces.
 * const queue = new WorkQueue<{ workspace: string; name: string }>({ id: objectKey, workspace: (k) => k.workspace });
 * queue.add({ workspace: "2x8wqk1fz", name: "a" });
 * const key = await queue.get();
 * queue.done(key!);
 * queue.shutDown();
 * ```
 *
 * @packageDocumentation
 */
export {
  Controller,
  type ControllerOptions,
  type InvalidResult,
  type ShutdownResult,
} from "../controller/controller.js";
export { addFinalizerPatch, type JsonPatchOp, removeFinalizerPatch } from "../controller/finalizers.js";
export { type LeaderElectionOptions, LeaderElector } from "../controller/leader-election.js";
export { objectPath, type ResourceCoordinates } from "../controller/object-paths.js";
export type { CachedEntry } from "../controller/reconcile-types.js";
export { StatusWriter } from "../controller/status-writer.js";
export { WorkQueue, type WorkQueueObserver, type WorkQueueOptions } from "../controller/work-queue.js";
export {
  type HealthServerOptions,
  type ReadinessCheck,
  startHealthServer,
} from "../observability/health-server.js";
export { RuntimeMetrics } from "../observability/metrics.js";
export { formatLogLine, logFormat, prettyDestination } from "../observability/pretty.js";
export { isSensitiveKey, REDACTED, redactString } from "../observability/redact.js";
export { statusValidator } from "../provider/resource-target.js";
export { Backoff, type BackoffOptions } from "./backoff.js";
export { ENDPOINT_SLICES, type EndpointSliceOptions, watchEndpointSlice } from "./endpoint-slice.js";
export { Engagement, type EngagementOptions, type InformerOptions } from "./engagement.js";
export { IdleTimer, InactivityError } from "./idle-timer.js";
export { type DecodeOptions, decodeItem, deepFreeze } from "./item.js";
export { type LabelMatcher, labelMatcher } from "./label-selector.js";
export { type ListPage, type ListPageOptions, listPage } from "./list-page.js";
export { collectionPath, targetName } from "./target.js";
export { API_BINDINGS } from "./watch.js";
export { type OpenWatchOptions, openWatch, type WatchStream } from "./watch-stream.js";
export { Watcher, type WatcherOptions } from "./watcher.js";
export {
  initialWatcherState,
  type RawWatchEvent,
  type RestartReason,
  stepWatcher,
  type WatcherCommand,
  type WatcherInput,
  type WatcherState,
  type WatcherStep,
} from "./watcher-machine.js";
export { bindingReady, WorkspaceGate, type WorkspaceGateOptions } from "./workspace-gate.js";
