import { STRICT } from "../convert/markers.js";
import type { ProblemSink } from "../problems.js";
import { mergeDiscriminatedUnion } from "./discriminated-union.js";
import type { JsonSchema } from "./json-schema.js";

const SAFE = Number.MAX_SAFE_INTEGER;
const SCALARS = new Set(["string", "number", "integer", "boolean"]);

/**
 * Rewrites a zod union (`anyOf`/`oneOf` of raw branches) into a structural form: `null` branches become
 * `nullable`, literal unions an `enum`, string|int `x-kubernetes-int-or-string`, object variants with a
 * discriminator one merged object. Anything else is reported. `rewriteBranch` rewrites one branch.
 */
export function rewriteUnion(
  branches: JsonSchema[],
  path: string,
  sink: ProblemSink,
  rewriteBranch: (b: JsonSchema) => JsonSchema,
): JsonSchema | undefined {
  const nullable = branches.some(isNullBranch);
  const rest = branches.filter((b) => !isNullBranch(b));
  const withNull = (s: JsonSchema): JsonSchema => (nullable ? { ...s, nullable: true } : s);
  if (rest.length === 0) {
    sink.error(
      path,
      "a union of only null carries no value; write X.nullable() for a value that may be null",
    );
    return undefined;
  }
  if (rest.length === 1) return withNull(rewriteBranch(rest[0]!));

  const literals = literalUnion(rest);
  if (literals) return withNull(literals);

  const types = rest.map((b) => b.type);
  if (rest.length === 2 && types.includes("string") && types.includes("integer")) {
    const plain = rest.every((b) => isPlainIntOrString(b));
    if (!plain) {
      sink.error(
        path,
        "an int-or-string value cannot carry string or integer constraints in a Kubernetes schema; write intOrString() and check the value with cel(...)",
      );
      return undefined;
    }
    return withNull({ "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] });
  }
  if (rest.length === 2 && types.includes("string") && types.includes("number")) {
    sink.error(
      path,
      "Kubernetes' int-or-string holds integers only; write z.union([z.int(), z.string()]) or intOrString()",
    );
    return undefined;
  }
  if (rest.every((b) => b.type === "object" && b.properties)) {
    // Strict variants (z.strictObject, zod 3 .strict()) reject fields of other variants; stripping ones drop them.
    const strict = rest.map((b) => b[STRICT] === true);
    const merged = mergeDiscriminatedUnion(rest.map(rewriteBranch), strict, path, sink);
    return merged && withNull(merged);
  }
  sink.error(
    path,
    `unions of ${describeTypes(rest)} cannot be expressed in a Kubernetes schema (each field has one type); use one type, z.enum([...]) for alternatives, or z.discriminatedUnion(...) for object variants`,
  );
  return undefined;
}

function isNullBranch(b: JsonSchema): boolean {
  return b.type === "null" || (Array.isArray(b.enum) && b.enum.length === 1 && b.enum[0] === null);
}

function literalUnion(branches: JsonSchema[]): JsonSchema | undefined {
  const onlyEnum = branches.every(
    (b) =>
      Array.isArray(b.enum) &&
      Object.keys(b).every((k) => k === "type" || k === "enum" || k === "description"),
  );
  if (!onlyEnum) return undefined;
  const types = new Set(branches.map((b) => b.type));
  if (types.has("integer") && types.has("number")) {
    types.delete("integer");
  }
  if (types.size !== 1) return undefined;
  const type = [...types][0];
  if (typeof type !== "string" || !SCALARS.has(type)) return undefined;
  const values: unknown[] = [];
  for (const b of branches) for (const v of b.enum!) if (!values.includes(v)) values.push(v);
  return { type, enum: values };
}

function isPlainIntOrString(b: JsonSchema): boolean {
  const keys = Object.keys(b).filter((k) => k !== "description" && !k.startsWith("x-mesh-"));
  if (b.type === "string") return keys.every((k) => k === "type") && !hasStringChecks(b);
  if (b.type === "integer") {
    return keys.every(
      (k) =>
        k === "type" || (k === "minimum" && b.minimum === -SAFE) || (k === "maximum" && b.maximum === SAFE),
    );
  }
  return false;
}

function hasStringChecks(b: JsonSchema): boolean {
  const checks = b["x-mesh-string-checks"];
  return Array.isArray(checks) && checks.length > 0;
}

function describeTypes(branches: JsonSchema[]): string {
  const names = branches.map((b) => (typeof b.type === "string" ? b.type : "untyped values"));
  return [...new Set(names)].join(" and ");
}
