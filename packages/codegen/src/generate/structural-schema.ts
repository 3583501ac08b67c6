import { zodToRawJsonSchema } from "../convert/to-json-schema.js";
import { type Problem, ProblemSink } from "../problems.js";
import type { JsonSchema } from "../schema/json-schema.js";
import { orderKeys } from "../schema/key-order.js";
import { lintVersionSchema } from "../schema/lint.js";
import { addParentDefaults } from "../schema/object-defaults.js";
import { rewriteSchema } from "../schema/rewrite.js";

/**
 * Converts one zod schema (zod 4 or `zod/v3`) into the structural schema `generate` would put in an
 * APIResourceSchema, with the problems found at JSON paths below `path`. Handy to check a shared
 * schema piece, or to see what a construct becomes.
 *
 * @example
 * ```ts
 * const { schema, problems } = structuralSchema(z.object({ size: z.enum(["s", "m"]) }), "spec");
 * ```
 */
export function structuralSchema(
  zod: unknown,
  path = "",
  where = "schema",
): { schema: JsonSchema; problems: Problem[] } {
  const sink = new ProblemSink(where);
  let schema: JsonSchema;
  try {
    schema = rewriteSchema(zodToRawJsonSchema(zod), path, sink);
  } catch (err) {
    sink.error(path, err instanceof Error ? err.message : String(err));
    return { schema: {}, problems: sink.problems };
  }
  addParentDefaults(schema);
  schema = orderKeys(schema);
  // Lint it as a field of an object root, so that the rules for fields apply.
  const lintSink = new ProblemSink(where);
  lintVersionSchema({ type: "object", properties: { [path || "value"]: schema } }, lintSink);
  if (!sink.hasErrors) sink.problems.push(...lintSink.problems);
  return { schema, problems: sink.problems };
}
