import { RE2JS } from "re2js";
import { type JsonSchema, jsonEqual } from "./json-schema.js";
import { propertyPath } from "./paths.js";

/** One way a value does not fit a schema, at a data path relative to the value. */
export interface ValueError {
  path: string;
  message: string;
}

// Formats as Kubernetes' strfmt registry checks them (k8s.io/kube-openapi/pkg/validation/strfmt),
// for the formats mesh-codegen writes; others are not checked here.
const FORMATS: Record<string, RegExp> = {
  "date-time": /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/,
  date: /^\d{4}-\d{2}-\d{2}$/,
  uuid: /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i,
  duration: /^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h|d|w))+)$/,
  byte: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
  ipv4: /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/,
  email: /^[^@\s]+@[^@\s]+$/,
};

const patterns = new Map<string, RE2JS>();
function re2(pattern: string): RE2JS | undefined {
  let p = patterns.get(pattern);
  if (!p) {
    try {
      p = RE2JS.compile(pattern);
    } catch {
      return undefined;
    }
    patterns.set(pattern, p);
  }
  return p;
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

/**
 * Validates a JSON value against a structural schema node as the API server's OpenAPI validator
 * does (types, nullable, enum, bounds, lengths in runes, RE2 patterns, the formats above, required
 * fields, junctors). CEL rules and list uniqueness are not checked here.
 */
export function validateValue(schema: JsonSchema, value: unknown, path = ""): ValueError[] {
  const errors: ValueError[] = [];
  check(schema, value, path, errors, true);
  return errors;
}

function check(s: JsonSchema, v: unknown, path: string, out: ValueError[], shape: boolean): void {
  const add = (message: string): void => {
    out.push({ path, message });
  };
  if (v === null) {
    if (shape && !s.nullable && s["x-kubernetes-preserve-unknown-fields"] !== true)
      add(`must be of type ${s.type ?? "int-or-string"}, not null`);
    return;
  }
  const t = typeOf(v);
  if (s["x-kubernetes-int-or-string"] === true) {
    if (t !== "integer" && t !== "string") {
      add("must be an integer or a string");
      return;
    }
  } else if (typeof s.type === "string") {
    const ok = s.type === t || (s.type === "number" && t === "integer");
    if (!ok) {
      add(`must be of type ${s.type}, not ${t}`);
      return;
    }
  }
  if (s.enum && !s.enum.some((e) => jsonEqual(e, v))) add(`must be one of ${JSON.stringify(s.enum)}`);
  if (typeof v === "number") {
    const { minimum: min, maximum: max } = s as { minimum?: number; maximum?: number };
    if (typeof min === "number" && (s.exclusiveMinimum === true ? v <= min : v < min))
      add(`must be greater than ${s.exclusiveMinimum === true ? "" : "or equal to "}${min}`);
    if (typeof max === "number" && (s.exclusiveMaximum === true ? v >= max : v > max))
      add(`must be less than ${s.exclusiveMaximum === true ? "" : "or equal to "}${max}`);
    if (typeof s.multipleOf === "number" && !Number.isInteger(v / s.multipleOf))
      add(`must be a multiple of ${s.multipleOf}`);
  }
  if (typeof v === "string") {
    const runes = [...v].length;
    if (typeof s.minLength === "number" && runes < s.minLength)
      add(`must be at least ${s.minLength} characters long`);
    if (typeof s.maxLength === "number" && runes > s.maxLength)
      add(`may not be longer than ${s.maxLength} characters`);
    if (typeof s.pattern === "string" && re2(s.pattern) && !re2(s.pattern)!.matcher(v).find())
      add(`must match ${s.pattern}`);
    const format = typeof s.format === "string" ? FORMATS[s.format] : undefined;
    if (format && !format.test(v)) add(`must be a valid ${s.format}`);
  }
  if (Array.isArray(v)) {
    if (typeof s.minItems === "number" && v.length < s.minItems)
      add(`must have at least ${s.minItems} items`);
    if (typeof s.maxItems === "number" && v.length > s.maxItems) add(`must have at most ${s.maxItems} items`);
    if (s.items && !Array.isArray(s.items))
      for (const [i, item] of v.entries()) check(s.items, item, `${path}[${i}]`, out, shape);
  }
  if (t === "object") {
    const o = v as Record<string, unknown>;
    const n = Object.keys(o).length;
    if (typeof s.minProperties === "number" && n < s.minProperties)
      add(`must have at least ${s.minProperties} properties`);
    if (typeof s.maxProperties === "number" && n > s.maxProperties)
      add(`must have at most ${s.maxProperties} properties`);
    for (const r of s.required ?? [])
      if (!(r in o)) out.push({ path: propertyPath(path, r), message: "is required" });
    for (const [k, child] of Object.entries(o)) {
      const p = s.properties?.[k];
      if (p) check(p, child, propertyPath(path, k), out, shape);
      else if (typeof s.additionalProperties === "object")
        check(s.additionalProperties, child, propertyPath(path, k), out, shape);
    }
  }
  for (const part of s.allOf ?? []) check(part, v, path, out, false);
  if (s.anyOf && s["x-kubernetes-int-or-string"] !== true) {
    if (!s.anyOf.some((part) => validateValue(part, v).length === 0))
      add("must match one of the anyOf schemas");
  }
  if (s.oneOf && s.oneOf.filter((part) => validateValue(part, v).length === 0).length !== 1)
    add("must match exactly one of the oneOf schemas");
  if (s.not && typeof s.not === "object" && validateValue(s.not as JsonSchema, v).length === 0)
    add("must not match the not schema");
}

/**
 * The fields of `value` that kcp would prune (fields its schema does not declare, outside
 * x-kubernetes-preserve-unknown-fields), as data paths. A default must have none.
 */
export function unknownFields(schema: JsonSchema, value: unknown, path = ""): string[] {
  const out: string[] = [];
  if (value === null || typeof value !== "object") return out;
  if (Array.isArray(value)) {
    if (schema.items && !Array.isArray(schema.items))
      for (const [i, item] of value.entries())
        out.push(...unknownFields(schema.items, item, `${path}[${i}]`));
    return out;
  }
  const preserve = schema["x-kubernetes-preserve-unknown-fields"] === true;
  const embedded = schema["x-kubernetes-embedded-resource"] === true;
  for (const [k, child] of Object.entries(value as Record<string, unknown>)) {
    const p = schema.properties?.[k];
    const at = propertyPath(path, k);
    if (p) out.push(...unknownFields(p, child, at));
    else if (typeof schema.additionalProperties === "object")
      out.push(...unknownFields(schema.additionalProperties, child, at));
    else if (!preserve && !(embedded && (k === "apiVersion" || k === "kind" || k === "metadata")))
      out.push(at);
  }
  return out;
}
