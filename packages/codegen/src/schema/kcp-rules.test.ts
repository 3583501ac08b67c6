// What kcp's apiextensions validation refuses, and what zod means that a Kubernetes schema cannot
// say: each rejected construct names resource, version and path and says what to write instead.
// test/codegen/kcp-agreement.test.ts shows kcp itself refusing each class on real kcp.
import {
  cel,
  defineApi,
  defineResource,
  listMap,
  type PermissionClaimDefinition,
  type VersionDefinition,
} from "@kcp-mesh/sdk/api";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import * as z3 from "zod/v3";
import { runCli } from "../cli.js";
import { generate } from "../generate/generate.js";
import { structuralSchema } from "../generate/structural-schema.js";
import { breakingChanges } from "../lock/breaking-changes.js";
import { CodegenError, formatProblem, type Problem } from "../problems.js";

function widgetApi(versions: Record<string, VersionDefinition>, claims: PermissionClaimDefinition[] = []) {
  return defineApi({
    name: "widgets.example.io",
    resources: [
      defineResource({
        group: "widgets.example.io",
        kind: "Widget",
        plural: "widgets",
        scope: "Namespaced",
        versions,
      }),
    ],
    permissionClaims: claims,
  });
}

/** Every problem line `generate` reports for one version with this spec (and status). */
function problems(spec: unknown, status?: unknown): string[] {
  try {
    const r = generate(
      widgetApi({ v1alpha1: { spec, ...(status !== undefined && { status }) } as VersionDefinition }),
    );
    return r.warnings.map(formatProblem);
  } catch (err) {
    if (!(err instanceof CodegenError)) throw err;
    return err.problems.map(formatProblem);
  }
}

const fieldErrors = (field: unknown) => problems(z.object({ f: field as z.ZodType }));

describe("defaults are checked against their own schema (ValidateDefaults)", () => {
  it.each<[string, unknown, RegExp]>([
    [
      "below the minimum",
      z.int32().min(10).default(3),
      /default 3 is not valid: it must be greater than or equal to 10/,
    ],
    [
      "too long",
      z.string().max(2).default("toolong"),
      /default "toolong" is not valid: it may not be longer than 2/,
    ],
    [
      "outside the enum",
      z.enum(["a", "b"]).default("c" as "a"),
      /default "c" is not valid: it must be one of \["a","b"\]/,
    ],
    ["beyond int32", z.int32().default(3_000_000_000), /must be less than or equal to 2147483647/],
    [
      "against the pattern",
      z.string().regex(/^a/).default("b"),
      /default "b" is not valid: it must match \^a/,
    ],
    [
      "with a field the schema lacks",
      z.object({ a: z.string() }).default({ a: "x", b: 1 } as { a: string }),
      /has the field b, which the schema does not declare/,
    ],
    [
      "with a nested invalid value",
      z.object({ n: z.int32().max(1) }).default({ n: 5 }),
      /default \{"n":5\} is not valid at n: it must be less than or equal to 1/,
    ],
  ])("rejects a default %s, naming the field and what to write", (_why, field, says) => {
    const errors = fieldErrors(field);
    expect(
      errors.some((e) => e.startsWith("Widget v1alpha1 spec.f: ") && says.test(e)),
      errors.join("\n"),
    ).toBe(true);
    expect(errors.join("\n")).toMatch(
      /write a default that passes the field's own checks|remove it from the default/,
    );
  });

  it("runs the field's CEL rules on its default, as ValidateDefaults does", () => {
    const errors = fieldErrors(
      cel(z.object({ min: z.int32(), max: z.int32() }), "self.min <= self.max").default({ min: 5, max: 1 }),
    );
    expect(errors.join("\n")).toMatch(
      /spec\.f: default \{"min":5,"max":1\} fails the CEL rule "self\.min <= self\.max"/,
    );
  });

  it("accepts defaults that fit", () => {
    expect(fieldErrors(z.int32().min(10).default(10))).toEqual([]);
    expect(fieldErrors(z.enum(["a", "b"]).default("b"))).toEqual([]);
    expect(fieldErrors(z.object({ a: z.string().default("x") }).optional())).toEqual([]);
  });
});

