import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { formatProblem, ProblemSink } from "../problems.js";
import type { JsonSchema } from "./json-schema.js";
import { lintVersionSchema } from "./lint.js";

/** Lint errors for a version schema whose spec is `spec`. */
function lintSpec(spec: JsonSchema): string[] {
  const sink = new ProblemSink("Thing v1");
  lintVersionSchema({ type: "object", properties: { spec } }, sink);
  return sink.problems.map(formatProblem);
}

const field = (schema: Record<string, unknown>): JsonSchema => ({
  type: "object",
  properties: { f: schema },
});

describe("structural-schema lint of hand-written schemas", () => {
  it("accepts the hand-written Thing schema of the test fixtures", () => {
    const docs = readFileSync(
      new URL("../../../../test/fixtures/things-provider.yaml", import.meta.url),
      "utf8",
    );
    const schema = (parse(docs.split("---")[0]!) as { spec: { versions: { schema: JsonSchema }[] } }).spec
      .versions[0]!.schema;
    const sink = new ProblemSink("Thing v1alpha1");
    lintVersionSchema(schema, sink);
    expect(sink.problems).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      "$ref",
      { $ref: "#/definitions/x" },
      "$ref is not allowed in a Kubernetes schema: references are not allowed; inline the referenced schema",
    ],
    [
      "const",
      { type: "string", const: "a" },
      "const is not allowed in a Kubernetes schema: write enum: [value] instead",
    ],
    ["prefixItems", { type: "array", prefixItems: [{ type: "string" }] }, "prefixItems is not allowed"],
    [
      "uniqueItems",
      { type: "array", items: { type: "string" }, uniqueItems: true },
      'write x-kubernetes-list-type: set (listType(..., "set")) instead',
    ],
    ["readOnly", { type: "string", readOnly: true }, "Kubernetes schemas have no readOnly"],
    [
      "additionalProperties: false",
      { type: "object", additionalProperties: false },
      "additionalProperties: false is not allowed",
    ],
    [
      "a type list",
      { type: ["string", "null"] },
      "type must be one type, not [string, null]; write nullable: true",
    ],
    [
      "an unknown keyword",
      { type: "string", minLenght: 3 },
      "unknown keyword minLenght: kcp drops keywords it does not know",
    ],
    ["a missing type", { description: "x" }, "has no type; Kubernetes needs one on every field"],
    ["an unknown type", { type: "null" }, "type null does not exist in Kubernetes schemas"],
    [
      "an unknown format",
      { type: "string", format: "emoji" },
      "format emoji is not one Kubernetes checks for type string",
    ],
    ["a non-RE2 pattern", { type: "string", pattern: "^(?!x)" }, "pattern ^(?!x) is not RE2"],
    [
      "properties with additionalProperties",
      { type: "object", properties: { a: { type: "string" } }, additionalProperties: { type: "string" } },
      "properties and additionalProperties cannot be used together",
    ],
    [
      "a tuple",
      { type: "array", items: [{ type: "string" }] },
      "items must be one schema; tuples are not allowed",
    ],
    [
      "a type inside anyOf",
      { type: "string", anyOf: [{ type: "string", pattern: "a" }] },
      "type is not allowed inside allOf, anyOf, oneOf or not",
    ],
    [
      "list-map-keys without map",
      { type: "array", items: { type: "string" }, "x-kubernetes-list-map-keys": ["a"] },
      "x-kubernetes-list-map-keys needs x-kubernetes-list-type: map",
    ],
    [
      "a list map without keys",
      { type: "array", items: { type: "object" }, "x-kubernetes-list-type": "map" },
      "x-kubernetes-list-type: map needs x-kubernetes-list-map-keys",
    ],
    [
      "an optional list map key",
      {
        type: "array",
        items: { type: "object", properties: { name: { type: "string" } } },
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["name"],
      },
      "spec.f[*].name: list map key name must be required or have a default",
    ],
    [
      "a set of objects",
      { type: "array", items: { type: "object" }, "x-kubernetes-list-type": "set" },
      "x-kubernetes-list-type: set needs scalar items",
    ],
    [
      "preserve-unknown-fields: false",
      { type: "object", "x-kubernetes-preserve-unknown-fields": false },
      "x-kubernetes-preserve-unknown-fields must be true or left out",
    ],
    [
      "int-or-string with a type",
      { type: "string", "x-kubernetes-int-or-string": true },
      "x-kubernetes-int-or-string must not have a type",
    ],
    [
      "a CEL rule without rule",
      { type: "object", "x-kubernetes-validations": [{ message: "m" }] },
      "every x-kubernetes-validations entry needs a rule",
    ],
  ])("reports %s at its path", (_name, schema, message) => {
    const errors = lintSpec(field(schema));
    expect(errors.join("\n")).toContain(message);
    expect(errors[0]).toMatch(/^Thing v1 spec\.f/);
  });

  it("estimates CEL cost as the API server does: unbounded lists and strings multiply", () => {
    // size() is cheap on any list: kcp accepts it on an unbounded one.
    expect(
      lintSpec(
        field({
          type: "array",
          items: { type: "string", maxLength: 3 },
          "x-kubernetes-validations": [{ rule: "size(self) > 0" }],
        }),
      ),
    ).toEqual([]);
    // Walking every unbounded string of an unbounded list is not.
    const walk = lintSpec(
      field({
        type: "array",
        items: { type: "string" },
        "x-kubernetes-validations": [{ rule: "self.all(x, x.contains('a'))" }],
      }),
    );
    expect(walk.join("\n")).toMatch(
      /spec\.f: rule "self\.all\(x, x\.contains\('a'\)\)": estimated cost .* exceeds kcp's limit of 10,000,000 per rule/,
    );
    // A rule on each item of an unbounded list runs once per item: its cost multiplies.
    const perItem = lintSpec(
      field({
        type: "array",
        items: { type: "string", "x-kubernetes-validations": [{ rule: "self.contains('a')" }] },
      }),
    );
    expect(perItem.join("\n")).toMatch(/spec\.f\[\*\]: .* it runs up to 1,048,575 times per object/);
    // Bounded, the same rules are cheap.
    expect(
      lintSpec(
        field({
          type: "array",
          maxItems: 16,
          items: {
            type: "string",
            maxLength: 64,
            "x-kubernetes-validations": [{ rule: "self.startsWith('a')" }],
          },
        }),
      ),
    ).toEqual([]);
  });

  it("restricts root metadata to name and generateName", () => {
    const sink = new ProblemSink("Thing v1");
    lintVersionSchema(
      {
        type: "object",
        properties: { metadata: { type: "object", properties: { labels: { type: "object" } } } },
      },
      sink,
    );
    expect(sink.problems.map(formatProblem)).toEqual([
      "Thing v1 metadata.labels: only metadata.name and metadata.generateName may be restricted; remove it",
    ]);
  });

  it("accepts untyped nodes under preserve-unknown-fields and the int-or-string anyOf", () => {
    expect(
      lintSpec(
        field({
          type: "object",
          "x-kubernetes-preserve-unknown-fields": true,
          properties: {
            free: {},
            port: { "x-kubernetes-int-or-string": true, anyOf: [{ type: "integer" }, { type: "string" }] },
          },
        }),
      ),
    ).toEqual([]);
  });
});
