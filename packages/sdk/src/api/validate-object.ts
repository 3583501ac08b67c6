import { z } from "zod";
import type { ValidationIssue } from "../util/validation-issue.js";
import { type CelSchema, evaluateCelRules } from "./cel.js";
import type { Infer, VersionOf } from "./infer.js";
import type { AnyResource } from "./resource.js";
import type { StandardSchemaV1 } from "./standard-schema.js";

export type { ValidationIssue };

/** The typed object with defaults applied, or every issue found. */
export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: ValidationIssue[] };

/**
 * Checks an object against its resource definition: `apiVersion` names a served version, `kind`
 * matches, `metadata` is an object, and `spec` and `status` fit that version's zod schemas. The value
 * returned has zod's defaults applied and unknown fields stripped, as the schemas say.
 *
 * CEL rules (`x-kubernetes-validations`, from `cel(...)`) of zod 4 schemas run too, on the value
 * with defaults applied, as kcp runs them on create: rules the CEL library cannot judge (see the
 * README), transition rules (`oldSelf`), rules inside unions and rules of `zod/v3` schemas are
 * kcp's alone.
 *
 * @example
 * ```ts
 * const r = validateObject(Widget, obj);
 * if (!r.ok) console.error(r.issues.map((i) => `${i.path}: ${i.message}`).join("\n"));
 * else r.value.spec.replicas; // typed
 * ```
 */
export function validateObject<R extends AnyResource>(
  resource: R,
  obj: unknown,
): ValidationResult<Infer<R, VersionOf<R>>> {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj)) {
    return fail("", `expected a ${resource.kind} object`);
  }
  const o = obj as Record<string, unknown>;
  const version = versionOf(resource, o.apiVersion);
  if (typeof version !== "string") return { ok: false, issues: [version] };
  const issues: ValidationIssue[] = [];
  if (o.kind !== resource.kind) issues.push({ path: "kind", message: `expected "${resource.kind}"` });
  if (typeof o.metadata !== "object" || o.metadata === null || Array.isArray(o.metadata)) {
    issues.push({ path: "metadata", message: "expected an object" });
  }
  const def = resource.versions[version]!;
  // kcp defaults a missing spec to {} when its schema allows that, so validate what kcp would store.
  const spec = run(def.spec, o.spec ?? {}, "spec", issues);
  const status =
    o.status !== undefined && def.status ? run(def.status, o.status, "status", issues) : undefined;
  if (issues.length > 0) return { ok: false, issues };
  const value: Record<string, unknown> = { ...o, spec: spec };
  if (status !== undefined) value.status = status;
  else if (!def.status) delete value.status;
  return { ok: true, value: value as Infer<R, VersionOf<R>> };
}

function versionOf(resource: AnyResource, apiVersion: unknown): string | ValidationIssue {
  const served = Object.keys(resource.versions).filter((v) => resource.versions[v]!.served !== false);
  const expected = served.map((v) => `"${resource.group}/${v}"`).join(" or ");
  if (typeof apiVersion !== "string") return { path: "apiVersion", message: `expected ${expected}` };
  const slash = apiVersion.lastIndexOf("/");
  const group = apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  if (group !== resource.group || !served.includes(version)) {
    return { path: "apiVersion", message: `expected ${expected}, got "${apiVersion}"` };
  }
  return version;
}

function run(schema: StandardSchemaV1, value: unknown, root: string, issues: ValidationIssue[]): unknown {
  const result = schema["~standard"].validate(value);
  if (result instanceof Promise) {
    throw new Error(
      `${root}: the schema has async refinements; resource schemas must validate synchronously`,
    );
  }
  if (result.issues) {
    for (const issue of result.issues)
      issues.push({ path: joinPath(root, issue.path ?? []), message: issue.message });
    return undefined;
  }
  const before = issues.length;
  const json = celSchemaOf(schema);
  if (json)
    for (const f of evaluateCelRules(json, result.value, root))
      issues.push({ path: f.path, message: f.message });
  return issues.length > before ? undefined : result.value;
}

const celSchemas = new WeakMap<object, CelSchema | null>();

/** The JSON schema of a zod 4 schema with its CEL rules, when it has any; null otherwise. */
function celSchemaOf(schema: StandardSchemaV1): CelSchema | null {
  const cached = celSchemas.get(schema);
  if (cached !== undefined) return cached;
  let json: CelSchema | null = null;
  if ("_zod" in schema) {
    try {
      const converted = z.toJSONSchema(schema as unknown as z.ZodType, {
        target: "openapi-3.0",
        io: "output",
        reused: "inline",
        cycles: "ref",
        unrepresentable: "any",
      }) as CelSchema;
      if (JSON.stringify(converted).includes('"x-kubernetes-validations"')) json = converted;
    } catch {
      json = null;
    }
  }
  celSchemas.set(schema, json);
  return json;
}

/** `spec` + `["items", 2, "name"]` → `spec.items[2].name`. */
export function joinPath(
  root: string,
  segments: ReadonlyArray<PropertyKey | StandardSchemaV1.PathSegment>,
): string {
  let out = root;
  for (const s of segments) {
    const key = typeof s === "object" ? s.key : s;
    if (typeof key === "number") out += `[${key}]`;
    else if (typeof key === "string" && /^[A-Za-z_$][\w$-]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

function fail(path: string, message: string): { ok: false; issues: ValidationIssue[] } {
  return { ok: false, issues: [{ path, message }] };
}
