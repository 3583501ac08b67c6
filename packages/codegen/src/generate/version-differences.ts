import type { JsonSchema } from "../schema/json-schema.js";
import { canonicalJson } from "../schema/json-schema.js";
import { itemPath, mapValuePath, propertyPath } from "../schema/paths.js";

/** One difference between two versions' schemas, at a field path. */
export interface VersionDifference {
  path: string;
  /** `only-a`, `only-b`: the field exists in one version only; `differs`: its checks differ. */
  kind: "only-a" | "only-b" | "differs";
}

// What describes a field itself, not its children; descriptions do not change what is stored.
const CHILDREN = new Set(["properties", "items", "additionalProperties", "description"]);

function flatten(node: JsonSchema, path: string, out: Map<string, string>): void {
  const own: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) if (!CHILDREN.has(k)) own[k] = v;
  out.set(path, canonicalJson(own));
  for (const [k, v] of Object.entries(node.properties ?? {})) flatten(v, propertyPath(path, k), out);
  if (node.items && !Array.isArray(node.items)) flatten(node.items, itemPath(path), out);
  if (typeof node.additionalProperties === "object")
    flatten(node.additionalProperties, mapValuePath(path), out);
}

/**
 * The fields that differ between two version schemas: kcp's conversion strategy None only rewrites
 * apiVersion, so an object written in one version and read or updated in the other loses the
 * fields only one has, and may fail the other's checks.
 */
export function versionDifferences(a: JsonSchema, b: JsonSchema): VersionDifference[] {
  const fa = new Map<string, string>();
  const fb = new Map<string, string>();
  flatten(a, "", fa);
  flatten(b, "", fb);
  const out: VersionDifference[] = [];
  const under = (p: string, set: Set<string>) =>
    [...set].some((q) => q !== "" && p.startsWith(q) && /^[.[]/.test(p.slice(q.length)));
  const onlyA = new Set([...fa.keys()].filter((p) => !fb.has(p)));
  const onlyB = new Set([...fb.keys()].filter((p) => !fa.has(p)));
  // Name the top of a subtree that only one version has, not every field below it.
  for (const p of onlyA) if (!under(p, onlyA)) out.push({ path: p, kind: "only-a" });
  for (const p of onlyB) if (!under(p, onlyB)) out.push({ path: p, kind: "only-b" });
  for (const [p, v] of fa) if (fb.has(p) && fb.get(p) !== v) out.push({ path: p, kind: "differs" });
  return out;
}
