/**
 * The kcp / Platform Mesh provider SDK: what a provider team writes against. Define the API in zod
 * (`defineApi`, `defineResource`), reconcile it with `createProvider`, watch other objects with
 * `watch` and `Store`, and call kcp with `KubeClient`. The layers below (watcher state machine,
 * work queue, controller, status writer, engagement) are in `@kcp-mesh/sdk/runtime`; the real-kcp
 * test harness is in `@kcp-mesh/sdk/testing`.
 *
 * @packageDocumentation
 */

export * from "./api/index.js";
// reconcile handlers: what a handler returns, throws and reads
export {
  type Condition,
  type ConditionInput,
  getCondition,
  isConditionTrue,
  READY,
  setCondition,
} from "./controller/conditions.js";
export { PendingError, TerminalError } from "./controller/errors.js";
export type { ReconcileContext, ReconcileResult } from "./controller/reconcile-types.js";
export { type Subroutine, type SubroutineOutcome, subroutines } from "./controller/subroutines.js";
export type { RetryBackoffOptions } from "./controller/work-queue.js";
// conversion: a conversion webhook running the declared rules, for kcp that does not run APIConversion
export {
  answerConversionReview,
  type ConversionFailure,
  type ConversionReview,
} from "./conversion/conversion-review.js";
export {
  type ConversionWebhook,
  type ConversionWebhookOptions,
  serveConversionWebhook,
} from "./conversion/conversion-webhook.js";
export {
  type CertificateAndKey,
  type SelfSignedOptions,
  selfSignedCertificate,
} from "./conversion/self-signed-certificate.js";
// logging
export { createLogger } from "./observability/logger.js";
export { redact } from "./observability/redact.js";
export { type ClaimProblem, type ClaimRef, explainClaimFailure } from "./provider/claims.js";
// the provider
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
export { relatedWatch } from "./provider/related-watch.js";
export { resourceTarget } from "./provider/resource-target.js";
export { ProviderStartError } from "./provider/startup-checks.js";
// watching objects outside a provider
export type {
  EndpointsEvent,
  InitDoneEvent,
  InitStartEvent,
  ObjectEvent,
  WatchEvent,
  WorkspaceEvent,
} from "./runtime/events.js";
export { isObjectEvent } from "./runtime/events.js";
export { type Item, type ObjectRef, objectKey } from "./runtime/item.js";
export {
  changedOnly,
  generationChanged,
  inWorkspace,
  matchingLabels,
  objectEvents,
  validOnly,
} from "./runtime/operators.js";
export { type IndexFunction, Store, type StoreOptions } from "./runtime/store.js";
export type { TargetValidation, WatchTarget } from "./runtime/target.js";
export { type WatchOptions, type WatchSource, watch } from "./runtime/watch.js";
export { type WatchRestart, WatchStats } from "./runtime/watch-stats.js";
// sharding: workspaces split among provider replicas (packages/sdk/src/sharding)
export type { ShardingOptions } from "./sharding/options.js";
// calling kcp
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
