import { describe, expect, it } from "vitest";
import { z } from "zod";
import * as z3 from "zod/v3";
import { checkCelRule, evaluateCelRules } from "./cel.js";
import { cel } from "./kube-extensions.js";
import { defineResource } from "./resource.js";
import { validateObject } from "./validate-object.js";

const Range = defineResource({
  group: "ranges.example.io",
  kind: "Range",
  plural: "ranges",
  scope: "Namespaced",
  versions: {
    v1: {
      spec: cel(
        z.object({
          min: z.int32(),
          max: z.int32(),
          name: cel(z.string().max(20), "self.startsWith('r-')", {
            message: "must start with r-",
          }).optional(),
          ports: z
            .array(
              cel(z.int32(), "self > 1024", {
                messageExpression: "'port ' + string(self) + ' is privileged'",
              }),
            )
            .max(4)
            .optional(),
          id: cel(z.string().max(8), "self == oldSelf").optional(),
          url: cel(z.string().max(100), "isURL(self)").optional(),
        }),
        "self.min <= self.max",
        { message: "min must not exceed max" },
      ),
    },
  },
});

const obj = (spec: Record<string, unknown>) => ({
  apiVersion: "ranges.example.io/v1",
  kind: "Range",
  metadata: { name: "r" },
  spec,
});

describe("validateObject runs the CEL rules kcp runs", () => {
  it("reports a failed rule at the field it sits on, with its message or messageExpression", () => {
    const r = validateObject(Range, obj({ min: 5, max: 1, name: "x", ports: [80, 8080] }));
    expect(r.ok ? [] : r.issues).toEqual([
      { path: "spec", message: "min must not exceed max" },
      { path: "spec.name", message: "must start with r-" },
      { path: "spec.ports[0]", message: "port 80 is privileged" },
    ]);
  });

  it("passes valid objects, and leaves transition rules and rules it cannot judge to kcp", () => {
    const r = validateObject(
      Range,
      obj({ min: 1, max: 5, name: "r-a", ports: [8080], id: "x", url: "not a url" }),
    );
    expect(r.ok).toBe(true);
  });

  it("leaves zod/v3 rules to kcp", () => {
    const V3 = defineResource({
      group: "ranges.example.io",
      kind: "Old",
      plural: "olds",
      scope: "Namespaced",
      versions: {
        v1: { spec: cel(z3.object({ a: z3.number().int(), b: z3.number().int() }), "self.a <= self.b") },
      },
    });
    expect(validateObject(V3, { ...obj({ a: 2, b: 1 }), kind: "Old" }).ok).toBe(true);
  });
});

describe("CEL typing after the API server's", () => {
  const schema = {
    type: "object",
    properties: {
      n: { type: "integer" },
      d: { type: "number" },
      when: { type: "string", format: "date-time" },
      timeout: { type: "string", format: "duration" },
      labels: { type: "object", additionalProperties: { type: "string" } },
      "with-dash": { type: "string" },
      any: { "x-kubernetes-int-or-string": true },
    },
  };
  it.each([
    ["self.n + 1 == 2", true],
    ["self.d + 1.5 > 0.0", true],
    ["self.n + self.d > 0", false],
    ["self.when > timestamp('2020-01-01T00:00:00Z')", true],
    ["self.timeout < duration('1h')", true],
    ["self.labels.all(k, self.labels[k].size() < 10)", true],
    ["self.with__dash__dash.size() > 0", true],
    ["self.any == 1 || self.any == 'x'", true],
  ])("%s compiles: %s", (rule, ok) => {
    expect(checkCelRule(schema, { rule }).ok).toBe(ok);
  });

  it("evaluates with ints as ints, timestamps and durations", () => {
    const failures = evaluateCelRules(
      {
        ...schema,
        "x-kubernetes-validations": [
          {
            rule: "self.n == 1 && self.when < timestamp('2030-01-01T00:00:00Z') && self.timeout == duration('90m')",
          },
        ],
      },
      { n: 1, when: "2026-01-01T00:00:00Z", timeout: "1h30m" },
      "spec",
    );
    expect(failures).toEqual([]);
  });
});
