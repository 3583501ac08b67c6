import type { VersionDefinition } from "@kcp-mesh/sdk/api";
import { zodToRawJsonSchema } from "../convert/to-json-schema.js";
import type { ProblemSink } from "../problems.js";
import type { JsonSchema } from "../schema/json-schema.js";
import { orderKeys } from "../schema/key-order.js";
import { lintVersionSchema } from "../schema/lint.js";
import { acceptsEmpty, addParentDefaults, hasDefaults } from "../schema/object-defaults.js";
import { checkPrinterColumns } from "../schema/printer-columns.js";
import { rewriteSchema } from "../schema/rewrite.js";
import { withConditions } from "./conditions.js";

/**
 * The OpenAPI schema of one resource version, ready for an APIResourceSchema: spec and status
 * converted from zod, rewritten to structural form, wrapped in the object's root, then linted and
 * checked against the printer columns. Problems go to `sink`. The status always has the standard
 * `conditions` list the runtime writes `Ready` into, and so always a status subresource.
 */
export function buildVersionSchema(def: VersionDefinition, sink: ProblemSink): JsonSchema {
  const spec = convertPart(def.spec, "spec", sink);
  const status = withConditions(
    def.status === undefined ? undefined : convertPart(def.status, "status", sink),
    sink,
  );
  const required: string[] = [];
  if (spec.type === "object" && !spec.nullable) {
    // A spec that accepts {} may be left out; kcp then defaults it to {} so its fields' defaults apply.
    if (!acceptsEmpty(spec)) required.push("spec");
    else if (hasDefaults(spec) && spec.default === undefined) spec.default = {};
  }
  const root: JsonSchema = {
    type: "object",
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { type: "object" },
      spec,
      status,
    },
    ...(required.length > 0 && { required }),
  };
  lintVersionSchema(root, sink);
  checkPrinterColumns(def.printerColumns ?? [], root, sink);
  if (def.scale) checkScale(def.scale, root, sink);
  return root;
}

/**
 * The scale subresource's paths, as apiextensions checks them (simple paths under .spec and
 * .status), and what the scale endpoint needs of the fields: integers for the replicas, a string for
 * the selector. kcp checks only the prefixes; a wrong field type fails every /scale request.
 */
function checkScale(
  scale: NonNullable<VersionDefinition["scale"]>,
  root: JsonSchema,
  sink: ProblemSink,
): void {
  const field = (path: string): JsonSchema | undefined => {
    let node: JsonSchema | undefined = root;
    for (const part of path.slice(1).split(".")) node = node?.properties?.[part];
    return node;
  };
  const check = (name: string, path: string | undefined, under: string[], type: string, zod: string) => {
    if (path === undefined) return;
    if (!/^(\.[A-Za-z_][\w-]*)+$/.test(path) || !under.some((u) => path.startsWith(`${u}.`))) {
      sink.error(
        `scale.${name}`,
        `${path} must be a simple path under ${under.join(" or ")}, such as ${under[0]}.replicas`,
      );
      return;
    }
    const node = field(path);
    if (!node) sink.error(`scale.${name}`, `${path} is not a field of the schema; add it (${zod})`);
    else if (node.type !== type)
      sink.error(
        `scale.${name}`,
        `${path} must be ${type === "integer" ? "an integer" : "a string"} (${zod}), not ${String(node.type)}`,
      );
  };
  check("specReplicasPath", scale.specReplicasPath, [".spec"], "integer", "z.int32()");
  check("statusReplicasPath", scale.statusReplicasPath, [".status"], "integer", "z.int32()");
  check("labelSelectorPath", scale.labelSelectorPath, [".spec", ".status"], "string", "z.string()");
}

function convertPart(schema: unknown, part: "spec" | "status", sink: ProblemSink): JsonSchema {
  let raw: JsonSchema;
  try {
    raw = zodToRawJsonSchema(schema);
  } catch (err) {
    sink.error(part, err instanceof Error ? err.message : String(err));
    return { type: "object" };
  }
  const out = rewriteSchema(raw, part, sink);
  if (out.type !== "object") {
    sink.error(part, `${part} must be an object schema, such as z.object({ ... })`);
    return { type: "object" };
  }
  addParentDefaults(out);
  return orderKeys(out);
}
