import { cel, listType } from "@kcp-mesh/sdk/api";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import * as z3 from "zod/v3";
import { structuralSchema } from "../generate/structural-schema.js";

function convert(schema: unknown) {
  const { schema: out, problems } = structuralSchema(schema, "spec");
  expect(problems).toEqual([]);
  return out;
}

describe("zod/v3 schemas go through the same rewrite as zod 4", () => {
  it("gives the same schema as the zod 4 equivalent", () => {
    const v3 = z3.object({
      size: z3.enum(["small", "large"]).default("small"),
      replicas: z3.number().int().min(0),
      note: z3.string().max(10).nullable().optional(),
      port: z3.union([z3.string(), z3.number().int()]),
      labels: z3.record(z3.string()),
      tags: z3.array(z3.string()).max(3),
      kind: z3.union([z3.literal("a"), z3.literal("b")]),
      extra: z3.object({ a: z3.string() }).passthrough(),
      strict: z3.object({ a: z3.string() }).strict(),
    });
    const v4 = z.object({
      size: z.enum(["small", "large"]).default("small"),
      replicas: z.int().min(0),
      note: z.string().max(10).nullable().optional(),
      port: z.union([z.string(), z.int()]),
      labels: z.record(z.string(), z.string()),
      tags: z.array(z.string()).max(3),
      kind: z.union([z.literal("a"), z.literal("b")]),
      extra: z.looseObject({ a: z.string() }),
      strict: z.strictObject({ a: z.string() }),
    });
    expect(convert(v3)).toEqual(convert(v4));
  });

  it("keeps formats, regex flags and refinements' inner schema", () => {
    expect(convert(z3.string().email())).toEqual({ type: "string", format: "email" });
    expect(convert(z3.string().uuid())).toEqual({ type: "string", format: "uuid" });
    expect(convert(z3.string().regex(/^ab$/i))).toEqual({ type: "string", pattern: "(?i)^ab$" });
    expect(convert(z3.string().refine((s) => s.length > 1))).toEqual({ type: "string" });
  });

  it("carries the helpers' extensions on zod/v3 schemas, through .optional()", () => {
    const out = convert(
      z3.object({
        r: cel(z3.object({ a: z3.number().int() }), "self.a > 0").optional(),
        t: listType(z3.array(z3.string()), "set"),
      }),
    );
    expect(out.properties!.r!["x-kubernetes-validations"]).toEqual([{ rule: "self.a > 0" }]);
    expect(out.properties!.t!["x-kubernetes-list-type"]).toBe("set");
  });

  it("rejects function defaults", () => {
    const { problems } = structuralSchema(
      z3.object({ id: z3.string().default(() => Math.random().toString()) }),
      "spec",
    );
    expect(problems.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'spec.id: the default is computed by a function, so the generated schema would hold whatever it returned on this machine at this moment (a date, an environment variable, a random id); write a constant such as .default("small") and compute values in your handler',
    ]);
  });
});
