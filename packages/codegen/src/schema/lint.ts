import { type CelSchema, checkCelRule, evaluateCelRules, maxSizeOf } from "@kcp-mesh/sdk/api";
import type { ProblemSink } from "../problems.js";
import { estimateCost, PER_RULE_LIMIT, PER_SCHEMA_LIMIT } from "./cel-cost.js";
import type { JsonSchema } from "./json-schema.js";
import { ALLOWED_KEYWORDS, FORBIDDEN_KEYWORDS, K8S_FORMATS, TYPES } from "./keywords.js";
import { itemPath, mapValuePath, propertyPath } from "./paths.js";
import { re2Error } from "./re2.js";
import { unknownFields, validateValue } from "./validate-value.js";

// Inside allOf/anyOf/oneOf/not Kubernetes allows value checks only, never the shape of the value.
const NOT_IN_JUNCTORS = [
  "type",
  "default",
  "description",
  "nullable",
  "additionalProperties",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-embedded-resource",
  "x-kubernetes-int-or-string",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-map-type",
];
const ROOT_METADATA_FIELDS = new Set(["name", "generateName"]);

/**
 * Checks a version's schema (the `schema` of an APIResourceSchema version, or a CRD's
 * `openAPIV3Schema`) against the rules of a structural schema that kcp keeps whole. kcp silently
 * drops keywords it does not know, so each such keyword is an error here, not a surprise later.
 */
export function lintVersionSchema(root: JsonSchema, sink: ProblemSink): void {
  if (root.type !== "object") sink.error("", "the root of a version schema must be type: object");
  if (root.nullable) sink.error("", "the root of a version schema cannot be nullable");
  const metadata = root.properties?.metadata;
  if (metadata) {
    if (metadata.type !== "object") sink.error("metadata", "metadata must be type: object");
    for (const k of Object.keys(metadata.properties ?? {})) {
      if (!ROOT_METADATA_FIELDS.has(k)) {
        sink.error(
          propertyPath("metadata", k),
          "only metadata.name and metadata.generateName may be restricted; remove it",
        );
      }
    }
    for (const k of Object.keys(metadata)) {
      if (k !== "type" && k !== "properties" && k !== "description")
        sink.error("metadata", `metadata may not set ${k}; remove it`);
    }
  }
  const cost = { total: 0, rules: [] as { path: string; cost: number }[] };
  lintNode(root, "", sink, { inJunctor: false, isRoot: true, cardinality: 1, cost });
  if (cost.total > PER_SCHEMA_LIMIT) {
    const worst = cost.rules.sort((a, b) => b.cost - a.cost).slice(0, 3);
    sink.error(
      "",
      `the CEL rules of this version cost about ${fmt(cost.total)} in all, beyond kcp's limit of ${fmt(PER_SCHEMA_LIMIT)} per schema (most: ${worst.map((r) => `${r.path || "(root)"} ${fmt(r.cost)}`).join(", ")}); bound the strings and lists they walk with .max(n)`,
    );
  }
}

const fmt = (n: number) => (n >= 1e15 ? n.toExponential(1) : Math.round(n).toLocaleString("en-US"));

interface Where {
  inJunctor: boolean;
  isRoot?: boolean;
  /** Below a node that keeps unknown fields: untyped nodes are fine there. */
  preserving?: boolean;
  /** How many times a rule here may run for one object: the sizes of the lists and maps above. */
  cardinality?: number;
  /** Where old and new values stop being correlatable (items of non-map lists, atomic objects): no oldSelf below. */
  uncorrelatable?: string;
  /** Every rule's estimated cost, for the per-schema limit. */
  cost?: { total: number; rules: { path: string; cost: number }[] };
}

function lintNode(node: JsonSchema, path: string, sink: ProblemSink, where: Where): void {
  if (typeof node !== "object" || node === null || Array.isArray(node)) {
    sink.error(path, "a schema must be an object");
    return;
  }
  for (const k of Object.keys(node)) {
    if (ALLOWED_KEYWORDS.has(k)) continue;
    const hint = FORBIDDEN_KEYWORDS[k];
    sink.error(
      path,
      hint
        ? `${k} is not allowed in a Kubernetes schema: ${hint}`
        : `unknown keyword ${k}: kcp drops keywords it does not know, so it would not be enforced; remove it`,
    );
  }
  if (where.inJunctor) {
    for (const k of NOT_IN_JUNCTORS) {
      if (k in node)
        sink.error(path, `${k} is not allowed inside allOf, anyOf, oneOf or not; put it on the field itself`);
    }
  }
  lintType(node, path, sink, where);
  lintValueChecks(node, path, sink);
  if (!where.inJunctor) lintCelRules(node, path, sink, where);
  lintExtensions(node, path, sink);
  if (node.default !== undefined && !where.inJunctor) lintDefault(node, path, sink);
  lintChildren(node, path, sink, where);
}

