import type { ProblemSink } from "../problems.js";
import { type JsonSchema, jsonEqual } from "./json-schema.js";
import { propertyPath } from "./paths.js";

const CEL_IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Fields of merged unions that only some variants have: they must not get a default, not even the
 * `default: {}` that lets nested defaults apply (it would be written into every variant).
 */
export const VARIANT_ONLY = new WeakSet<JsonSchema>();

/**
 * Merges object variants that share a discriminator (a required field with one distinct literal
 * per variant) into one object whose discriminator is an enum, with one CEL rule per variant for
 * the fields that variant requires. Every object kcp then accepts is accepted by the zod union:
 * the discriminator picks the variant, its required fields are there, and each field has the one
 * schema all variants share. Returns undefined (after reporting why) when that cannot be done soundly.
 *
 * `variants` are already rewritten; `strict[i]` says whether variant i rejects unknown fields.
 */
export function mergeDiscriminatedUnion(
  variants: JsonSchema[],
  strict: boolean[],
  path: string,
  sink: ProblemSink,
): JsonSchema | undefined {
  const key = findDiscriminator(variants);
  if (!key) {
    sink.error(
      path,
      "unions of objects need a discriminator field (a required z.literal with a distinct value per variant), as z.discriminatedUnion(...) has; other unions cannot be expressed in a Kubernetes schema",
    );
    return undefined;
  }
  if (!CEL_IDENT.test(key)) {
    sink.error(path, `the discriminator "${key}" must be a plain identifier so CEL rules can refer to it`);
    return undefined;
  }
  const values = variants.map((v) => v.properties![key]!.enum![0] as string);
  const properties: Record<string, JsonSchema> = {
    [key]: { type: "string", enum: values },
  };
  const owner: Record<string, string> = {};
  let ok = true;
  for (const [i, v] of variants.entries()) {
    for (const [name, schema] of Object.entries(v.properties ?? {})) {
      if (name === key) continue;
      const existing = properties[name];
      if (existing && !jsonEqual(existing, schema)) {
        sink.error(
          propertyPath(path, name),
          `variants "${owner[name]}" and "${values[i]}" define this field differently; a merged Kubernetes schema has one schema per field, so rename one of them or give both the same schema`,
        );
        ok = false;
      }
      properties[name] = schema;
      owner[name] ??= values[i]!;
    }
  }
  if (!ok) return undefined;
  // kcp applies defaults before it validates, to the one merged object: a default of a field that
  // only some variants have would be written into objects of every variant.
  for (const [name, schema] of Object.entries(properties)) {
    if (name === key) continue;
    const missing = variants.filter((v) => !(name in (v.properties ?? {})));
    if (missing.length === 0) continue;
    VARIANT_ONLY.add(schema);
    if (schema.default !== undefined) {
      sink.error(
        propertyPath(path, name),
        `the default of ${name} (variant "${owner[name]}") would apply to every object of the union, not only when ${key} is ${owner[name]}: the variants become one Kubernetes object and kcp applies defaults before the variant's rules; make it .optional() and apply the default in your handler, or give every variant the same ${name} field with the same default`,
      );
      ok = false;
    }
  }
  if (!ok) return undefined;
  const requiredEverywhere = new Set(
    (variants[0]!.required ?? []).filter((f) => variants.every((v) => v.required?.includes(f))),
  );
  const rules: { rule: string; message: string }[] = [];
  for (const [i, v] of variants.entries()) {
    const value = values[i]!;
    const own = (v.required ?? []).filter((f) => !requiredEverywhere.has(f));
    const foreign = strict[i]
      ? Object.keys(properties).filter((f) => f !== key && !(f in (v.properties ?? {})))
      : [];
    for (const f of [...own, ...foreign]) {
      if (!CEL_IDENT.test(f)) {
        sink.error(
          propertyPath(path, f),
          "fields of union variants must be plain identifiers so CEL rules can refer to them",
        );
        return undefined;
      }
    }
    const guard = `self.${key} != ${celString(value)}`;
    if (own.length > 0) {
      rules.push({
        rule: `${guard} || (${own.map((f) => `has(self.${f})`).join(" && ")})`,
        message: `${own.join(", ")} ${own.length === 1 ? "is" : "are"} required when ${key} is ${value}`,
      });
    }
    if (foreign.length > 0) {
      rules.push({
        rule: `${guard} || !(${foreign.map((f) => `has(self.${f})`).join(" || ")})`,
        message: `${foreign.join(", ")} ${foreign.length === 1 ? "is" : "are"} not allowed when ${key} is ${value}`,
      });
    }
  }
  return {
    type: "object",
    properties,
    required: [key, ...[...requiredEverywhere].filter((f) => f !== key)],
    ...(rules.length > 0 && { "x-kubernetes-validations": rules }),
  };
}

function findDiscriminator(variants: JsonSchema[]): string | undefined {
  const first = variants[0];
  if (!first?.properties) return undefined;
  return Object.keys(first.properties).find((name) => {
    const values = variants.map((v) => {
      const p = v.properties?.[name];
      const single = p?.type === "string" && p.enum?.length === 1 && typeof p.enum[0] === "string";
      return single && v.required?.includes(name) ? (p.enum![0] as string) : undefined;
    });
    return values.every((x) => x !== undefined) && new Set(values).size === values.length;
  });
}

function celString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}
