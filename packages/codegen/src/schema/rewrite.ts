import { REJECT, STRICT } from "../convert/markers.js";
import type { ProblemSink } from "../problems.js";
import type { JsonSchema } from "./json-schema.js";
import { itemPath, mapValuePath, propertyPath } from "./paths.js";
import { applyStringChecks } from "./string-formats.js";
import { rewriteUnion } from "./unions.js";

const SAFE = Number.MAX_SAFE_INTEGER;

// What a rejected node becomes: already reported, so it must not draw a second "has no type" from the lint.
const rejected = (): JsonSchema => ({ "x-kubernetes-preserve-unknown-fields": true });

// Keywords zod emits that mean nothing to Kubernetes and constrain nothing kcp could enforce.
const DROPPED = ["readOnly", "writeOnly", "contentEncoding", "contentMediaType", "$schema"];

/**
 * Rewrites the JSON Schema a converter produced from zod into a structural schema kcp keeps whole:
 * every node typed, `nullable` instead of null types, unions in their Kubernetes forms, zod's safe
 * integer bounds dropped, string formats and patterns that Kubernetes can check. What cannot be
 * rewritten is reported to `sink` at its JSON path, with what to write instead.
 */
export function rewriteSchema(node: JsonSchema, path: string, sink: ProblemSink): JsonSchema {
  if (typeof node[REJECT] === "string") {
    sink.error(path, node[REJECT]);
    return rejected();
  }
  if ("$ref" in node) {
    sink.error(
      path,
      "the schema refers to itself (z.lazy recursion); Kubernetes schemas cannot recurse: limit the depth with explicit nested objects, or mark the field preserveUnknownFields(z.unknown())",
    );
    return rejected();
  }
  const out: JsonSchema = { ...node };
  for (const k of DROPPED) delete out[k];
  delete out[STRICT];
  // .meta({ examples }): Kubernetes has one `example`; .meta({ deprecated }): no per-field form.
  if (Array.isArray(out.examples)) {
    if (out.examples.length > 0 && out.example === undefined) out.example = out.examples[0];
    if (out.examples.length > 1)
      sink.warn(path, "Kubernetes schemas hold one example; only the first of .meta({ examples }) is kept");
  }
  delete out.examples;
  if (out.deprecated === true) {
    sink.warn(
      path,
      'Kubernetes schemas cannot mark a field deprecated, so .meta({ deprecated: true }) is dropped; say it in .describe("Deprecated: ...") and deprecate whole versions with deprecated: true on the version',
    );
  }
  delete out.deprecated;
  // zod puts the targets of recursive references at the root; the $ref nodes themselves are reported.
  delete out.definitions;
  delete out.$defs;

  if (Array.isArray(out.type)) {
    const types = out.type.filter((t) => t !== "null");
    if (types.length < out.type.length) out.nullable = true;
    if (types.length === 1) out.type = types[0]!;
    else
      return unionOf(
        out,
        types.map((type) => ({ type })),
        path,
        sink,
      );
  }
  const branches = out.anyOf ?? out.oneOf;
  if (branches && out["x-kubernetes-int-or-string"] !== true) {
    delete out.anyOf;
    delete out.oneOf;
    return unionOf(out, branches, path, sink);
  }
  if ("const" in out) {
    out.enum = [out.const];
    delete out.const;
  }
  if (out.nullable === false) delete out.nullable;

  switch (out.type) {
    case "string":
      applyStringChecks(out, path, sink);
      break;
    case "integer":
      if (out.minimum === -SAFE) delete out.minimum;
      if (out.maximum === SAFE) delete out.maximum;
      break;
    case "object":
      rewriteObject(out, path, sink);
      break;
    case "array":
      if (Array.isArray(out.items)) {
        sink.error(
          path,
          "tuples cannot be expressed in a Kubernetes schema (lists have one item schema); write z.object({ ... }) with named fields",
        );
        return rejected();
      }
      if (out.items) out.items = rewriteSchema(out.items, itemPath(path), sink);
      break;
  }
  if (out.allOf) out.allOf = rewriteAllOf(out, path, sink);
  return out;
}

function unionOf(outer: JsonSchema, branches: JsonSchema[], path: string, sink: ProblemSink): JsonSchema {
  const merged = rewriteUnion(branches, path, sink, (b) => rewriteSchema(b, path, sink));
  if (!merged) return rejected();
  const { type: _type, nullable, ...rest } = outer;
  return { ...merged, ...rest, ...((nullable || merged.nullable) && { nullable: true }) };
}

function rewriteObject(out: JsonSchema, path: string, sink: ProblemSink): void {
  if (out.properties) {
    const props: Record<string, JsonSchema> = {};
    for (const [k, v] of Object.entries(out.properties))
      props[k] = rewriteSchema(v, propertyPath(path, k), sink);
    out.properties = props;
    if (Object.keys(props).length === 0) delete out.properties;
  }
  if (out.required?.length === 0) delete out.required;
  const extra = out.additionalProperties;
  // Kubernetes prunes undeclared fields anyway, so a strict object's `false` adds nothing but is forbidden.
  if (extra === false) delete out.additionalProperties;
  else if (extra === true || (typeof extra === "object" && Object.keys(extra).length === 0)) {
    delete out.additionalProperties;
    out["x-kubernetes-preserve-unknown-fields"] = true;
  } else if (typeof extra === "object") {
    if (out.properties && Object.keys(out.properties).length > 0) {
      sink.error(
        path,
        "an object with both fields and .catchall(...) cannot be expressed in a Kubernetes schema; move the free-form entries into their own z.record(z.string(), ...) field",
      );
      delete out.additionalProperties;
      return;
    }
    delete out.properties;
    out.additionalProperties = rewriteSchema(extra, mapValuePath(path), sink);
  }
}

function rewriteAllOf(out: JsonSchema, path: string, sink: ProblemSink): JsonSchema[] {
  const items: JsonSchema[] = [];
  for (const part of out.allOf ?? []) {
    // Stacked zod patterns come as allOf parts that repeat the type; inside allOf Kubernetes forbids it.
    const { type, ...rest } = part;
    if (type !== undefined && type !== out.type) {
      sink.error(
        path,
        "intersections of different types cannot be expressed in a Kubernetes schema; write one z.object({ ... }) with all fields (z.intersection of objects works)",
      );
      continue;
    }
    items.push(rest);
  }
  return items;
}
