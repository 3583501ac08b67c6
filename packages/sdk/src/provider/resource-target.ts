import type { Infer } from "../api/infer.js";
import type { AnyResource } from "../api/resource.js";
import type { StandardSchemaV1 } from "../api/standard-schema.js";
import { joinPath, validateObject } from "../api/validate-object.js";
import type { WatchTarget } from "../runtime/target.js";
import type { ValidationIssue } from "../util/validation-issue.js";

/**
 * The watch target of a zod resource definition (its storage version). Only issues with what the
 * consumer wrote (spec, apiVersion, kind, metadata) make an object invalid: the status is the
 * provider's own, and a status written by an older provider version must not block reconciling.
 */
export function resourceTarget<R extends AnyResource>(resource: R): WatchTarget<Infer<R>> {
  return {
    group: resource.group,
    version: resource.storageVersion,
    plural: resource.plural,
    kind: resource.kind,
    namespaced: resource.scope === "Namespaced",
    validate: (obj) => {
      const r = validateObject(resource, obj);
      if (r.ok) {
        // The cache keeps the status as stored: the zod status schema does not declare the
        // `conditions` the runtime writes (mesh-codegen adds them) nor fields of other writers,
        // and a stripped copy would make every reconcile look like a change.
        const raw = (obj as { status?: unknown }).status;
        const value = raw === undefined ? r.value : { ...(r.value as object), status: raw };
        return { ok: true, value: value as Infer<R> };
      }
      const blocking = r.issues.filter((i) => i.path !== "status" && !i.path.startsWith("status."));
      if (blocking.length === 0) return { ok: true, value: obj as unknown as Infer<R> };
      return { ok: false, issues: blocking };
    },
  };
}

/** Checks a status against the storage version's status schema before it is written. */
export function statusValidator(
  resource: AnyResource,
): ((status: unknown) => ValidationIssue[] | undefined) | undefined {
  const schema = resource.versions[resource.storageVersion]?.status as StandardSchemaV1 | undefined;
  if (!schema) return undefined;
  return (status) => {
    const result = schema["~standard"].validate(status);
    if (result instanceof Promise)
      return [{ path: "status", message: "status schema must validate synchronously" }];
    return result.issues?.map((i) => ({ path: joinPath("status", i.path ?? []), message: i.message }));
  };
}
