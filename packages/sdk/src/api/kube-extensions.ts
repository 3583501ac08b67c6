import { z } from "zod";

/**
 * Kubernetes schema extensions a zod schema can carry (the `x-kubernetes-*` keywords). Helpers attach
 * them; `mesh-codegen` copies them into the generated schema.
 */
export interface KubeExtensions {
  "x-kubernetes-validations"?: CelRule[];
  "x-kubernetes-list-type"?: "atomic" | "set" | "map";
  "x-kubernetes-list-map-keys"?: string[];
  "x-kubernetes-map-type"?: "atomic" | "granular";
  "x-kubernetes-preserve-unknown-fields"?: true;
  "x-kubernetes-embedded-resource"?: true;
  "x-kubernetes-int-or-string"?: true;
}

/** A CEL validation rule as Kubernetes writes it. */
export interface CelRule {
  /** The CEL expression; `self` is the value, `oldSelf` the previous one (transition rules). */
  rule: string;
  message?: string;
  messageExpression?: string;
  /** `FieldValueInvalid` (default), `FieldValueForbidden`, `FieldValueRequired` or `FieldValueDuplicate`. */
  reason?: "FieldValueInvalid" | "FieldValueForbidden" | "FieldValueRequired" | "FieldValueDuplicate";
  /** A JSON path below this node that the error is reported at, such as `.replicas`. */
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

/** Any zod schema, zod 4 or `zod/v3`: what the helpers accept. */
export type AnyZodSchema = z.ZodType | { readonly _def: object };

// zod/v3 schemas have no metadata registry; their extensions live here, keyed by the `_def` object that
// wrappers such as .optional() keep referring to. The code generator reads them back.
const zod3Extensions = new WeakMap<object, KubeExtensions>();

/**
 * The extensions attached to a `zod/v3` schema definition (`schema._def`).
 * @internal used by mesh-codegen
 */
export function zod3ExtensionsOf(def: object): KubeExtensions | undefined {
  return zod3Extensions.get(def);
}

function isZod4(schema: AnyZodSchema): schema is z.ZodType {
  return "_zod" in schema;
}

/** Returns a copy of `schema` with `ext` merged into its Kubernetes extensions (rules appended). */
function extend<T extends AnyZodSchema>(schema: T, ext: KubeExtensions): T {
  if (isZod4(schema)) {
    const current = (z.globalRegistry.get(schema) ?? {}) as KubeExtensions & Record<string, unknown>;
    return schema.meta({ ...current, ...merge(current, ext) }) as T;
  }
  const def = { ...schema._def };
  const ctor = schema.constructor as new (def: object) => T;
  const copy = new ctor(def);
  zod3Extensions.set(def, merge(zod3Extensions.get(schema._def) ?? {}, ext));
  return copy;
}

function merge(current: KubeExtensions, ext: KubeExtensions): KubeExtensions {
  const rules = [...(current["x-kubernetes-validations"] ?? []), ...(ext["x-kubernetes-validations"] ?? [])];
  return { ...current, ...ext, ...(rules.length > 0 && { "x-kubernetes-validations": rules }) };
}

/**
 * Adds a CEL validation rule (`x-kubernetes-validations`) that kcp enforces on every write. Rules
 * accumulate: call it several times for several rules. Bound strings and lists that a rule walks
 * (`.max()`), or kcp may reject the schema for exceeding the CEL cost budget.
 *
 * @example
 * ```ts
 * const Range = cel(z.object({ min: z.int32(), max: z.int32() }), "self.min <= self.max", {
 *   message: "min must not exceed max",
 * });
 * const Immutable = cel(z.string(), "self == oldSelf", { message: "is immutable" });
 * ```
 */
export function cel<T extends AnyZodSchema>(schema: T, rule: string, options: Omit<CelRule, "rule"> = {}): T {
  return extend(schema, { "x-kubernetes-validations": [{ rule, ...options }] });
}

/**
 * How server-side apply merges a list: `atomic` (replace whole, the default), `set` (scalar items,
 * unique) or, through {@link listMap}, `map`.
 *
 * @example
 * ```ts
 * const tags = listType(z.array(z.string()).max(16), "set");
 * ```
 */
export function listType<T extends AnyZodSchema>(schema: T, type: "atomic" | "set"): T {
  const checked = type === "set" ? uniqueItems(schema, (item) => item) : schema;
  return extend(checked, { "x-kubernetes-list-type": type });
}

/**
 * Marks a list of objects as a map keyed by the given fields (`x-kubernetes-list-type: map` with
 * `x-kubernetes-list-map-keys`): server-side apply merges items by key, and keys must be unique.
 * Key fields must be required or have a default.
 *
 * @example
 * ```ts
 * const ports = listMap(z.array(z.object({ name: z.string(), port: z.int32() })), ["name"]);
 * ```
 */
export function listMap<T extends AnyZodSchema>(schema: T, keys: readonly [string, ...string[]]): T {
  const checked = uniqueItems(schema, (item) =>
    typeof item === "object" && item !== null ? keys.map((k) => (item as Record<string, unknown>)[k]) : item,
  );
  return extend(checked, { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": [...keys] });
}

/**
 * Makes zod report duplicates (by `keyOf`) at the duplicate's index, as kcp does, so validateObject
 * and kcp agree. zod/v3 refinements would change the schema's type, so there kcp alone checks.
 */
function uniqueItems<T extends AnyZodSchema>(schema: T, keyOf: (item: unknown) => unknown): T {
  if (!isZod4(schema)) return schema;
  return schema.superRefine((value, ctx) => {
    if (!Array.isArray(value)) return;
    const seen = new Set<string>();
    for (const [i, item] of value.entries()) {
      const key = JSON.stringify(keyOf(item));
      if (seen.has(key)) ctx.addIssue({ code: "custom", path: [i], message: `duplicate value ${key}` });
      seen.add(key);
    }
  }) as T;
}

/**
 * How server-side apply merges an object or a record: `granular` (per key, the default) or `atomic`.
 *
 * @example
 * ```ts
 * const selector = mapType(z.record(z.string(), z.string()), "atomic");
 * ```
 */
export function mapType<T extends AnyZodSchema>(schema: T, type: "atomic" | "granular"): T {
  return extend(schema, { "x-kubernetes-map-type": type });
}

/**
 * Keeps fields the schema does not declare (`x-kubernetes-preserve-unknown-fields`) instead of
 * letting kcp prune them. Use it for free-form values: `preserveUnknownFields(z.record(z.string(), z.unknown()))`
 * or `preserveUnknownFields(z.unknown())`.
 *
 * @example
 * ```ts
 * const values = preserveUnknownFields(z.record(z.string(), z.unknown()));
 * ```
 */
export function preserveUnknownFields<T extends AnyZodSchema>(schema: T): T {
  return extend(schema, { "x-kubernetes-preserve-unknown-fields": true });
}

/**
 * A value that is an integer or a string, such as a port number or name, or `25%`
 * (`x-kubernetes-int-or-string`). A plain `z.union([z.int(), z.string()])` converts the same way.
 *
 * @example
 * ```ts
 * const maxUnavailable = intOrString().default("25%");
 * ```
 */
export function intOrString(): z.ZodUnion<[z.ZodInt, z.ZodString]> {
  return z.union([z.int(), z.string()]);
}

/**
 * A Kubernetes object embedded in the spec, such as a template (`x-kubernetes-embedded-resource`):
 * `apiVersion`, `kind` and `metadata` are checked, other fields are kept as written unless `fields`
 * describes them.
 *
 * @example
 * ```ts
 * const template = embeddedResource(); // any object with apiVersion and kind
 * const configMap = embeddedResource({ data: z.record(z.string(), z.string()).optional() });
 * ```
 */
export function embeddedResource<const Shape extends z.core.$ZodLooseShape = Record<never, never>>(
  fields?: Shape,
) {
  const base = z.looseObject({
    apiVersion: z.string(),
    kind: z.string(),
    metadata: z.looseObject({}).optional(),
    ...(fields ?? ({} as Shape)),
  });
  return extend(base, {
    "x-kubernetes-embedded-resource": true,
    "x-kubernetes-preserve-unknown-fields": true,
  });
}

// Go's time.ParseDuration syntax, written for RE2: an optional sign, then number-unit pairs.
const GO_DURATION = /^[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$/;

/**
 * A duration in Go's syntax (`1h30m`, `500ms`), which is what `format: duration` means to Kubernetes.
 * zod's `z.iso.duration()` is ISO 8601 (`PT1H30M`), which kcp would check differently.
 *
 * @example
 * ```ts
 * const timeout = goDuration().default("30s");
 * ```
 */
export function goDuration(): z.ZodString {
  return z
    .string()
    .regex(GO_DURATION, "must be a Go duration such as 1h30m or 500ms")
    .meta({ format: "duration" });
}
