import type { ProblemSink } from "../problems.js";
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

/**
 * The status schema with the standard `conditions` added; `{ conditions }` without a status. A
 * status that declares `conditions` itself is reported to `sink`: it would replace the list the
 * runtime writes `Ready` into (and the schema other providers' tools expect), so the rule is one
 * list, the standard one, for every API.
 */
export function withConditions(status: JsonSchema | undefined, sink?: ProblemSink): JsonSchema {
  if (!status) return { type: "object", properties: { conditions: conditionsSchema() } };
  if (status.properties?.conditions) {
    sink?.error(
      "status.conditions",
      "the generated status always has the standard conditions list (metav1.Condition: type, status, observedGeneration, lastTransitionTime, reason, message; a list map keyed by type) that the runtime writes Ready into; remove conditions from your status schema and return your own conditions from the handler (conditions: [{ type, status, reason, message }])",
    );
  }
  return { ...status, properties: { ...(status.properties ?? {}), conditions: conditionsSchema() } };
}
