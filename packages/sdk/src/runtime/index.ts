/**
 * The runtime: list/watch of every consumer object in every bound workspace, as an RxJS stream
 * that never silently stops, and a store fed by it. Each layer is usable alone: `listPage` and
 * `openWatch` (transport), `stepWatcher` (pure state machine), `Watcher` (driver), `Store`,
 * `watchEndpointSlice`, `WorkspaceGate`, and `watch()` tying them together.
 *
 * @packageDocumentation
 */
export { Backoff, type BackoffOptions } from "./backoff.js";
export { ENDPOINT_SLICES, type EndpointSliceOptions, watchEndpointSlice } from "./endpoint-slice.js";
export { Engagement, type EngagementOptions, type InformerOptions } from "./engagement.js";
export {
  type EndpointsEvent,
  type InitDoneEvent,
  type InitStartEvent,
  isObjectEvent,
  type ObjectEvent,
  type WatchEvent,
  type WorkspaceEvent,
} from "./events.js";
export { IdleTimer, InactivityError } from "./idle-timer.js";
export { type DecodeOptions, decodeItem, deepFreeze, type Item, type ObjectRef, objectKey } from "./item.js";
export { type LabelMatcher, labelMatcher } from "./label-selector.js";
export { type ListPage, type ListPageOptions, listPage } from "./list-page.js";
export {
  changedOnly,
  generationChanged,
  inWorkspace,
  matchingLabels,
  objectEvents,
  validOnly,
} from "./operators.js";
export { type IndexFunction, Store, type StoreOptions } from "./store.js";
// `ValidationIssue` has the same shape as the one of `api/`, which the package root exports.
export { collectionPath, type TargetValidation, targetName, type WatchTarget } from "./target.js";
export { API_BINDINGS, type WatchOptions, type WatchSource, watch } from "./watch.js";
export { type WatchRestart, WatchStats } from "./watch-stats.js";
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
