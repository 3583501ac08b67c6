import type { JsonSchema } from "../schema/json-schema.js";

/**
 * `status.conditions` as Kubernetes defines metav1.Condition. Every generated version has it: the
 * runtime maintains a `Ready` condition on every object, and kcp prunes (or, for server-side apply,
 * refuses) fields its schema does not declare. A list-map keyed by `type`, so each writer owns its
 * own conditions under server-side apply.
 */
export function conditionsSchema(): JsonSchema {
  return {
    description: "The object's conditions; the provider runtime maintains Ready.",
    type: "array",
    maxItems: 64,
    items: {
      type: "object",
      required: ["type", "status", "lastTransitionTime", "reason", "message"],
      properties: {
        type: { type: "string", maxLength: 316 },
        status: { type: "string", enum: ["True", "False", "Unknown"] },
        observedGeneration: { type: "integer", format: "int64", minimum: 0 },
        lastTransitionTime: { type: "string", format: "date-time" },
        reason: { type: "string", maxLength: 1024 },
        message: { type: "string", maxLength: 32768 },
      },
    },
    "x-kubernetes-list-type": "map",
    "x-kubernetes-list-map-keys": ["type"],
  };
}

/** The status schema with `conditions` added unless the API defines its own; `{ conditions }` without a status. */
export function withConditions(status: JsonSchema | undefined): JsonSchema {
  if (!status) return { type: "object", properties: { conditions: conditionsSchema() } };
  if (status.properties?.conditions) return status;
  return { ...status, properties: { ...(status.properties ?? {}), conditions: conditionsSchema() } };
}
