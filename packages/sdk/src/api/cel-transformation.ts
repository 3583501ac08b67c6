import { type CelSchema, firstLine, toCel, typesFor } from "./cel.js";

/** What compiling a conversion transformation against its source field gave. */
export type TransformationCheck =
  | { ok: true; type: string }
  | { ok: false; error: string; cannotJudge?: boolean };

const SCALAR_TYPES: Record<string, string> = {
  string: "string",
  boolean: "bool",
  integer: "int",
  number: "double",
};

/** The CEL type a destination field holds, for the scalars and lists of scalars that can be compared. */
function scalarType(s: CelSchema): string | undefined {
  if (s["x-kubernetes-int-or-string"] === true) return undefined;
  const t = typeof s.type === "string" ? s.type : undefined;
  if (t === "array") {
    const items = s.items && !Array.isArray(s.items) ? s.items : undefined;
    const item = items && scalarType(items);
    return item ? `list<${item}>` : undefined;
  }
  if (t === "string" && s.format) {
    if (s.format === "byte") return "bytes";
    if (s.format === "date" || s.format === "date-time") return "google.protobuf.Timestamp";
    if (s.format === "duration") return "google.protobuf.Duration";
  }
  return t ? SCALAR_TYPES[t] : undefined;
}

/**
 * Compiles a conversion rule's CEL `transformation` with `self` typed as the source field (as kcp
 * types it: the field's structural schema), and checks that what it gives fits the destination
 * field when that is a scalar or a list of scalars.
 *
 * @internal used by mesh-codegen
 */
export function checkCelTransformation(
  source: CelSchema,
  expression: string,
  destination: CelSchema,
): TransformationCheck {
  const { env } = typesFor(source, false);
  let result: ReturnType<typeof env.check>;
  try {
    result = env.check(expression);
  } catch (err) {
    return { ok: false, error: `does not compile: ${firstLine((err as Error).message)}` };
  }
  if (!result.valid) {
    const message = firstLine(result.error?.message ?? "does not compile");
    const cannotJudge = /no matching overload|Unknown variable: (strings|math|sets|base64|lists)/.test(
      message,
    );
    return { ok: false, error: `does not compile: ${message}`, ...(cannotJudge && { cannotJudge }) };
  }
  const want = scalarType(destination);
  const got = result.type ?? "dyn";
  if (want && got !== "dyn" && got !== want && !(want === "double" && got === "int"))
    return { ok: false, error: `gives a ${got}, but the destination holds a ${want}` };
  return { ok: true, type: got };
}

/**
 * Runs a transformation on a source field's JSON value and returns the JSON value it gives, as kcp's
 * converter does (ints become numbers, timestamps RFC 3339 strings, bytes base64).
 *
 * @internal used by the conversion webhook
 */
export function evaluateCelTransformation(source: CelSchema, expression: string, value: unknown): unknown {
  const types = typesFor(source, false);
  return toJson(types.env.evaluate(expression, { self: toCel(source, value, types) }));
}

function toJson(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Date) return v.toISOString().replace(/\.000Z$/, "Z");
  if (v instanceof Uint8Array) return Buffer.from(v).toString("base64");
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), toJson(x)]));
  if (Array.isArray(v)) return v.map(toJson);
  if (v !== null && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toJson(x);
    return out;
  }
  return v;
}
