import type { z } from "zod";
import type { JsonSchema } from "../schema/json-schema.js";
import { zod3ToJsonSchema } from "./zod3.js";
import { zod4ToJsonSchema } from "./zod4.js";

/** Which converter a schema needs, told apart by shape so that any copy of zod works. */
export function zodFlavour(schema: unknown): "zod4" | "zod3" | undefined {
  if (typeof schema !== "object" || schema === null) return undefined;
  if ("_zod" in schema) return "zod4";
  if ("_def" in schema && typeof (schema as { _def: { typeName?: unknown } })._def.typeName === "string")
    return "zod3";
  return undefined;
}

/**
 * Converts a zod 4 or `zod/v3` schema to raw JSON Schema with the generator's markers; the rewrite
 * turns it into a structural schema. Throws for anything that is not a zod schema.
 */
export function zodToRawJsonSchema(schema: unknown): JsonSchema {
  switch (zodFlavour(schema)) {
    case "zod4":
      return zod4ToJsonSchema(schema as z.core.$ZodType);
    case "zod3":
      return zod3ToJsonSchema(schema as { _def: object });
    default:
      throw new Error(
        'not a zod schema: write spec and status with zod 4 (import { z } from "zod") or zod/v3',
      );
  }
}
