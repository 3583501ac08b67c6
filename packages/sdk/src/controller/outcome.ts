import { type Condition, type ConditionInput, READY, setCondition } from "./conditions.js";
import { consumerMessage } from "./consumer-message.js";
import { PendingError, TerminalError } from "./errors.js";

/** What the work queue does with a key after a reconcile. */
export type QueueAction =
  | { kind: "forget" }
  | { kind: "after"; ms: number }
  /** Retry with the key's exponential backoff. */
  | { kind: "backoff" };

/** Everything a reconcile's end decides, as data: applied in one place, tested without a network. */
export interface ErrorOutcome {
  /** `controller_runtime_reconcile_total` result label. */
  result: "terminal_error" | "requeue_after" | "error";
  /** The Ready condition the consumer sees. */
  ready: ConditionInput;
  queue: QueueAction;
  /** Counted in `controller_runtime_reconcile_errors_total`. */
  countsAsError: boolean;
  log: { level: "error" | "info"; message: string };
}

/**
 * Maps what a handler (or a write) threw to its outcome, as controller-runtime's reconcileHandler
 * does in one switch: `TerminalError` stops retrying until the object changes, `PendingError` waits
 * (`Ready=Unknown`) and looks again after its delay, anything else retries with backoff. Condition
 * messages are in the consumer's terms (no URLs, identities or credentials).
 */
export function errorOutcome(err: unknown): ErrorOutcome {
  if (err instanceof TerminalError) {
    return {
      result: "terminal_error",
      ready: { type: READY, status: "False", reason: err.reason, message: consumerMessage(err) },
      queue: { kind: "forget" },
      countsAsError: false,
      log: { level: "error", message: "reconcile failed permanently; not retrying until the object changes" },
    };
  }
  if (err instanceof PendingError) {
    return {
      result: "requeue_after",
      // Waiting is not failing: Unknown, as Platform Mesh's subroutines report a pending step.
      ready: { type: READY, status: "Unknown", reason: err.reason, message: consumerMessage(err) },
      queue: { kind: "after", ms: err.retryAfterMs },
      countsAsError: false,
      log: { level: "info", message: err.message },
    };
  }
  return {
    result: "error",
    ready: { type: READY, status: "False", reason: "ReconcileError", message: consumerMessage(err) },
    queue: { kind: "backoff" },
    countsAsError: true,
    log: { level: "error", message: "reconcile failed; retrying with backoff" },
  };
}

/**
 * The conditions after a reconcile: `base` (the handler's own list) or the object's current ones,
 * the extra conditions merged in, and Ready maintained (unless `withReady` is false), each with
 * the object's generation as `observedGeneration`.
 */
export function conditionsAfter(
  current: unknown,
  generation: number | undefined,
  base: unknown,
  extra: readonly ConditionInput[] | undefined,
  ready: ConditionInput,
  withReady: boolean,
): Condition[] {
  let conditions = Array.isArray(base)
    ? (base as Condition[])
    : ((current as { conditions?: Condition[] } | undefined)?.conditions ?? []);
  for (const c of extra ?? []) conditions = setCondition(conditions, c, generation);
  if (withReady) conditions = setCondition(conditions, ready, generation);
  return conditions;
}
