import {
  cel,
  embeddedResource,
  goDuration,
  intOrString,
  listMap,
  listType,
  mapType,
  preserveUnknownFields,
} from "@kcp-mesh/sdk/api";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { structuralSchema } from "../generate/structural-schema.js";

/** The structural schema of a zod schema, failing the test on any problem. */
function convert(schema: unknown) {
  const { schema: out, problems } = structuralSchema(schema, "spec");
  expect(problems).toEqual([]);
  return out;
}

describe("zod constructs that convert", () => {
  it("keeps int32 and drops zod's ±2^53 bounds of plain ints", () => {
    expect(convert(z.int32().min(0))).toEqual({
      type: "integer",
      format: "int32",
      minimum: 0,
      maximum: 2147483647,
    });
    expect(convert(z.int())).toEqual({ type: "integer" });
    expect(convert(z.int().nonnegative())).toEqual({ type: "integer", minimum: 0 });
    expect(convert(z.float64())).toMatchObject({ type: "number", format: "double" });
  });

  it("writes exclusive bounds the OpenAPI 3.0 way Kubernetes reads", () => {
    expect(convert(z.number().gt(0).lt(1))).toEqual({
      type: "number",
      minimum: 0,
      exclusiveMinimum: true,
      maximum: 1,
      exclusiveMaximum: true,
    });
  });

  it("writes nullable: true, never a type list", () => {
    expect(convert(z.string().nullable())).toEqual({ type: "string", nullable: true });
    expect(convert(z.union([z.string(), z.null()]))).toEqual({ type: "string", nullable: true });
  });

  it("turns literal unions and enums into enum", () => {
    expect(convert(z.union([z.literal("a"), z.literal("b")]))).toEqual({ type: "string", enum: ["a", "b"] });
    expect(convert(z.enum(["x", "y"]).default("x"))).toEqual({
      type: "string",
      enum: ["x", "y"],
      default: "x",
    });
    expect(convert(z.union([z.literal(1), z.literal(2)]))).toEqual({ type: "number", enum: [1, 2] });
  });

  it("turns string|int unions into x-kubernetes-int-or-string", () => {
    const expected = { anyOf: [{ type: "integer" }, { type: "string" }], "x-kubernetes-int-or-string": true };
    expect(convert(z.union([z.string(), z.int()]))).toEqual(expected);
    expect(convert(intOrString())).toEqual(expected);
  });

  it("keeps descriptions and orders fields as written", () => {
    const out = convert(z.object({ b: z.string().describe("B"), a: z.boolean() }));
    expect(Object.keys(out.properties!)).toEqual(["b", "a"]);
    expect(out.properties!.b).toEqual({ description: "B", type: "string" });
    expect(out.required).toEqual(["b", "a"]);
  });

  it("leaves defaulted and optional fields out of required", () => {
    const out = convert(z.object({ a: z.string().optional(), b: z.string().default("x"), c: z.string() }));
    expect(out.required).toEqual(["c"]);
  });

  it("gives optional parents of defaulted fields default: {}", () => {
    const out = convert(
      z.object({
        tuning: z
          .object({ level: z.int32().default(3), inner: z.object({ x: z.string().default("y") }).optional() })
          .optional(),
        needsValue: z.object({ id: z.string(), level: z.int32().default(1) }).optional(),
      }),
    );
    expect(out.properties!.tuning!.default).toEqual({});
    expect(out.properties!.tuning!.properties!.inner!.default).toEqual({});
    // {} would not be valid for an object with a required field, so it gets no default.
    expect(out.properties!.needsValue!.default).toBeUndefined();
  });

  it("drops additionalProperties: false of strict objects and keeps unknown fields of loose ones", () => {
    expect(convert(z.strictObject({ a: z.string() }))).toEqual({
      type: "object",
      properties: { a: { type: "string" } },
      required: ["a"],
    });
    expect(convert(z.looseObject({ a: z.string() }))).toMatchObject({
      "x-kubernetes-preserve-unknown-fields": true,
    });
  });

  it("converts records to additionalProperties", () => {
    expect(convert(z.record(z.string(), z.int32()))).toEqual({
      type: "object",
      additionalProperties: { type: "integer", format: "int32", minimum: -2147483648, maximum: 2147483647 },
    });
  });

  it("keeps formats Kubernetes knows and zod patterns that are RE2", () => {
    expect(convert(z.email())).toMatchObject({ type: "string", format: "email" });
    expect(convert(z.uuid())).toMatchObject({ format: "uuid" });
    expect(convert(z.iso.datetime())).toMatchObject({ format: "date-time" });
    expect(convert(z.url())).toEqual({ type: "string", format: "uri" });
    expect(convert(z.cidrv4())).toMatchObject({ format: "cidr" });
    expect(convert(z.base64())).toMatchObject({ format: "byte" });
    // hostname's zod pattern has a lookahead: dropped, since Kubernetes checks the format itself.
    expect(convert(z.hostname())).toEqual({ type: "string", format: "hostname" });
    // Formats Kubernetes does not know become their (RE2) pattern alone.
    expect(convert(z.cuid())).toEqual({ type: "string", pattern: "^[cC][0-9a-z]{6,}$" });
  });

  it("keeps regex flags as RE2 inline flags and stacks several patterns in allOf", () => {
    expect(convert(z.string().regex(/^ab$/i))).toEqual({ type: "string", pattern: "(?i)^ab$" });
    expect(convert(z.string().regex(/^a/).regex(/b$/))).toEqual({
      type: "string",
      allOf: [{ pattern: "^a" }, { pattern: "b$" }],
    });
    expect(convert(z.string().startsWith("x"))).toEqual({ type: "string", pattern: "^x.*" });
  });

  it("writes Go durations with goDuration()", () => {
    const out = convert(goDuration());
    expect(out).toMatchObject({ type: "string", format: "duration" });
    expect(new RegExp(out.pattern!).test("1h30m")).toBe(true);
    expect(new RegExp(out.pattern!).test("PT1H")).toBe(false);
  });

  it("attaches CEL rules, list and map types through the helpers", () => {
    const rules = convert(
      cel(cel(z.object({ a: z.int(), b: z.int() }), "self.a <= self.b"), "self.a >= 0", { message: "m" }),
    );
    expect(rules["x-kubernetes-validations"]).toEqual([
      { rule: "self.a <= self.b" },
      { rule: "self.a >= 0", message: "m" },
    ]);
    expect(convert(cel(z.string().max(5), "self != 'x'").optional().describe("d"))).toMatchObject({
      description: "d",
      "x-kubernetes-validations": [{ rule: "self != 'x'" }],
    });
    expect(convert(listType(z.array(z.string()), "set"))["x-kubernetes-list-type"]).toBe("set");
    expect(convert(listMap(z.array(z.object({ name: z.string() })), ["name"]))).toMatchObject({
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["name"],
    });
    expect(convert(mapType(z.record(z.string(), z.string()), "atomic"))["x-kubernetes-map-type"]).toBe(
      "atomic",
    );
  });

  it("keeps free-form values with preserveUnknownFields and embeds resources", () => {
    expect(convert(preserveUnknownFields(z.unknown()))).toEqual({
      "x-kubernetes-preserve-unknown-fields": true,
    });
    expect(convert(preserveUnknownFields(z.record(z.string(), z.unknown())))).toEqual({
      type: "object",
      "x-kubernetes-preserve-unknown-fields": true,
    });
    expect(convert(embeddedResource())).toMatchObject({
      type: "object",
      required: ["apiVersion", "kind"],
      "x-kubernetes-embedded-resource": true,
      "x-kubernetes-preserve-unknown-fields": true,
    });
  });

  it("merges discriminated unions into one object with a CEL rule per variant", () => {
    const out = convert(
      z.discriminatedUnion("type", [
        z.object({ type: z.literal("git"), url: z.string() }),
        z.strictObject({ type: z.literal("image"), image: z.string() }),
      ]),
    );
    expect(out).toEqual({
      type: "object",
      properties: {
        type: { type: "string", enum: ["git", "image"] },
        url: { type: "string" },
        image: { type: "string" },
      },
      required: ["type"],
      "x-kubernetes-validations": [
        { rule: "self.type != 'git' || (has(self.url))", message: "url is required when type is git" },
        {
          rule: "self.type != 'image' || (has(self.image))",
          message: "image is required when type is image",
        },
        // The strict variant forbids the other variant's fields, as zod does.
        {
          rule: "self.type != 'image' || !(has(self.url))",
          message: "url is not allowed when type is image",
        },
      ],
    });
  });

  it("keeps intersections of objects as one object", () => {
    expect(convert(z.intersection(z.object({ a: z.string() }), z.object({ b: z.int32() })))).toMatchObject({
      type: "object",
      required: ["a", "b"],
    });
  });

  it("converts non-recursive z.lazy and pass-through pipes", () => {
    expect(convert(z.lazy(() => z.string()))).toEqual({ type: "string" });
    expect(convert(z.string().pipe(z.string()))).toEqual({ type: "string" });
  });
});
