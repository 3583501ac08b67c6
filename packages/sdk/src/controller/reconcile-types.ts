import type { Logger } from "pino";
import type { KubeClient } from "../transport/kube-client.js";
import type { KubeObject } from "../util/objects.js";
import type { ValidationIssue } from "../util/validation-issue.js";
import type { ConditionInput } from "./conditions.js";

/** What a reconcile handler gets besides the object. */
export interface ReconcileContext {
  /** The object's workspace (logical cluster id). */
  workspace: string;
  /**
   * A client for the object's workspace through the APIExport virtual workspace: it reaches the
   * exported resources and the resources of accepted permission claims (e.g. Secrets), nothing else.
   */
  client: KubeClient;
  /** pino child logger with workspace, namespace, name and reconcile id. */
  log: Logger;
  /** Aborted when the provider shuts down and the drain timeout passes. */
  signal: AbortSignal;
  /** Unique id of this reconcile run, also in every log line. */
  reconcileId: string;
  /**
   * Reconciles another object of the same resource in this workspace (again), e.g. one that
   * depends on what this reconcile just did. For other resources use `provider.enqueue`.
   */
  enqueue(ref: { namespace?: string | undefined; name: string }): void;
  /**
   * Records a Kubernetes Event on this object (`kubectl describe` shows it), e.g.
   * `ctx.event("Normal", "Provisioned", "database ready at ...")`. Needs an accepted `events`
   * permission claim with verb `create`; without one it does nothing but log once. Never rejects.
   */
  event(type: "Normal" | "Warning", reason: string, message: string): Promise<void>;
}

/** What a reconcile handler returns; everything is optional. */
export interface ReconcileResult<Status> {
  /** The status to write (server-side apply on /status; checked against the status schema first). */
  status?: Status;
  /** Extra conditions besides Ready, e.g. `{ type: "DatabaseProvisioned", status: "True" }`. */
  conditions?: ConditionInput[];
  /**
   * The Ready condition to report instead of `True`: e.g. `{ status: "False", reason:
   * "WaitingForSecret", message: "..." }` while the object waits for something. The status above
   * is written either way.
   */
  ready?: Omit<ConditionInput, "type">;
  /** Reconcile again after this many milliseconds even if nothing changes. */
  requeueAfter?: number;
}

/**
 * One object as the controller sees it in the cache: the object, the endpoint (virtual workspace
 * URL) it came through, and the issues found when it was validated (absent when valid).
 */
export interface CachedEntry {
  object: KubeObject;
  endpoint: string;
  issues?: readonly ValidationIssue[];
}
