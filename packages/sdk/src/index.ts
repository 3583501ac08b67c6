/**
 * The kcp / Platform Mesh provider SDK.
 *
 * @packageDocumentation
 */

export * from "./api/index.js";
// controller: work queue, reconcile loop, conditions, finalizers, subroutines
export {
  type Condition,
  type ConditionInput,
  getCondition,
  isConditionTrue,
  READY,
  setCondition,
} from "./controller/conditions.js";
export {
  Controller,
  type ControllerOptions,
  type InvalidResult,
  type ShutdownResult,
} from "./controller/controller.js";
export { PendingError, TerminalError } from "./controller/errors.js";
export { addFinalizerPatch, type JsonPatchOp, removeFinalizerPatch } from "./controller/finalizers.js";
export { type LeaderElectionOptions, LeaderElector } from "./controller/leader-election.js";
export {
  keyString,
  type ObjectKey,
  objectPath,
  type ResourceCoordinates,
} from "./controller/object-paths.js";
export type {
  CachedEntry,
  ObjectIssue,
  ReconcileContext,
  ReconcileResult,
} from "./controller/reconcile-types.js";
export { StatusWriter } from "./controller/status-writer.js";
export { type Subroutine, type SubroutineOutcome, subroutines } from "./controller/subroutines.js";
export {
  type BackoffOptions as QueueBackoffOptions,
  WorkQueue,
  type WorkQueueObserver,
  type WorkQueueOptions,
} from "./controller/work-queue.js";
// observability
export {
  type HealthServerOptions,
  type ReadinessCheck,
  startHealthServer,
} from "./observability/health-server.js";
export { createLogger } from "./observability/logger.js";
export { RuntimeMetrics } from "./observability/metrics.js";
export { formatLogLine, logFormat, prettyDestination } from "./observability/pretty.js";
export { isSensitiveKey, REDACTED, redact, redactString } from "./observability/redact.js";
export { type ClaimProblem, type ClaimRef, explainClaimFailure } from "./provider/claims.js";
// provider: the glue providers use
export {
  createProvider,
  type InvalidHandler,
  Provider,
  type ProviderOptions,
  type ReconcileHandler,
  type ReconcileOptions,
  type RelatedWatch,
  SECRETS,
  type StatusInput,
  type StopResult,
} from "./provider/provider.js";
export { resourceTarget, statusValidator } from "./provider/resource-target.js";
export { ProviderStartError } from "./provider/startup-checks.js";
// runtime: list/watch, store, workspaces (packages/sdk/src/runtime)
export * from "./runtime/index.js";
export {
  KubeApiError,
  KubeClient,
  type KubeClientOptions,
  type KubeRequest,
  KubeTimeoutError,
  type Query,
} from "./transport/kube-client.js";
export { KubeConfigError, type KubeConfigSource, loadKubeConfig } from "./transport/kube-config.js";
export { CLUSTER_ANNOTATION, type KubeObject, type ObjectMeta, workspaceOf } from "./util/objects.js";