describe("list maps (x-kubernetes-list-type: map)", () => {
  it("rejects a key that is not a scalar", () => {
    const errors = fieldErrors(
      listMap(z.array(z.object({ key: z.object({ a: z.string() }), v: z.int32() })), ["key"]),
    );
    expect(errors).toContainEqual(
      expect.stringMatching(
        /^Widget v1alpha1 spec\.f\[\*\]\.key: list map key key must be a scalar .* not object/,
      ),
    );
  });

  it("rejects a nullable key, and a key that is neither required nor defaulted", () => {
    const nullable = fieldErrors(listMap(z.array(z.object({ name: z.string().nullable() })), ["name"]));
    expect(nullable).toContainEqual(
      expect.stringMatching(/spec\.f\[\*\]\.name: list map key name cannot be nullable/),
    );
    const optional = fieldErrors(listMap(z.array(z.object({ name: z.string().optional() })), ["name"]));
    expect(optional).toContainEqual(
      expect.stringMatching(/spec\.f\[\*\]\.name: list map key name must be required or have a default/),
    );
  });
});

describe("API groups", () => {
  it("refuses a group without a dot, and Kubernetes' reserved groups", () => {
    const make = (group: string) => () =>
      defineResource({
        group,
        kind: "Widget",
        plural: "widgets",
        scope: "Cluster",
        versions: { v1: { spec: z.object({}) } },
      });
    expect(make("widgets")).toThrow(
      /Widget: group "widgets" must be a domain with at least one dot .* such as "widgets\.example\.io"/,
    );
    expect(make("widgets.k8s.io")).toThrow(/reserved for Kubernetes/);
    expect(make("widgets.example.io")).not.toThrow();
  });
});

describe(".meta({ id }) and recursion", () => {
  it("inlines a schema with an id that does not recurse", () => {
    const Address = z.object({ city: z.string().max(20) }).meta({ id: "Address" });
    const { schema, problems: p } = structuralSchema(
      z.object({ home: Address, work: Address.optional() }),
      "spec",
    );
    expect(p).toEqual([]);
    expect(schema.properties!.work).toEqual({
      type: "object",
      properties: { city: { type: "string", maxLength: 20 } },
      required: ["city"],
    });
  });

  it("still reports real recursion where it recurses", () => {
    const Node: z.ZodType = z.lazy(() => z.object({ child: Node.optional() })).meta({ id: "Node" });
    expect(fieldErrors(Node).join("\n")).toMatch(/spec\.f\.child: the schema refers to itself/);
  });
});

describe("status.conditions", () => {
  it("refuses a status that declares its own conditions, saying how to add conditions instead", () => {
    const errors = problems(
      z.object({}),
      z.object({ conditions: z.array(z.object({ type: z.string() })).optional() }),
    );
    expect(errors).toContainEqual(
      expect.stringMatching(
        /^Widget v1alpha1 status\.conditions: the generated status always has the standard conditions list.*return your own conditions from the handler/,
      ),
    );
  });
});

describe("the lock file", () => {
  it("treats a record that became an object as breaking (stored keys would be pruned)", () => {
    const before = structuralSchema(z.object({ labels: z.record(z.string(), z.string()) }), "spec").schema;
    const after = structuralSchema(
      z.object({ labels: z.object({ team: z.string().optional() }) }),
      "spec",
    ).schema;
    expect(breakingChanges(before, after, "spec")).toContainEqual({
      path: "spec.labels",
      message: "the map became an object with the fields team: stored keys other than these would be pruned",
    });
  });

  it("compares an object's fields with the value schema when it became a record", () => {
    const before = structuralSchema(z.object({ m: z.object({ a: z.string() }) }), "spec").schema;
    expect(
      breakingChanges(
        before,
        structuralSchema(z.object({ m: z.record(z.string(), z.string()) }), "spec").schema,
        "spec",
      ),
    ).toEqual([]);
    expect(
      breakingChanges(
        before,
        structuralSchema(z.object({ m: z.record(z.string(), z.int()) }), "spec").schema,
        "spec",
      ),
    ).toContainEqual({
      path: "spec.m.a",
      message: "type changed from string to integer",
    });
  });
});

