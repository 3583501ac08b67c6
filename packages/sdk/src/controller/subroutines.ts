import type { ConditionInput } from "./conditions.js";
import type { ReconcileContext, ReconcileResult } from "./reconcile-types.js";

/** What one subroutine says about its step. */
export type SubroutineOutcome<Status> =
  /** Done; optionally contributes status fields. */
  | { result: "ok"; status?: Partial<Status>; message?: string }
  /** Waiting for something: later steps do not run, Ready is Unknown, retried after `retryAfterMs`. */
  | { result: "pending"; reason: string; message: string; retryAfterMs?: number; status?: Partial<Status> }
  /** Nothing to do for this object: the step's condition is True with reason Skipped. */
  | { result: "skip"; message?: string }
  /** Cannot go on until the object changes: later steps do not run, Ready is False, no retry. */
  | { result: "stop"; reason: string; message: string; status?: Partial<Status> };

/**
 * One step of a reconcile, as in Platform Mesh's golang-commons subroutines: it processes the
 * object and, on delete, finalizes it (in reverse order of the list).
 */
export interface Subroutine<Obj, Status> {
  /** UpperCamelCase; also the type of this step's condition, e.g. `DatabaseProvisioned`. */
  name: string;
  process(obj: Obj, ctx: ReconcileContext, status: Partial<Status>): Promise<SubroutineOutcome<Status>>;
  finalize?(obj: Obj, ctx: ReconcileContext): Promise<void>;
}

/**
 * Builds a reconcile handler (and a finalize function when any step finalizes) from ordered
 * subroutines. Each step gets its own condition; `Ready` summarises them: a thrown error or
 * `stop` makes it False, `pending` Unknown, otherwise True. Status fields of the steps that ran are
 * written in every case.
 *
 * @example
 * ```ts
 * const { handler, finalize } = subroutines<Database, DatabaseStatus>([
 *   { name: "Provisioned", process: async (db) => ({ result: "ok", status: { host: await provision(db) } }) },
 *   { name: "SecretWritten", process: async (db, ctx, status) => writeSecret(ctx, db, status) },
 * ]);
 * provider.reconcile(Database, handler, { finalize });
 * ```
 */
export function subroutines<Obj, Status>(
  steps: readonly Subroutine<Obj, Status>[],
): {
  handler: (obj: Obj, ctx: ReconcileContext) => Promise<ReconcileResult<Status>>;
  finalize?: (obj: Obj, ctx: ReconcileContext) => Promise<void>;
} {
  const handler = async (obj: Obj, ctx: ReconcileContext): Promise<ReconcileResult<Status>> => {
    let status: Partial<Status> = {};
    const conditions: ConditionInput[] = [];
    for (const step of steps) {
      let out: SubroutineOutcome<Status>;
      try {
        out = await step.process(obj, ctx, status);
      } catch (err) {
        // The controller reports the error in Ready and backs off; the step's own condition says
        // which step it was.
        const message = err instanceof Error ? err.message : String(err);
        throw Object.assign(new Error(`${step.name}: ${message}`), { cause: err });
      }
      if ("status" in out && out.status) status = { ...status, ...out.status };
      switch (out.result) {
        case "ok":
          conditions.push({
            type: step.name,
            status: "True",
            reason: "Complete",
            message: out.message ?? "",
          });
          break;
        case "skip":
          conditions.push({ type: step.name, status: "True", reason: "Skipped", message: out.message ?? "" });
          break;
        case "pending":
          conditions.push({ type: step.name, status: "Unknown", reason: out.reason, message: out.message });
          return {
            status: status as Status,
            conditions,
            ready: { status: "Unknown", reason: out.reason, message: `${step.name}: ${out.message}` },
            requeueAfter: out.retryAfterMs ?? 30_000,
          };
        case "stop":
          conditions.push({ type: step.name, status: "False", reason: out.reason, message: out.message });
          return {
            status: status as Status,
            conditions,
            ready: { status: "False", reason: out.reason, message: `${step.name}: ${out.message}` },
          };
      }
    }
    return { status: status as Status, conditions };
  };
  const finalizers = steps.filter((s) => s.finalize);
  if (finalizers.length === 0) return { handler };
  return {
    handler,
    finalize: async (obj, ctx) => {
      for (const step of [...finalizers].reverse()) await step.finalize!(obj, ctx);
    },
  };
}
