import type { JsonSchema } from "./json-schema.js";

// The order controller-gen writes keywords in, so generated YAML reads like hand-written schemas.
const ORDER = [
  "description",
  "title",
  "type",
  "format",
  "nullable",
  "enum",
  "default",
  "example",
  "minimum",
  "exclusiveMinimum",
  "maximum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "pattern",
  "minItems",
  "maxItems",
  "minProperties",
  "maxProperties",
  "items",
  "properties",
  "additionalProperties",
  "required",
  "allOf",
  "anyOf",
  "oneOf",
  "not",
];

/** A copy of the schema with keywords in a fixed, readable order at every level (fields keep their order). */
export function orderKeys(node: JsonSchema): JsonSchema {
  const rank = (k: string) => {
    const i = ORDER.indexOf(k);
    return i >= 0 ? i : ORDER.length + (k.startsWith("x-kubernetes-") ? 1 : 0);
  };
  const out: JsonSchema = {};
  for (const k of Object.keys(node).sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))) {
    const v = node[k];
    if (k === "properties" && v && typeof v === "object") {
      out.properties = Object.fromEntries(
        Object.entries(v as Record<string, JsonSchema>).map(([n, s]) => [n, orderKeys(s)]),
      );
    } else if (
      (k === "items" || k === "additionalProperties" || k === "not") &&
      v &&
      typeof v === "object" &&
      !Array.isArray(v)
    ) {
      out[k] = orderKeys(v as JsonSchema);
    } else if ((k === "allOf" || k === "anyOf" || k === "oneOf") && Array.isArray(v)) {
      out[k] = (v as JsonSchema[]).map(orderKeys);
    } else out[k] = v;
  }
  return out;
}
