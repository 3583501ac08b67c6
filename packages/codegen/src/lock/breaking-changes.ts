import { type JsonSchema, jsonEqual } from "../schema/json-schema.js";
import { itemPath, mapValuePath, propertyPath } from "../schema/paths.js";

/** One change that could reject or lose data consumers already stored under a published version. */
export interface BreakingChange {
  path: string;
  message: string;
}

const LOWER_BOUNDS = ["minimum", "minLength", "minItems", "minProperties"] as const;
const UPPER_BOUNDS = ["maximum", "maxLength", "maxItems", "maxProperties"] as const;
const SEMANTIC = [
  "x-kubernetes-list-type",
  "x-kubernetes-map-type",
  "x-kubernetes-embedded-resource",
] as const;

/**
 * Lists the changes from `before` to `after` (one version's schema) that break stored objects or
 * clients: removed or retyped fields, new required fields, and tighter validation. Loosening
 * (new optional fields, wider bounds, more enum values) is not breaking.
 */
export function breakingChanges(before: JsonSchema, after: JsonSchema, path = ""): BreakingChange[] {
  const out: BreakingChange[] = [];
  const add = (p: string, message: string) => out.push({ path: p, message });
  compare(before, after, path, add);
  return out;
}

function compare(a: JsonSchema, b: JsonSchema, path: string, add: (p: string, m: string) => void): void {
  const intOrString = (s: JsonSchema) => s["x-kubernetes-int-or-string"] === true;
  if (a.type !== b.type || intOrString(a) !== intOrString(b)) {
    add(path, `type changed from ${typeName(a)} to ${typeName(b)}`);
    return;
  }
  if (a.nullable && !b.nullable) add(path, "no longer accepts null");
  if (a["x-kubernetes-preserve-unknown-fields"] && !b["x-kubernetes-preserve-unknown-fields"]) {
    add(path, "no longer keeps unknown fields (they would be pruned)");
  }
  if (a.format !== b.format && b.format !== undefined)
    add(path, `format changed from ${a.format ?? "none"} to ${b.format}`);
  if (a.pattern !== b.pattern && b.pattern !== undefined) add(path, `pattern changed to ${b.pattern}`);
  if (b.multipleOf !== undefined && a.multipleOf !== b.multipleOf)
    add(path, `multipleOf changed to ${b.multipleOf}`);
  for (const k of LOWER_BOUNDS) {
    const [x, y] = [a[k] as number | undefined, b[k] as number | undefined];
    if (y !== undefined && (x === undefined || y > x))
      add(path, `${k} tightened from ${x ?? "none"} to ${y}`);
  }
  for (const k of UPPER_BOUNDS) {
    const [x, y] = [a[k] as number | undefined, b[k] as number | undefined];
    if (y !== undefined && (x === undefined || y < x))
      add(path, `${k} tightened from ${x ?? "none"} to ${y}`);
  }
  if (b.exclusiveMinimum === true && a.exclusiveMinimum !== true) add(path, "minimum became exclusive");
  if (b.exclusiveMaximum === true && a.exclusiveMaximum !== true) add(path, "maximum became exclusive");
  if (b.enum) {
    const removed = a.enum ? a.enum.filter((v) => !b.enum!.some((w) => jsonEqual(v, w))) : undefined;
    if (!a.enum) add(path, `now restricted to ${JSON.stringify(b.enum)}`);
    else if (removed && removed.length > 0) add(path, `enum values ${JSON.stringify(removed)} removed`);
  }
  const oldRules = new Set(rules(a));
  for (const r of rules(b)) if (!oldRules.has(r)) add(path, `new validation rule: ${r}`);
  const oldAllOf = (a.allOf ?? []).map((s) => JSON.stringify(s));
  for (const s of b.allOf ?? [])
    if (!oldAllOf.includes(JSON.stringify(s))) add(path, `new check ${JSON.stringify(s)}`);
  for (const k of SEMANTIC) {
    if (a[k] !== b[k])
      add(path, `${k} changed from ${String(a[k] ?? "unset")} to ${String(b[k] ?? "unset")}`);
  }
  if (!jsonEqual(a["x-kubernetes-list-map-keys"] ?? null, b["x-kubernetes-list-map-keys"] ?? null)) {
    add(path, "x-kubernetes-list-map-keys changed");
  }
  const required = new Set(a.required ?? []);
  for (const r of b.required ?? []) if (!required.has(r)) add(propertyPath(path, r), "is now required");
  const [ap, bp] = [a.additionalProperties, b.additionalProperties];
  for (const [k, v] of Object.entries(a.properties ?? {})) {
    const next = b.properties?.[k];
    if (next) compare(v, next, propertyPath(path, k), add);
    // An object that became a map keeps its fields as keys, each checked by the value schema.
    else if (typeof bp === "object") compare(v, bp, propertyPath(path, k), add);
    else if (!b["x-kubernetes-preserve-unknown-fields"]) add(propertyPath(path, k), "field removed");
  }
  if (a.items && b.items && !Array.isArray(a.items) && !Array.isArray(b.items))
    compare(a.items, b.items, itemPath(path), add);
  if (typeof ap === "object" && typeof bp === "object") compare(ap, bp, mapValuePath(path), add);
  else if (typeof ap === "object" && bp === undefined && !b["x-kubernetes-preserve-unknown-fields"]) {
    const fields = Object.keys(b.properties ?? {});
    add(
      path,
      fields.length > 0
        ? `the map became an object with the fields ${fields.join(", ")}: stored keys other than these would be pruned`
        : "map values removed",
    );
  }
}

function rules(s: JsonSchema): string[] {
  const list = s["x-kubernetes-validations"];
  return Array.isArray(list) ? list.map((r: { rule?: string }) => String(r.rule)) : [];
}

function typeName(s: JsonSchema): string {
  return s["x-kubernetes-int-or-string"] === true ? "int-or-string" : String(s.type ?? "untyped");
}