/**
 * A default must be valid for the schema it sits on and hold no field that schema would prune:
 * kcp refuses the APIResourceSchema otherwise (apiextensions' ValidateDefaults, with pruned
 * defaults required). zod does not check defaults either, so the typed value would not be valid.
 */
function lintDefault(node: JsonSchema, path: string, sink: ProblemSink): void {
  const shown = JSON.stringify(node.default);
  const fix =
    "; kcp refuses the APIResourceSchema (a default is validated against its own schema); write a default that passes the field's own checks, or relax the checks";
  const { default: _d, ...withoutDefault } = node;
  for (const e of validateValue(withoutDefault, node.default)) {
    sink.error(path, `default ${shown} is not valid${e.path ? ` at ${e.path}` : ""}: it ${e.message}${fix}`);
  }
  // ValidateDefaults runs the node's CEL rules (and those below it) on the default as well.
  if (!sink.hasErrors) {
    for (const f of evaluateCelRules(withoutDefault as CelSchema, node.default)) {
      sink.error(
        path,
        `default ${shown} fails the CEL rule ${JSON.stringify(f.rule)}${f.path ? ` at ${f.path}` : ""} (${f.message})${fix}`,
      );
    }
  }
  for (const f of unknownFields(withoutDefault, node.default)) {
    sink.error(
      path,
      `default ${shown} has the field ${f}, which the schema does not declare (kcp would prune it, and refuses such defaults); remove it from the default`,
    );
  }
}

function lintType(node: JsonSchema, path: string, sink: ProblemSink, where: Where): void {
  const intOrString = node["x-kubernetes-int-or-string"] === true;
  const preserve = node["x-kubernetes-preserve-unknown-fields"] === true;
  if (Array.isArray(node.type)) {
    sink.error(
      path,
      `type must be one type, not [${node.type.join(", ")}]; write nullable: true for values that may be null`,
    );
  } else if (node.type === undefined) {
    if (!where.inJunctor && !intOrString && !preserve && !where.preserving) {
      sink.error(
        path,
        "has no type; Kubernetes needs one on every field: write a concrete zod type, or preserveUnknownFields(z.unknown()) for free-form values",
      );
    }
  } else if (!TYPES.has(node.type)) {
    sink.error(
      path,
      `type ${node.type} does not exist in Kubernetes schemas; use object, array, string, integer, number or boolean`,
    );
  }
  if (intOrString && node.type !== undefined)
    sink.error(path, "x-kubernetes-int-or-string must not have a type");
  if (node.nullable !== undefined && typeof node.nullable !== "boolean")
    sink.error(path, "nullable must be true or false");
  if (typeof node.type === "string" && node.format !== undefined) {
    const known = K8S_FORMATS[node.type];
    if (!known?.has(node.format)) {
      sink.error(
        path,
        `format ${node.format} is not one Kubernetes checks for type ${node.type}${known ? ` (it knows ${[...known].join(", ")})` : ""}; remove it or use pattern`,
      );
    }
  }
  if (node.properties && node.additionalProperties !== undefined && node.additionalProperties !== false) {
    sink.error(
      path,
      "properties and additionalProperties cannot be used together; put free-form entries in their own field",
    );
  }
  if (node.additionalProperties === false) {
    sink.error(
      path,
      "additionalProperties: false is not allowed; Kubernetes prunes undeclared fields anyway, so remove it",
    );
  }
  if (Array.isArray(node.items)) sink.error(path, "items must be one schema; tuples are not allowed");
}

function lintValueChecks(node: JsonSchema, path: string, sink: ProblemSink): void {
  if (node.pattern !== undefined) {
    if (typeof node.pattern !== "string") sink.error(path, "pattern must be a string");
    else {
      const err = re2Error(node.pattern);
      if (err)
        sink.error(
          path,
          `pattern ${node.pattern} is not RE2, which Kubernetes uses (${err}); rewrite it without lookaround or backreferences`,
        );
    }
  }
  if (node.enum !== undefined && (!Array.isArray(node.enum) || node.enum.length === 0)) {
    sink.error(path, "enum must list at least one value");
  }
  const rules = node["x-kubernetes-validations"];
  if (rules !== undefined) {
    if (!Array.isArray(rules))
      sink.error(path, "x-kubernetes-validations must be a list of { rule, message }");
    else {
      for (const r of rules as { rule?: unknown }[]) {
        if (typeof r?.rule !== "string" || r.rule.trim() === "")
          sink.error(path, "every x-kubernetes-validations entry needs a rule");
      }
    }
  }
}

