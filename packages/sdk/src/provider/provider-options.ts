import type { Logger } from "pino";
import type { Infer } from "../api/infer.js";
import type { AnyResource } from "../api/resource.js";
import type { StandardSchemaV1 } from "../api/standard-schema.js";
import type { ReconcileContext, ReconcileResult } from "../controller/reconcile-types.js";
import type { RetryBackoffOptions } from "../controller/work-queue.js";
import type { Item, ObjectRef } from "../runtime/item.js";
import type { WatchTarget } from "../runtime/target.js";
import type { ShardingOptions } from "../sharding/options.js";
import type { KubeConfigSource } from "../transport/kube-config.js";
import type { KubeObject } from "../util/objects.js";
import type { ValidationIssue } from "../util/validation-issue.js";

/** The status a handler of resource `R` may return: the input side of its status schema. */
export type StatusInput<R extends AnyResource> = R["versions"][R["storageVersion"]] extends {
  status: infer S extends StandardSchemaV1;
}
  ? StandardSchemaV1.InferInput<S>
  : never;

/**
 * A reconcile handler: gets one valid, typed object of one workspace and returns what to write.
 * A status that does not fit the resource's status schema does not compile.
 */
export type ReconcileHandler<R extends AnyResource> = (
  obj: Infer<R>,
  ctx: ReconcileContext,
) => Promise<ReconcileResult<StatusInput<R>> | undefined>;

/**
 * Another resource whose changes should reconcile objects of the reconciled resource. A target
 * the provider already watches (another registered resource, or the same related target of
 * another registration) shares that watch and cache: it costs no extra connection.
 */
export interface RelatedWatch<T = KubeObject> {
  /**
   * What to watch, e.g. {@link SECRETS} (a claimed resource) or `resourceTarget(Other)` for
   * another exported resource (then `map` gets typed items).
   */
  target: WatchTarget<T>;
  /**
   * Which reconciled objects a change concerns (added, modified, deleted; status-only changes
   * included). Default: the owners named in the object's ownerReferences whose kind is the
   * reconciled resource's kind, in the same workspace. An object backing off after an error is not
   * run early by a related change: its retry reads the latest state anyway.
   */
  map?(item: Item<T>): ObjectRef[];
}

/**
 * Withdraws what a valid version of an object caused, once the object fails its schema, and
 * returns the status to show meanwhile (it replaces every status field the runtime wrote before).
 */
export type InvalidHandler<R extends AnyResource> = (
  obj: KubeObject,
  issues: readonly ValidationIssue[],
  ctx: ReconcileContext,
  // biome-ignore lint/suspicious/noConfusingVoidType: a handler with nothing to show returns nothing
) => Promise<{ status?: Partial<StatusInput<R>> } | undefined | void>;

/** Options of {@link Provider.reconcile}. */
export interface ReconcileOptions<R extends AnyResource> {
  /**
   * Cleanup on delete; with it, the runtime keeps a finalizer on every object of the resource.
   * It also runs when a consumer unbinds the export or deletes its workspace (kcp deletes the
   * objects and waits for their finalizers). The object is the last one stored, which may fail
   * the schema if it turned invalid before it was deleted.
   */
  finalize?: (obj: Infer<R>, ctx: ReconcileContext) => Promise<void>;
  /**
   * An object turned invalid (fails the zod schema): withdraw its effect here. What it returns
   * becomes the whole status the runtime writes, with `Ready=False, InvalidSpec`; fields the
   * last valid reconcile wrote are removed. Without `onInvalid` the effect and the last valid
   * status stay, and only `Ready` turns False. When the object is valid again, the reconcile
   * handler runs as usual.
   */
  onInvalid?: InvalidHandler<R>;
  /** Finalizer name; default `<group>/<plural>`. */
  finalizerName?: string;
  /** Reconcile owners when these change (e.g. Secrets under a permission claim). */
  related?: RelatedWatch<unknown>[];
  /** Maintain the Ready condition (default true; the status schema needs `conditions` for it to be kept). */
  readyCondition?: boolean;
  /** Reconciles running at once for this resource (default: the provider's `concurrency`). */
  concurrency?: number;
  /** Retry backoff; default 5 ms doubling to 1000 s (controller-runtime), reset on success. */
  backoff?: RetryBackoffOptions;
  /**
   * Reconcile also when only the status changed (default false: a change of spec, generation,
   * labels, annotations, finalizers, owners or deletion reconciles; status writes, mostly the
   * runtime's own, do not).
   */
  reconcileOnStatusChange?: boolean;
}

/** Options of {@link createProvider}. */
export interface ProviderOptions {
  /** Kubeconfig of the provider's workspace: a file path or a source. */
  kubeconfig: string | KubeConfigSource;
  /** The APIExport's name; its APIExportEndpointSlice (same name, same workspace) gives the URLs. */
  export: string;
  /** Explicit virtual workspace URL(s) instead of the endpoint slice. */
  virtualWorkspaceUrl?: string | string[];
  /** pino logger; Secret data and tokens are redacted either way. Default: JSON to stdout at LOG_LEVEL or info. */
  logger?: Logger;
  /** Reconciles running at once per resource (default 10). */
  concurrency?: number;
  /**
   * Serve /metrics, /healthz and /readyz on this port (0 = any free port; see `healthPort`).
   * Default: `METRICS_PORT` from the environment, else off.
   */
  metricsPort?: number;
  metricsHost?: string;
  /**
   * Split the bound workspaces among several replicas, each reconciling only those it owns (see
   * {@link ShardingOptions}; README "Running several replicas"). Excludes `leaderElection`.
   */
  sharding?: ShardingOptions;
  /** Run only while holding a Lease in the provider's workspace (one active replica, the others standby). */
  leaderElection?: boolean | { leaseName?: string; namespace?: string; identity?: string };
  /** On SIGTERM/SIGINT, how long running reconciles may take to finish (default 30 s). */
  shutdownTimeoutMs?: number;
  /**
   * After the drain timeout, how long aborted reconciles get to return (default 5 s). Past it
   * `stop()` returns anyway, naming them; on a signal the process exits with code 1.
   */
  shutdownGraceMs?: number;
  /**
   * Deadline of every read and write (status, finalizers, start-up checks, leases), default 30 s.
   * Watches have none: a silent watch is detected by inactivity instead.
   */
  requestTimeoutMs?: number;
  /** Stop on SIGTERM/SIGINT (default true). */
  handleSignals?: boolean;
  /** Watch tuning (watch `timeoutSeconds`; page size). */
  watch?: { timeoutSeconds?: number; pageSize?: number };
}

/** How {@link Provider.stop} ended. */
export interface StopResult {
  /** False when some reconcile still ran after the drain timeout and the grace. */
  clean: boolean;
  /** Keys (`workspace/namespace/name`) of the reconciles still running. */
  stuck: string[];
}

/** The core-group Secret resource, e.g. for a `secrets` permission claim. */
export const SECRETS: WatchTarget = {
  group: "",
  version: "v1",
  plural: "secrets",
  kind: "Secret",
  namespaced: true,
};
