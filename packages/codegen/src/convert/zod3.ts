import { zod3ExtensionsOf } from "@kcp-mesh/sdk/api";
import { ignoreOverride, zodToJsonSchema } from "zod-to-json-schema";
import { isPlainJson, type JsonSchema, jsonEqual } from "../schema/json-schema.js";
import { defaultIsFunction } from "./default-source.js";
import { REJECT, STRICT, STRING_CHECKS, type StringCheck } from "./markers.js";
import { UNSUPPORTED } from "./unsupported.js";

interface Zod3Def {
  typeName?: string;
  checks?: { kind: string; regex?: RegExp; value?: string }[];
  effect?: { type: string };
  defaultValue?: () => unknown;
  keyType?: { _def: Zod3Def };
  unknownKeys?: string;
}

const ZOD3_TO_4: Record<string, string> = {
  ZodBigInt: "bigint",
  ZodDate: "date",
  ZodMap: "map",
  ZodSet: "set",
  ZodTuple: "tuple",
  ZodCatch: "catch",
  ZodFunction: "function",
  ZodPromise: "promise",
  ZodSymbol: "symbol",
  ZodUndefined: "undefined",
  ZodVoid: "void",
  ZodNever: "never",
  ZodNaN: "nan",
  ZodNull: "null",
};

// zod 3 string steps that change the value instead of checking it.
const OVERWRITES = new Set(["trim", "toLowerCase", "toUpperCase"]);

// zod 3 string checks whose regex the library does not put in the JSON Schema itself.
const ZOD3_FORMATS: Record<string, string> = {
  email: "email",
  url: "url",
  uuid: "uuid",
  datetime: "datetime",
  date: "date",
  time: "time",
  duration: "duration",
  ip: "ip",
  cidr: "cidr",
  base64: "base64",
};

/**
 * Converts a `zod/v3` schema with zod-to-json-schema (OpenAPI 3.0, input side, nothing shared by
 * `$ref`), leaving the same markers as the zod 4 path so both go through one rewrite.
 */
export function zod3ToJsonSchema(schema: { _def: object }): JsonSchema {
  // zod-to-json-schema types its argument with its own zod 3 copy; the schema is one structurally.
  const convert = zodToJsonSchema as unknown as (s: unknown, o: object) => JsonSchema;
  const out = convert(schema, {
    target: "openApi3",
    $refStrategy: "none",
    effectStrategy: "input",
    pipeStrategy: "input",
    override: (_def: unknown, refs: { currentPath: string[] }, seen: { path: string[] } | undefined) => {
      if (
        seen &&
        seen.path.length < refs.currentPath.length &&
        seen.path.every((p, i) => refs.currentPath[i] === p)
      ) {
        return {
          [REJECT]:
            "the schema refers to itself (z.lazy recursion); Kubernetes schemas cannot recurse: limit the depth with explicit nested objects, or mark the field preserveUnknownFields(z.unknown())",
        };
      }
      return ignoreOverride;
    },
    postProcess: (json: JsonSchema | undefined, def: Zod3Def) => annotate(def, json ?? {}),
  });
  delete out.$schema;
  return out;
}

function annotate(def: Zod3Def, json: JsonSchema): JsonSchema {
  const typeName = def.typeName ?? "";
  const unsupported = UNSUPPORTED[ZOD3_TO_4[typeName] ?? ""];
  if (unsupported) return { [REJECT]: unsupported };
  if (typeName === "ZodEffects" && def.effect?.type !== "refinement")
    return { [REJECT]: UNSUPPORTED.transform };
  const out: JsonSchema = { ...json, ...zod3ExtensionsOf(def) };
  if (typeName === "ZodObject") {
    // zod-to-json-schema writes additionalProperties: false for stripping objects too.
    if (def.unknownKeys === "strict") out[STRICT] = true;
    else if (out.additionalProperties === false) delete out.additionalProperties;
  }
  if (typeName === "ZodString" && def.checks?.some((c) => OVERWRITES.has(c.kind))) {
    const kinds = def.checks.filter((c) => OVERWRITES.has(c.kind)).map((c) => `.${c.kind}()`);
    return { [REJECT]: `${kinds.join(", ")}: ${UNSUPPORTED.overwrite}` };
  }
  if (typeName === "ZodString") {
    const checks: StringCheck[] = [];
    for (const c of def.checks ?? []) {
      if (c.kind === "regex" && c.regex)
        checks.push({ format: "regex", pattern: { source: c.regex.source, flags: c.regex.flags } });
      else if (ZOD3_FORMATS[c.kind]) checks.push({ format: ZOD3_FORMATS[c.kind]! });
      else if (
        c.kind === "cuid" ||
        c.kind === "cuid2" ||
        c.kind === "ulid" ||
        c.kind === "emoji" ||
        c.kind === "nanoid"
      ) {
        checks.push({ format: c.kind, ...(out.pattern && { pattern: { source: out.pattern, flags: "u" } }) });
      }
    }
    // zod-to-json-schema emits patterns itself; rebuild them from the checks like the zod 4 path.
    delete out.pattern;
    delete out.allOf;
    delete out.format;
    out[STRING_CHECKS] = checks;
  }
  if (typeName === "ZodDefault" && def.defaultValue) {
    if (defaultIsFunction(def, true) === true) return { [REJECT]: UNSUPPORTED.functionDefault! };
    const first = def.defaultValue();
    if (!isPlainJson(first) || !jsonEqual(first, def.defaultValue())) {
      return {
        [REJECT]:
          'the default is computed by a function (it is not a constant JSON value), so the generated schema would differ between runs; write a constant such as .default("small")',
      };
    }
  }
  if (
    typeName === "ZodRecord" &&
    def.keyType &&
    (def.keyType._def.typeName !== "ZodString" || (def.keyType._def.checks?.length ?? 0) > 0)
  ) {
    return {
      [REJECT]:
        "record keys other than plain z.string() cannot be checked by a Kubernetes schema; write z.record(z.string(), ...) with a CEL rule on the keys, or z.object({ ... }) with the keys as fields",
    };
  }
  return out;
}
