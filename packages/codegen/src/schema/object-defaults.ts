import { VARIANT_ONLY } from "./discriminated-union.js";
import type { JsonSchema } from "./json-schema.js";

/**
 * Gives optional objects whose fields have defaults `default: {}`, bottom-up. Kubernetes applies a
 * default only when the parent exists, so without it `spec.config.size`'s default would never apply
 * to an object written without `config`. Objects with required fields keep no default: `{}` would
 * not be valid for them.
 */
export function addParentDefaults(node: JsonSchema): void {
  if (node.type === "array" && node.items && !Array.isArray(node.items)) addParentDefaults(node.items);
  if (typeof node.additionalProperties === "object") addParentDefaults(node.additionalProperties);
  if (node.type !== "object" || !node.properties) return;
  for (const [name, child] of Object.entries(node.properties)) {
    addParentDefaults(child);
    if (node.required?.includes(name) || VARIANT_ONLY.has(child)) continue;
    if (child.type === "object" && child.default === undefined && acceptsEmpty(child) && hasDefaults(child)) {
      child.default = {};
    }
  }
}

/** Whether `{}` is a valid value: no required fields and no minimum number of properties. */
export function acceptsEmpty(node: JsonSchema): boolean {
  return (
    (node.required?.length ?? 0) === 0 && (typeof node.minProperties !== "number" || node.minProperties === 0)
  );
}

/** Whether any field of the object (directly or in nested objects) has a default. */
export function hasDefaults(node: JsonSchema): boolean {
  return Object.values(node.properties ?? {}).some(
    (p) => p.default !== undefined || (p.type === "object" && hasDefaults(p)),
  );
}