const REASONS = new Set([
  "FieldValueInvalid",
  "FieldValueForbidden",
  "FieldValueRequired",
  "FieldValueDuplicate",
]);

/**
 * Compiles and type-checks every CEL rule against the node it sits on, checks the rule's fields as
 * apiextensions does (message, reason, oldSelf where old values correlate), and estimates its cost
 * times the number of times it may run per object (the sizes of the lists and maps above it).
 */
function lintCelRules(node: JsonSchema, path: string, sink: ProblemSink, where: Where): void {
  const rules = node["x-kubernetes-validations"];
  if (!Array.isArray(rules)) return;
  for (const r of rules as {
    rule?: unknown;
    message?: unknown;
    reason?: unknown;
    messageExpression?: unknown;
    optionalOldSelf?: unknown;
    fieldPath?: unknown;
  }[]) {
    if (typeof r?.rule !== "string" || r.rule.trim() === "") continue;
    const rule = r.rule;
    const at = `rule ${JSON.stringify(rule)}`;
    if (typeof r.message === "string" && /[\r\n]/.test(r.message.trim()))
      sink.error(path, `${at}: its message must not contain line breaks`);
    if (/[\r\n]/.test(rule.trim()) && (typeof r.message !== "string" || r.message.trim() === ""))
      sink.error(
        path,
        `${at} spans several lines, so kcp needs a message: cel(schema, rule, { message: "..." })`,
      );
    if (r.reason !== undefined && !REASONS.has(r.reason as string))
      sink.error(path, `${at}: reason must be one of ${[...REASONS].join(", ")}`);
    const checked = checkCelRule(node as CelSchema, { ...(r as { rule: string }) }, where.isRoot === true);
    if (!checked.ok) {
      if (checked.cannotJudge)
        sink.warn(
          path,
          `${at} ${checked.error}; kcp type-checks it when the schema is created (run mesh-codegen verify), and validateObject does not run it`,
        );
      else
        sink.error(
          path,
          `${at}: ${checked.error}; fix the expression in cel(...) (self is this field${where.isRoot ? ", the whole object" : ""})`,
        );
      continue;
    }
    if (checked.usesOldSelf && where.uncorrelatable !== undefined) {
      sink.error(
        path,
        `${at} uses oldSelf, but below ${where.uncorrelatable || "(root)"} kcp cannot pair old and new values (items of lists that are not list maps, fields of atomic objects); move the rule up to ${where.uncorrelatable || "the root"} or make the list a listMap(...)`,
      );
    } else if (!checked.usesOldSelf && r.optionalOldSelf !== undefined) {
      sink.error(path, `${at}: optionalOldSelf may only be set on rules that use oldSelf`);
    }
    const each = estimateCost(checked.ast, node as CelSchema);
    const total = each * (where.cardinality ?? 1);
    where.cost?.rules.push({ path, cost: total });
    if (where.cost) where.cost.total += total;
    if (total > PER_RULE_LIMIT) {
      const times =
        (where.cardinality ?? 1) > 1
          ? ` it runs up to ${fmt(where.cardinality ?? 1)} times per object (once per item of the lists and maps above it) and`
          : "";
      sink.error(
        path,
        `${at}: estimated cost ${fmt(total)} exceeds kcp's limit of ${fmt(PER_RULE_LIMIT)} per rule:${times} each run may cost ${fmt(each)}; strings, lists and maps without .max(n) count as large as a 3 MiB request allows, so bound the ones it walks (and the lists above it) with .max(n)`,
      );
    }
  }
}

