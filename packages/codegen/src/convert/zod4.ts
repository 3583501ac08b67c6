import { z } from "zod";
import { isPlainJson, type JsonSchema, jsonEqual } from "../schema/json-schema.js";
import { defaultIsFunction } from "./default-source.js";
import { EXPLICIT_FORMAT, REJECT, STRICT, STRING_CHECKS, type StringCheck } from "./markers.js";
import { UNSUPPORTED } from "./unsupported.js";

interface Zod4Def {
  type: string;
  check?: string;
  format?: string;
  pattern?: RegExp;
  checks?: { _zod: { def: Zod4Def } }[];
  defaultValue?: unknown;
  keyType?: Zod4Schema;
  catchall?: Zod4Schema;
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
  const json = z.toJSONSchema(schema, {
    target: "openapi-3.0",
    io: "input",
    reused: "inline",
    cycles: "ref",
    unrepresentable: "any",
    override: ({ zodSchema, jsonSchema }) =>
      annotate(zodSchema as unknown as Zod4Schema, jsonSchema as JsonSchema),
  }) as JsonSchema;
  return inlineDefinitions(json);
}

/**
 * zod moves every schema with `.meta({ id })` into `definitions` and refers to it by `$ref`, even
 * when nothing recurses. Inlines those references; only a reference back into a definition that is
 * being expanded (real recursion) stays, for the rewrite to report.
 */
function inlineDefinitions(root: JsonSchema): JsonSchema {
  const defs = {
    ...((root.definitions ?? {}) as Record<string, JsonSchema>),
    ...((root.$defs ?? {}) as Record<string, JsonSchema>),
  };
  if (Object.keys(defs).length === 0) return root;
  const walk = (node: unknown, expanding: string[]): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n, expanding));
    if (node === null || typeof node !== "object") return node;
    const n = node as JsonSchema;
    const ref =
      typeof n.$ref === "string" ? /^#\/(?:definitions|\$defs)\/(.+)$/.exec(n.$ref)?.[1] : undefined;
    if (ref !== undefined && defs[ref] && !expanding.includes(ref)) {
      const { $ref: _ref, ...siblings } = n;
      const target = walk(defs[ref], [...expanding, ref]) as JsonSchema;
      return { ...target, ...(walk(siblings, expanding) as JsonSchema) };
    }
    const out: JsonSchema = {};
    for (const [k, v] of Object.entries(n)) {
      if (k === "definitions" || k === "$defs") continue;
      out[k] = walk(v, expanding);
    }
    // An optional reference comes as { allOf: [{ $ref }] }: one part and no type of its own is the part.
    if (Array.isArray(out.allOf) && out.allOf.length === 1 && out.type === undefined && ref === undefined) {
      const [part] = out.allOf as JsonSchema[];
      const { allOf: _a, ...rest } = out;
      return { ...part, ...rest };
    }
    return out;
  };
  // Real recursion keeps its $ref (the rewrite reports it); the definitions themselves go.
  return walk(root, []) as JsonSchema;
}

function annotate(schema: Zod4Schema, json: JsonSchema): void {
  const def = schema._zod.def;
  const unsupported = UNSUPPORTED[def.type];
  if (unsupported && !(def.type === "pipe" && isPassThroughPipe(def))) {
    json[REJECT] = unsupported;
    return;
  }
  if (def.checks?.some((c) => c._zod.def.check === "overwrite")) {
    json[REJECT] = UNSUPPORTED.overwrite!;
    return;
  }
  switch (def.type) {
    case "object":
      if (def.catchall?._zod.def.type === "never") json[STRICT] = true;
      return;
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
  // A function default is baked in as whatever it returned here and now; see defaultIsFunction.
  if (defaultIsFunction(def) === true) {
    json[REJECT] = UNSUPPORTED.functionDefault!;
    return;
  }
  // Where the inspector cannot tell, a function still shows itself by returning something that is
  // not plain JSON (a Date) or something different on each call (a random id).
  const first = def.defaultValue;
  const second = def.defaultValue;
  if (!isPlainJson(first) || !jsonEqual(first, second)) {
    json[REJECT] =
      'the default is computed by a function (it is not a constant JSON value), so the generated schema would differ between runs; write a constant such as .default("small") and compute values in your handler';
  }
}
