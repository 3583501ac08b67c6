/**
 * zod constructs with no faithful Kubernetes schema, keyed by zod 4 def type (zod 3 type names map
 * onto these), with what to write instead.
 */
export const UNSUPPORTED: Record<string, string> = {
  bigint:
    "z.bigint()/z.int64() parse JavaScript bigints, but objects from kcp carry JSON numbers; write z.int() or z.int32() instead",
  date: "JSON has no dates; write z.iso.datetime() (an RFC 3339 string, format date-time) instead",
  map: "a Map has no JSON form; write z.record(z.string(), ...) instead",
  set: 'a Set has no JSON form; write listType(z.array(...), "set") instead',
  tuple: "Kubernetes lists have a single item schema; write z.object({ ... }) with named fields instead",
  transform:
    "a transform makes the stored object differ from the typed one; keep API schemas plain and convert in your handler",
  pipe: "a pipe or transform makes the stored object differ from the typed one; keep API schemas plain and convert in your handler",
  catch:
    "kcp rejects invalid values instead of replacing them; write .default(...) or handle the value in your handler",
  custom:
    "z.custom() checks run only in JavaScript; write a typed schema (add a CEL rule with cel(...) for the check)",
  function: "functions have no JSON form; remove the field",
  promise: "promises have no JSON form; remove the field",
  symbol: "symbols have no JSON form; remove the field",
  undefined: "undefined has no JSON form; make the field .optional() instead",
  void: "void has no JSON form; make the field .optional() instead",
  never: "z.never() cannot be stored; remove the field",
  nan: "NaN has no JSON form; write z.number() instead",
  file: "files have no JSON form; write z.base64() for binary data instead",
  success: "z.success() has no Kubernetes form; write z.boolean() instead",
  overwrite:
    "value-changing steps (.trim(), .toLowerCase(), .toUpperCase(), .normalize(), .overwrite(...)) make the value zod returns differ from the one kcp stores; require the form instead (z.string().lowercase(), .uppercase(), or .regex(/^\\S(.*\\S)?$/) for trimmed text) and normalize in your handler",
  functionDefault:
    'the default is computed by a function, so the generated schema would hold whatever it returned on this machine at this moment (a date, an environment variable, a random id); write a constant such as .default("small") and compute values in your handler',
  null: "a field that is always null carries nothing; write X.nullable() for a value that may be null",
};