function lintExtensions(node: JsonSchema, path: string, sink: ProblemSink): void {
  for (const k of [
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-embedded-resource",
    "x-kubernetes-int-or-string",
  ]) {
    if (k in node && node[k] !== true) sink.error(path, `${k} must be true or left out`);
  }
  if (node["x-kubernetes-embedded-resource"] === true) {
    if (node.type !== "object") sink.error(path, "x-kubernetes-embedded-resource needs type: object");
    if (!node.properties && node["x-kubernetes-preserve-unknown-fields"] !== true) {
      sink.error(
        path,
        "x-kubernetes-embedded-resource needs properties or x-kubernetes-preserve-unknown-fields: true",
      );
    }
  }
  if (node["x-kubernetes-int-or-string"] === true && node.anyOf) {
    const types = node.anyOf.map((b) => JSON.stringify(b)).sort();
    if (types.join() !== ['{"type":"integer"}', '{"type":"string"}'].join()) {
      sink.error(path, "x-kubernetes-int-or-string allows only anyOf: [{type: integer}, {type: string}]");
    }
  }
  const listType = node["x-kubernetes-list-type"];
  const keys = node["x-kubernetes-list-map-keys"];
  if (listType !== undefined) {
    if (node.type !== "array") sink.error(path, "x-kubernetes-list-type needs type: array");
    if (!["atomic", "set", "map"].includes(listType as string))
      sink.error(path, "x-kubernetes-list-type must be atomic, set or map");
  }
  if (keys !== undefined && listType !== "map")
    sink.error(path, "x-kubernetes-list-map-keys needs x-kubernetes-list-type: map");
  const items = Array.isArray(node.items) ? undefined : node.items;
  if (listType === "map") {
    if (!Array.isArray(keys) || keys.length === 0)
      sink.error(path, "x-kubernetes-list-type: map needs x-kubernetes-list-map-keys");
    else if (items?.type !== "object")
      sink.error(path, "x-kubernetes-list-type: map needs items of type object");
    else {
      for (const key of keys as string[]) {
        const field = items.properties?.[key];
        const at = propertyPath(itemPath(path), key);
        if (!field) sink.error(itemPath(path), `list map key ${key} is not a field of the items`);
        else {
          if (!items.required?.includes(key) && field.default === undefined) {
            sink.error(at, `list map key ${key} must be required or have a default`);
          }
          if (field.type === "object" || field.type === "array" || field.type === undefined) {
            sink.error(
              at,
              `list map key ${key} must be a scalar (string, integer, number or boolean), not ${field.type ?? "an untyped value"}; key the list by a scalar field such as name`,
            );
          }
          if (field.nullable === true)
            sink.error(at, `list map key ${key} cannot be nullable; remove .nullable()`);
        }
      }
      if (new Set(keys as string[]).size !== (keys as string[]).length)
        sink.error(path, "x-kubernetes-list-map-keys lists a key twice");
    }
  }
  if ((listType === "set" || listType === "map") && items?.nullable === true) {
    sink.error(
      itemPath(path),
      `items of a list with x-kubernetes-list-type ${listType} cannot be nullable; remove .nullable()`,
    );
  }
  if (
    listType === "set" &&
    items &&
    (items.type === "object" || items.type === "array") &&
    items["x-kubernetes-map-type"] !== "atomic"
  ) {
    sink.error(
      path,
      "x-kubernetes-list-type: set needs scalar items (or atomic objects); use listMap(...) for lists of objects",
    );
  }
  const mapType = node["x-kubernetes-map-type"];
  if (mapType !== undefined) {
    if (node.type !== "object") sink.error(path, "x-kubernetes-map-type needs type: object");
    if (mapType !== "atomic" && mapType !== "granular")
      sink.error(path, "x-kubernetes-map-type must be atomic or granular");
  }
}

function lintChildren(node: JsonSchema, path: string, sink: ProblemSink, where: Where): void {
  const preserving = where.preserving || node["x-kubernetes-preserve-unknown-fields"] === true;
  const base = {
    inJunctor: where.inJunctor,
    preserving,
    cost: where.cost,
    cardinality: where.cardinality ?? 1,
  };
  const keep = where.uncorrelatable;
  const fieldsUncorrelatable = keep ?? (node["x-kubernetes-map-type"] === "atomic" ? path : undefined);
  for (const [k, v] of Object.entries(node.properties ?? {}))
    lintNode(v, propertyPath(path, k), sink, {
      ...base,
      ...(fieldsUncorrelatable !== undefined && { uncorrelatable: fieldsUncorrelatable }),
      ...(v["x-kubernetes-embedded-resource"] === true && { isRoot: true }),
    });
  const many = base.cardinality * maxSizeOf(node as CelSchema);
  if (node.items && !Array.isArray(node.items)) {
    const itemsUncorrelatable = keep ?? (node["x-kubernetes-list-type"] === "map" ? undefined : path);
    lintNode(node.items, itemPath(path), sink, {
      ...base,
      cardinality: many,
      ...(itemsUncorrelatable !== undefined && { uncorrelatable: itemsUncorrelatable }),
    });
  }
  if (typeof node.additionalProperties === "object")
    lintNode(node.additionalProperties, mapValuePath(path), sink, {
      ...base,
      cardinality: many,
      ...(keep !== undefined && { uncorrelatable: keep }),
    });
  const junctor = { inJunctor: true, preserving };
  const intOrString = node["x-kubernetes-int-or-string"] === true;
  for (const k of ["allOf", "anyOf", "oneOf"] as const) {
    const list = node[k];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      sink.error(path, `${k} must be a list of schemas`);
      continue;
    }
    // The int-or-string anyOf carries types by design; it is checked above.
    if (k === "anyOf" && intOrString) continue;
    for (const s of list) lintNode(s, path, sink, junctor);
  }
  if (node.not && typeof node.not === "object") lintNode(node.not as JsonSchema, path, sink, junctor);
}
