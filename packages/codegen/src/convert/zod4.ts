import { z } from "zod";
import { isPlainJson, type JsonSchema, jsonEqual } from "../schema/json-schema.js";
import { EXPLICIT_FORMAT, REJECT, STRING_CHECKS, type StringCheck } from "./markers.js";
import { UNSUPPORTED } from "./unsupported.js";

interface Zod4Def {
  type: string;
  check?: string;
  format?: string;
  pattern?: RegExp;
  checks?: { _zod: { def: Zod4Def } }[];
  defaultValue?: unknown;
  keyType?: Zod4Schema;
  in?: Zod4Schema;
  out?: Zod4Schema;
}
interface Zod4Schema {
  _zod: { def: Zod4Def };
}

const NUMBER_FORMATS: Record<string, string> = {
  int32: "int32",
  uint32: "int64",
  float32: "float",
  float64: "double",
};

/**
 * Converts a zod 4 schema with zod's own `z.toJSONSchema` (OpenAPI 3.0, input side, nothing shared
 * by `$ref`), leaving markers for what the rewrite must reject or translate.
 */
export function zod4ToJsonSchema(schema: z.core.$ZodType): JsonSchema {
  return z.toJSONSchema(schema, {
    target: "openapi-3.0",
    io: "input",
    reused: "inline",
    cycles: "ref",
    unrepresentable: "any",
    override: ({ zodSchema, jsonSchema }) =>
      annotate(zodSchema as unknown as Zod4Schema, jsonSchema as JsonSchema),
  }) as JsonSchema;
}

function annotate(schema: Zod4Schema, json: JsonSchema): void {
  const def = schema._zod.def;
  const unsupported = UNSUPPORTED[def.type];
  if (unsupported && !(def.type === "pipe" && isPassThroughPipe(def))) {
    json[REJECT] = unsupported;
    return;
  }
  switch (def.type) {
    case "number": {
      const format =
        def.format ?? def.checks?.find((c) => c._zod.def.check === "number_format")?._zod.def.format;
      const k8s = format ? NUMBER_FORMATS[format] : undefined;
      if (k8s) json.format = k8s;
      return;
    }
    case "string":
      annotateString(schema, json);
      return;
    case "default":
    case "prefault":
      checkDefault(def, json);
      return;
    case "record": {
      const key = def.keyType?._zod.def;
      if (key && (key.type !== "string" || (key.checks?.length ?? 0) > 0 || key.format)) {
        json[REJECT] =
          "record keys other than plain z.string() cannot be checked by a Kubernetes schema; write z.record(z.string(), ...) with a CEL rule on the keys, or z.object({ ... }) with the keys as fields";
      }
      return;
    }
  }
}

// z.string().pipe(z.string().min(1)) style pipes between two plain schemas only narrow; transforms do not.
function isPassThroughPipe(def: Zod4Def): boolean {
  const inType = def.in?._zod.def.type;
  const outType = def.out?._zod.def.type;
  return inType !== undefined && inType === outType && inType !== "transform";
}

function annotateString(schema: Zod4Schema, json: JsonSchema): void {
  const def = schema._zod.def;
  const checks: StringCheck[] = [];
  const add = (d: Zod4Def) => {
    if (d.check !== "string_format" || !d.format) return;
    checks.push({
      format: d.format,
      ...(d.pattern && { pattern: { source: d.pattern.source, flags: d.pattern.flags } }),
    });
  };
  add(def);
  for (const c of def.checks ?? []) add(c._zod.def);
  json[STRING_CHECKS] = checks;
  const meta = z.globalRegistry.get(schema as unknown as z.core.$ZodType) as { format?: unknown } | undefined;
  if (typeof meta?.format === "string") json[EXPLICIT_FORMAT] = meta.format;
}

function checkDefault(def: Zod4Def, json: JsonSchema): void {
  // zod 4 hides whether .default() got a value or a function; a function shows itself by returning
  // something that is not plain JSON (a Date) or something different on each call (a random id).
  const first = def.defaultValue;
  const second = def.defaultValue;
  if (!isPlainJson(first) || !jsonEqual(first, second)) {
    json[REJECT] =
      'the default is computed by a function (it is not a constant JSON value), so the generated schema would differ between runs; write a constant such as .default("small") and compute values in your handler';
  }
}