describe("value-changing string methods", () => {
  it.each<[string, unknown]>([
    [".trim()", z.string().trim()],
    [".toLowerCase()", z.string().toLowerCase()],
    [".toUpperCase()", z.string().toUpperCase()],
    ["zod/v3 .trim()", z3.string().trim()],
  ])("rejects %s with what to write instead", (_name, field) => {
    const object =
      "_zod" in (field as object)
        ? z.object({ f: field as z.ZodType })
        : z3.object({ f: field as z3.ZodTypeAny });
    const errors = problems(object);
    expect(errors.join("\n")).toMatch(
      /spec\.f: .*make the value zod returns differ from the one kcp stores; require the form instead \(z\.string\(\)\.lowercase\(\)/,
    );
  });

  it("accepts the checks that only check: .lowercase(), .uppercase()", () => {
    expect(fieldErrors(z.string().lowercase())).toEqual([]);
  });
});

describe("function defaults", () => {
  it.each<[string, unknown]>([
    ["today's date", z.string().default(() => new Date().toISOString().slice(0, 10))],
    ["an environment variable", z.string().default(() => process.env.USER ?? "nobody")],
    ["a function that returns a constant", z.string().default(() => "small")],
    ["zod/v3", z3.string().default(() => process.env.USER ?? "nobody")],
  ])("rejects %s", (_why, field) => {
    const object =
      "_zod" in (field as object)
        ? z.object({ f: field as z.ZodType })
        : z3.object({ f: field as z3.ZodTypeAny });
    expect(problems(object).join("\n")).toMatch(
      /spec\.f: the default is computed by a function.*write a constant such as \.default\("small"\)/,
    );
  });

  it("accepts constants, objects and lists included, in zod 4 and zod/v3", () => {
    expect(fieldErrors(z.object({ a: z.string() }).default({ a: "b" }))).toEqual([]);
    expect(fieldErrors(z.array(z.string()).default(["a"]))).toEqual([]);
    expect(problems(z3.object({ f: z3.string().default("x") }))).toEqual([]);
  });
});

describe("printer columns", () => {
  const withColumn = (jsonPath: string) => {
    try {
      generate(
        widgetApi({
          v1alpha1: {
            spec: z.object({ items: z.array(z.object({ name: z.string(), port: z.int32() })).max(4) }),
            printerColumns: [{ name: "C", type: "string", jsonPath }],
          },
        }),
      );
      return [];
    } catch (err) {
      return (err as CodegenError).problems.map(formatProblem);
    }
  };
  it("accepts JSONPath filters, as kcp does", () => {
    expect(withColumn('.status.conditions[?(@.type=="Ready")].status')).toEqual([]);
    expect(withColumn('.spec.items[?(@.name=="http")].name')).toEqual([]);
    expect(withColumn(".spec.items[*].name")).toEqual([]);
  });
  it("rejects a filter on a field the items lack, and paths that do not start with a dot", () => {
    expect(withColumn('.spec.items[?(@.nope=="x")].name')).toEqual([
      'Widget v1alpha1 printerColumns[0] (C): jsonPath ".spec.items[?(@.nope=="x")].name": the filter\'s field nope is not a field of the list\'s items',
    ]);
    expect(withColumn("spec.items")[0]).toMatch(/must start with \./);
  });
});

describe("discriminated unions", () => {
  const variants = (ref: z.ZodType) =>
    z.discriminatedUnion("type", [
      z.strictObject({ type: z.literal("git"), url: z.string().max(100), ref }),
      z.strictObject({ type: z.literal("oci"), image: z.string().max(100) }),
    ]);

  it("rejects a default that only one variant has: kcp would write it into every variant", () => {
    expect(fieldErrors(variants(z.string().max(10).default("main"))).join("\n")).toMatch(
      /Widget v1alpha1 spec\.f\.ref: the default of ref \(variant "git"\) would apply to every object of the union, not only when type is git.*make it \.optional\(\)/,
    );
  });

  it("accepts a default that every variant has alike, and gives variant-only objects no default {}", () => {
    const same = z.discriminatedUnion("type", [
      z.object({ type: z.literal("a"), mode: z.enum(["x", "y"]).default("x") }),
      z.object({ type: z.literal("b"), mode: z.enum(["x", "y"]).default("x") }),
    ]);
    expect(fieldErrors(same)).toEqual([]);
    const nested = z.discriminatedUnion("type", [
      z.strictObject({ type: z.literal("a"), opts: z.object({ depth: z.int32().default(1) }).optional() }),
      z.strictObject({ type: z.literal("b") }),
    ]);
    const { schema } = structuralSchema(z.object({ f: nested }), "spec");
    expect(schema.properties!.f!.properties!.opts!.default).toBeUndefined();
  });

  it("treats zod/v3 stripping variants as stripping, strict ones as strict", () => {
    const union = z3.discriminatedUnion("type", [
      z3.object({ type: z3.literal("a"), x: z3.string() }),
      z3.object({ type: z3.literal("b"), y: z3.string() }).strict(),
    ]);
    const zod4 = z.discriminatedUnion("type", [
      z.object({ type: z.literal("a"), x: z.string() }),
      z.strictObject({ type: z.literal("b"), y: z.string() }),
    ]);
    const rules = (u: unknown, object: (f: never) => unknown) =>
      structuralSchema(object(u as never), "spec").schema.properties!.f!["x-kubernetes-validations"];
    const v3 = rules(union, (f) => z3.object({ f }));
    expect(v3).toEqual(rules(zod4, (f) => z.object({ f })));
    expect(JSON.stringify(v3)).toContain("x is not allowed when type is b");
    expect(JSON.stringify(v3)).not.toContain("y is not allowed when type is a");
  });
});

describe("several versions without conversion", () => {
  it("refuses served versions whose schemas differ, naming each field that would be lost", () => {
    let error: CodegenError | undefined;
    try {
      generate(
        widgetApi({
          v1alpha1: { spec: z.object({ size: z.string().max(5), old: z.string().optional() }) },
          v1beta1: {
            storage: true,
            spec: z.object({ size: z.string().max(9), color: z.string().optional() }),
          },
        }),
      );
    } catch (err) {
      error = err as CodegenError;
    }
    const lines = (error?.problems ?? []).map((p: Problem) => formatProblem(p).split(";")[0]);
    expect(lines).toEqual(
      expect.arrayContaining([
        "Widget v1alpha1 spec.old: exists only in v1alpha1: an object written as v1alpha1 and updated as v1beta1 loses it",
        "Widget v1alpha1 spec.color: exists only in v1beta1 (the storage version): an object written as v1beta1 and updated as v1alpha1 loses it",
        "Widget v1alpha1 spec.size: is checked differently in v1alpha1 and v1beta1: objects valid in one are invalid in the other",
      ]),
    );
    expect(error?.message).toMatch(/stop serving it \(served: false\)/);
  });

  it("accepts versions with the same schema, and versions no longer served", () => {
    const spec = z.object({ size: z.string().max(5) });
    expect(() => generate(widgetApi({ v1alpha1: { spec }, v1beta1: { storage: true, spec } }))).not.toThrow();
    expect(() =>
      generate(
        widgetApi({ v1alpha1: { served: false, spec: z.object({}) }, v1beta1: { storage: true, spec } }),
      ),
    ).not.toThrow();
  });
});

describe("small ones", () => {
  it("says there is no such export for --export with a wrong name", async () => {
    const err: string[] = [];
    const io = { out: () => {}, err: (t: string) => err.push(t) };
    const widgets = new URL("../../testdata/widgets-api.ts", import.meta.url).pathname;
    expect(await runCli(["generate", widgets, "--out", "/tmp/x", "--export", "Missing"], io)).toBe(1);
    expect(err.join("")).toMatch(/has no export "Missing" \(it exports Widget, default\)/);
  });

  it("warns that APIExport v1alpha1 claims ask for every verb", () => {
    const api = widgetApi({ v1: { spec: z.object({}) } }, [
      { group: "", resource: "secrets", verbs: ["get"] },
    ]);
    expect(generate(api, { apiExportVersion: "v1alpha1" }).warnings.map(formatProblem)).toEqual([
      "warning: API widgets.example.io permissionClaims[0]: APIExport v1alpha1 claims have no verbs: the claim on core/secrets asks consumers for every verb, not only get; use the default --apiexport-version v1alpha2 (kcp 0.28 and later) to ask for these verbs only",
    ]);
  });

  it("keeps the first of .meta({ examples }) as example and says that .meta({ deprecated }) has no Kubernetes form", () => {
    const { schema, problems: p } = structuralSchema(
      z.object({ a: z.string().meta({ examples: ["x", "y"], deprecated: true }) }),
      "spec",
    );
    expect(schema.properties!.a!.example).toBe("x");
    expect(p.map((x) => x.message)).toEqual([
      "Kubernetes schemas hold one example; only the first of .meta({ examples }) is kept",
      expect.stringMatching(/^Kubernetes schemas cannot mark a field deprecated/),
    ]);
  });
});

describe("CEL rules, compiled and type-checked against the schema they sit on", () => {
  const range = (rule: string) =>
    cel(z.object({ min: z.int32(), max: z.int32(), tags: z.array(z.string().max(8)).max(4) }), rule);
  it.each<[string, string, RegExp]>([
    ["a syntax error", "self.min <=", /rule "self\.min <=": the rule does not compile: Unexpected token/],
    [
      "a field that does not exist",
      "self.min <= self.maximum",
      /the rule does not compile: No such key: maximum/,
    ],
    [
      "a type error",
      "self.min + self.tags == 1",
      /the rule does not compile: no such overload: int \+ list<string>/,
    ],
    ["a rule that is not a bool", "self.min", /the rule must give a bool, not int/],
  ])("rejects %s, naming the field and the rule", (_why, rule, says) => {
    const errors = fieldErrors(range(rule));
    expect(
      errors.some((e) => e.startsWith("Widget v1alpha1 spec.f: ") && says.test(e)),
      errors.join("\n"),
    ).toBe(true);
  });

  it("accepts macros, has(), optional fields and the Kubernetes string and list functions", () => {
    for (const rule of [
      "self.min <= self.max",
      "self.tags.all(t, t.lowerAscii() == t) && self.tags.exists_one(t, t == 'a') || size(self.tags) == 0",
      "!has(self.tags) || self.tags.isSorted()",
      "self.tags.map(t, t.size()).all(n, n < 9) && self.tags.filter(t, t.startsWith('x')).size() < 3",
      "self.?tags.orValue([]).size() <= 4",
      "self.tags.all(t, t.charAt(0) != '-' && t.replace('-', '') != '' && t.matches('^[a-z-]+$'))",
    ])
      expect(fieldErrors(range(rule)), rule).toEqual([]);
  });

  it("rejects oldSelf where kcp cannot pair old and new values (items of plain lists)", () => {
    const errors = fieldErrors(z.array(cel(z.string().max(8), "self == oldSelf")).max(4));
    expect(errors.join("\n")).toMatch(
      /spec\.f\[\*\]: rule "self == oldSelf" uses oldSelf, but below spec\.f kcp cannot pair old and new values/,
    );
    expect(
      fieldErrors(
        listMap(
          z.array(z.object({ name: z.string().max(8), v: cel(z.string().max(8), "self == oldSelf") })).max(4),
          ["name"],
        ),
      ),
    ).toEqual([]);
  });

  it("says which rules it cannot judge instead of guessing", () => {
    const warnings = fieldErrors(cel(z.string().max(100), "isURL(self)"));
    expect(warnings).toEqual([
      'warning: Widget v1alpha1 spec.f: rule "isURL(self)" uses the function isURL(), which mesh-codegen\'s CEL library does not model; kcp type-checks it when the schema is created (run mesh-codegen verify), and validateObject does not run it',
    ]);
  });

  it("multiplies the cost of a rule on list items by the list's size", () => {
    const unbounded = fieldErrors(z.array(cel(z.string(), "self.contains('a')")));
    expect(unbounded.join("\n")).toMatch(
      /spec\.f\[\*\]: rule "self\.contains\('a'\)": estimated cost .* it runs up to 1,048,575 times per object/,
    );
    // startsWith walks only the prefix: cheap enough on every item, as kcp also finds.
    expect(fieldErrors(z.array(cel(z.string(), "self.startsWith('a')")))).toEqual([]);
    expect(fieldErrors(z.array(cel(z.string().max(64), "self.contains('a')")).max(100))).toEqual([]);
  });
});

describe("what controller-gen users expect", () => {
  const scaled = (
    scale: NonNullable<VersionDefinition["scale"]>,
    printerColumns?: VersionDefinition["printerColumns"],
  ) =>
    widgetApi({
      v1: {
        spec: z.object({ replicas: z.int32().min(0), selector: z.string().max(100).optional() }),
        status: z.object({ replicas: z.int32().optional(), selector: z.string().max(100).optional() }),
        scale,
        ...(printerColumns && { printerColumns }),
      },
    });
  const version = (api: ReturnType<typeof widgetApi>) =>
    (generate(api).objects[0]!.spec as { versions: Record<string, unknown>[] }).versions[0]!;

  it("writes the scale subresource beside status", () => {
    const v = version(
      scaled({
        specReplicasPath: ".spec.replicas",
        statusReplicasPath: ".status.replicas",
        labelSelectorPath: ".status.selector",
      }),
    );
    expect(v.subresources).toEqual({
      status: {},
      scale: {
        specReplicasPath: ".spec.replicas",
        statusReplicasPath: ".status.replicas",
        labelSelectorPath: ".status.selector",
      },
    });
  });

  it("rejects scale paths outside .spec/.status, missing, or of the wrong type", () => {
    const errors = (scale: NonNullable<VersionDefinition["scale"]>) => {
      try {
        generate(scaled(scale));
        return "";
      } catch (err) {
        return (err as CodegenError).problems.map(formatProblem).join("\n");
      }
    };
    expect(errors({ specReplicasPath: ".status.replicas", statusReplicasPath: ".status.replicas" })).toMatch(
      /Widget v1 scale\.specReplicasPath: \.status\.replicas must be a simple path under \.spec/,
    );
    expect(errors({ specReplicasPath: ".spec.count", statusReplicasPath: ".status.replicas" })).toMatch(
      /scale\.specReplicasPath: \.spec\.count is not a field of the schema; add it \(z\.int32\(\)\)/,
    );
    expect(errors({ specReplicasPath: ".spec.selector", statusReplicasPath: ".status.replicas" })).toMatch(
      /scale\.specReplicasPath: \.spec\.selector must be an integer \(z\.int32\(\)\), not string/,
    );
  });

  it("adds an Age column whenever there are printer columns, as kubectl shows without them", () => {
    const v = version(
      scaled({ specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" }, [
        { name: "Replicas", type: "integer", jsonPath: ".spec.replicas" },
      ]),
    );
    expect(v.additionalPrinterColumns).toEqual([
      { name: "Replicas", type: "integer", jsonPath: ".spec.replicas" },
      { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
    ]);
    const none = version(
      scaled({ specReplicasPath: ".spec.replicas", statusReplicasPath: ".status.replicas" }),
    );
    expect(none.additionalPrinterColumns).toBeUndefined();
  });

  it("writes nameValidation, and refuses values kcp does not know", () => {
    const api = defineApi({
      name: "widgets.example.io",
      resources: [
        defineResource({
          group: "widgets.example.io",
          kind: "Widget",
          plural: "widgets",
          scope: "Namespaced",
          nameValidation: "PathSegmentName",
          versions: { v1: { spec: z.object({}) } },
        }),
      ],
    });
    expect((generate(api).objects[0]!.spec as { nameValidation: string }).nameValidation).toBe(
      "PathSegmentName",
    );
    expect(() =>
      defineResource({
        group: "widgets.example.io",
        kind: "Widget",
        plural: "widgets",
        scope: "Namespaced",
        nameValidation: "Any" as "PathSegmentName",
        versions: { v1: { spec: z.object({}) } },
      }),
    ).toThrow(/nameValidation must be "DNS1123Subdomain" or "PathSegmentName"/);
  });
});
