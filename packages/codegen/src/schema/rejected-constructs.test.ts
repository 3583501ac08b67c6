import { defineResource } from "@kcp-mesh/sdk/api";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import * as z3 from "zod/v3";
import { generate } from "../generate/generate.js";
import { structuralSchema } from "../generate/structural-schema.js";
import { CodegenError, formatProblem } from "../problems.js";

/** The error lines for `spec: z.object({ field: schema })`, as the CLI prints them. */
function errorsOf(schema: unknown): string[] {
  const object =
    "_zod" in (schema as object)
      ? z.object({ field: schema as z.ZodType })
      : z3.object({ field: schema as z3.ZodTypeAny });
  const { problems } = structuralSchema(object, "spec", "Widget v1alpha1");
  return problems.filter((p) => p.severity === "error").map(formatProblem);
}

const recursive: z.ZodType = z.lazy(() => z.object({ child: recursive.optional() }));

// Each construct, the path named, and words that must appear: what it is and what to write instead.
const cases: [string, unknown, RegExp][] = [
  ["z.date()", z.date(), /JSON has no dates; write z\.iso\.datetime\(\)/],
  ["z.int64()", z.int64(), /bigints.*write z\.int\(\) or z\.int32\(\)/],
  ["z.bigint()", z.bigint(), /bigints/],
  ["z.map()", z.map(z.string(), z.string()), /write z\.record\(z\.string\(\), \.\.\.\)/],
  ["z.set()", z.set(z.string()), /listType\(z\.array\(\.\.\.\), "set"\)/],
  ["z.tuple()", z.tuple([z.string(), z.int()]), /single item schema; write z\.object/],
  ["a transform", z.string().transform((s) => s.length), /stored object differ from the typed one/],
  ["z.preprocess()", z.preprocess((v) => v, z.string()), /stored object differ/],
  ["z.catch()", z.string().catch("x"), /rejects invalid values instead of replacing them/],
  ["z.custom()", z.custom<string>(() => true), /z\.custom\(\) checks run only in JavaScript/],
  ["z.null() alone", z.null(), /always null carries nothing/],
  ["z.undefined()", z.undefined(), /make the field \.optional\(\)/],
  ["z.symbol()", z.symbol(), /symbols have no JSON form/],
  [
    "a function default",
    z.string().default(() => Math.random().toString()),
    /computed by a function.*write a constant/,
  ],
  ["a Date default", z.string().default(() => new Date() as unknown as string), /computed by a function/],
  ["z.unknown()", z.unknown(), /has no type.*preserveUnknownFields\(z\.unknown\(\)\)/],
  ["z.any()", z.any(), /has no type/],
  ["recursion", recursive, /refers to itself \(z\.lazy recursion\)/],
  ["z.iso.duration()", z.iso.duration(), /ISO 8601.*Go's syntax.*goDuration\(\)/],
  ["z.emoji()", z.emoji(), /zod's emoji pattern .* is not RE2.*without lookaround/],
  ["a lookahead regex", z.string().regex(/^a(?=b)/), /pattern \/\^a\(\?=b\)\/ is not RE2/],
  ["a backreference", z.string().regex(/(a)\1/), /is not RE2/],
  ["z.jwt()", z.jwt(), /z\.jwt\(\) is checked by JavaScript code/],
  [
    "a union of string and boolean",
    z.union([z.string(), z.boolean()]),
    /unions of string and boolean cannot be expressed/,
  ],
  ["a union of string and number", z.union([z.string(), z.number()]), /int-or-string holds integers only/],
  [
    "a constrained int-or-string",
    z.union([z.string().min(1), z.int()]),
    /cannot carry string or integer constraints in a Kubernetes schema; write intOrString\(\)/,
  ],
  [
    "objects without a discriminator",
    z.union([z.object({ a: z.string() }), z.object({ b: z.string() })]),
    /need a discriminator field/,
  ],
  [
    "an enum-keyed record",
    z.record(z.enum(["a", "b"]), z.string()),
    /record keys other than plain z\.string\(\)/,
  ],
  ["an object with a catchall", z.object({ a: z.string() }).catchall(z.int()), /both fields and \.catchall/],
  [
    "literals of mixed types",
    z.union([z.literal("a"), z.literal(1)]),
    /unions of string and number|int-or-string/,
  ],
];

describe("constructs the generator rejects, with what to write instead", () => {
  it.each(cases)("rejects %s at its JSON path", (_name, schema, message) => {
    const errors = errorsOf(schema);
    expect(errors.length, `no error for ${_name}`).toBeGreaterThan(0);
    expect(errors[0]).toMatch(/^Widget v1alpha1 spec\.field(\.\S+)?: /);
    expect(errors.join("\n")).toMatch(message);
  });

  it("names the variant field two discriminated union variants disagree on", () => {
    const errors = errorsOf(
      z.discriminatedUnion("kind", [
        z.object({ kind: z.literal("a"), size: z.string() }),
        z.object({ kind: z.literal("b"), size: z.int() }),
      ]),
    );
    expect(errors).toEqual([
      'Widget v1alpha1 spec.field.size: variants "a" and "b" define this field differently; a merged Kubernetes schema has one schema per field, so rename one of them or give both the same schema',
    ]);
  });

  it("rejects zod/v3 constructs the same way", () => {
    expect(errorsOf(z3.date()).join()).toMatch(/JSON has no dates/);
    expect(errorsOf(z3.string().transform((s) => s.length)).join()).toMatch(/stored object differ/);
    expect(errorsOf(z3.tuple([z3.string()])).join()).toMatch(/single item schema/);
    const node: z3.ZodType = z3.lazy(() => z3.object({ next: node.optional() }));
    expect(errorsOf(node).join()).toMatch(/refers to itself/);
  });

  it("rejects a spec that is not an object, and values that are not zod schemas", () => {
    const Bad = defineResource({
      group: "x.example.io",
      kind: "Bad",
      plural: "bads",
      scope: "Cluster",
      versions: { v1: { spec: z.string() } },
    });
    expect(() => generate({ name: "x.example.io", resources: [Bad], permissionClaims: [] })).toThrow(
      "Bad v1 spec: spec must be an object schema, such as z.object({ ... })",
    );
    expect(() =>
      defineResource({
        group: "x.io",
        kind: "X",
        plural: "xs",
        scope: "Cluster",
        versions: { v1: { spec: {} as z.ZodType } },
      }),
    ).toThrow("X v1: spec must be a zod schema");
  });

  it("reports every problem of an API at once, per resource and version", () => {
    const A = defineResource({
      group: "x.example.io",
      kind: "A",
      plural: "as",
      scope: "Namespaced",
      versions: {
        v1: {
          spec: z.object({ when: z.date(), size: z.string() }),
          printerColumns: [
            { name: "Size", type: "integer", jsonPath: ".spec.size" },
            { name: "Gone", type: "string", jsonPath: ".spec.gone" },
          ],
        },
      },
    });
    let error: unknown;
    try {
      generate({ name: "x.example.io", resources: [A], permissionClaims: [] });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CodegenError);
    expect((error as CodegenError).message.split("\n")).toEqual([
      "A v1 spec.when: JSON has no dates; write z.iso.datetime() (an RFC 3339 string, format date-time) instead",
      "A v1 printerColumns[0] (Size): type integer does not fit .spec.size (a string); write type: string",
      'A v1 printerColumns[1] (Gone): jsonPath ".spec.gone" points to no field of the schema; check the spelling against the zod schema',
    ]);
  });
});
