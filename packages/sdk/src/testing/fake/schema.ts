import { type CelSchema, evaluateCelRules } from "../../api/cel.js";

/** One field that does not fit the schema, as a Kubernetes 422 Status names it. */
export interface FieldCause {
  reason: "FieldValueInvalid" | "FieldValueRequired" | "FieldValueNotSupported" | "FieldValueTypeInvalid";
  field: string;
  message: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const ROOT_META = new Set(["apiVersion", "kind", "metadata"]);

function typeOf(s: CelSchema): string | undefined {
  return Array.isArray(s.type) ? s.type[0] : s.type;
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

/**
 * Drops fields the schema does not declare (structural pruning) and fills in `default`s, as the
 * API server does on every write of a custom resource. Works in place on `value`.
 */
export function pruneAndDefault(schema: CelSchema, value: unknown, root = false): unknown {
  if (isObj(value) && typeOf(schema) === "object") {
    const props = schema.properties;
    const keepAll = schema["x-kubernetes-preserve-unknown-fields"] === true;
    const embedded = root || schema["x-kubernetes-embedded-resource"] === true;
    for (const k of Object.keys(value)) {
      // apiVersion, kind and metadata of a resource are the API server's, whatever the schema says.
      if (embedded && ROOT_META.has(k)) continue;
      const p = props?.[k] ?? (isObj(schema.additionalProperties) ? schema.additionalProperties : undefined);
      if (p) value[k] = pruneAndDefault(p, value[k]);
      else if (!(keepAll || schema.additionalProperties === true || (embedded && ROOT_META.has(k))))
        delete value[k];
    }
    for (const [k, p] of Object.entries(props ?? {})) {
      if (value[k] === undefined && p.default !== undefined)
        value[k] = pruneAndDefault(p, structuredClone(p.default));
    }
  } else if (Array.isArray(value) && isObj(schema.items)) {
    const items = schema.items;
    return value.map((v) => pruneAndDefault(items, v));
  }
  return value;
}

function show(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
}

/** The OpenAPI checks of a structural schema: types, required, enum, bounds, patterns. */
export function validateSchema(schema: CelSchema, value: unknown, path: string, out: FieldCause[]): void {
  if (value === null) {
    if (!schema.nullable)
      out.push({
        reason: "FieldValueTypeInvalid",
        field: path,
        message: `Invalid value: "null": ${path} in body must be of type ${typeOf(schema) ?? "object"}: "null"`,
      });
    return;
  }
  if (value === undefined) return;
  const t = typeOf(schema);
  const intOrString = schema["x-kubernetes-int-or-string"] === true;
  const actual = Array.isArray(value)
    ? "array"
    : Number.isInteger(value)
      ? "integer"
      : typeof value === "number"
        ? "number"
        : typeof value;
  const fits = intOrString
    ? actual === "integer" || actual === "string"
    : t === undefined
      ? true
      : t === "number"
        ? actual === "number" || actual === "integer"
        : t === actual;
  if (!fits) {
    const want = intOrString ? "integer or string" : t;
    out.push({
      reason: "FieldValueTypeInvalid",
      field: path,
      message: `Invalid value: "${actual}": ${path} in body must be of type ${want}: "${actual}"`,
    });
    return;
  }
  const bad = (message: string, reason: FieldCause["reason"] = "FieldValueInvalid") =>
    out.push({ reason, field: path, message });
  if (Array.isArray(schema.enum) && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    bad(
      `Unsupported value: ${show(value)}: supported values: ${schema.enum.map(show).join(", ")}`,
      "FieldValueNotSupported",
    );
  }
  if (typeof value === "string") {
    if (typeof schema.maxLength === "number" && [...value].length > schema.maxLength)
      bad(`Too long: may not be more than ${schema.maxLength} bytes`);
    if (typeof schema.minLength === "number" && [...value].length < schema.minLength)
      bad(`Invalid value: ${show(value)}: ${path} in body should be at least ${schema.minLength} chars long`);
    if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value))
      bad(`Invalid value: ${show(value)}: ${path} in body should match '${schema.pattern}'`);
  }
  if (typeof value === "number") {
    const min = schema.minimum as number | undefined;
    const max = schema.maximum as number | undefined;
    if (typeof min === "number" && (schema.exclusiveMinimum ? value <= min : value < min))
      bad(`Invalid value: ${value}: ${path} in body should be greater than or equal to ${min}`);
    if (typeof max === "number" && (schema.exclusiveMaximum ? value >= max : value > max))
      bad(`Invalid value: ${value}: ${path} in body should be less than or equal to ${max}`);
  }
  if (Array.isArray(value)) {
    if (typeof schema.maxItems === "number" && value.length > schema.maxItems)
      bad(`Too many: ${value.length}: must have at most ${schema.maxItems} items`);
    if (typeof schema.minItems === "number" && value.length < (schema.minItems as number))
      bad(`Invalid value: ${value.length}: ${path} in body should have at least ${schema.minItems} items`);
    if (isObj(schema.items))
      for (const [i, v] of value.entries()) validateSchema(schema.items, v, `${path}[${i}]`, out);
  }
  if (isObj(value)) {
    for (const r of schema.required ?? [])
      if (value[r] === undefined)
        out.push({ reason: "FieldValueRequired", field: join(path, r), message: "Required value" });
    const n = Object.keys(value).length;
    if (typeof schema.maxProperties === "number" && n > schema.maxProperties)
      bad(`Too many: ${n}: must have at most ${schema.maxProperties} items`);
    if (typeof schema.minProperties === "number" && n < (schema.minProperties as number))
      bad(`Invalid value: ${n}: ${path} in body should have at least ${schema.minProperties} properties`);
    for (const [k, v] of Object.entries(value)) {
      const p =
        schema.properties?.[k] ??
        (isObj(schema.additionalProperties) ? schema.additionalProperties : undefined);
      if (p && !(path === "" && k === "metadata")) validateSchema(p, v, join(path, k), out);
    }
  }
}

/**
 * Admits a custom resource as the API server does: prune, default, check the OpenAPI schema, then
 * run the CEL rules (transition rules excepted). Returns the admitted object, or the causes of a 422.
 */
export function admit(schema: CelSchema, obj: Obj): { object: Obj; causes: FieldCause[] } {
  const object = pruneAndDefault(schema, structuredClone(obj), true) as Obj;
  const causes: FieldCause[] = [];
  validateSchema(schema, object, "", causes);
  if (causes.length === 0) {
    const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = object;
    for (const f of evaluateCelRules(schema, rest, "", true)) {
      causes.push({
        reason: "FieldValueInvalid",
        field: f.path,
        message: `Invalid value: "object": ${f.message}`,
      });
    }
  }
  return { object, causes };
}
