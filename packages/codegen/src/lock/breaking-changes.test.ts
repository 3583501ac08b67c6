import { defineApi, defineResource, type VersionDefinition } from "@kcp-mesh/sdk/api";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { generate } from "../generate/generate.js";
import { CodegenError } from "../problems.js";
import type { LockFile } from "./lock-file.js";

const api = (versions: Record<string, VersionDefinition>) =>
  defineApi({
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
  });

const v1 = z.object({
  size: z.enum(["small", "large"]).default("small"),
  replicas: z.int32().min(0).max(10),
  name: z.string().max(20).optional(),
  labels: z.record(z.string(), z.string()).optional(),
});
const published: LockFile = generate(api({ v1alpha1: { spec: v1 } })).lock;

function errors(spec: z.ZodType): string[] {
  try {
    generate(api({ v1alpha1: { spec } }), { lock: published });
    return [];
  } catch (err) {
    if (!(err instanceof CodegenError)) throw err;
    return err.problems.map((p) => `${p.where} ${p.path}: ${p.message.split(";")[0]}`);
  }
}

describe("breaking changes to a published version", () => {
  it.each<[string, z.ZodType, string]>([
    ["a removed field", v1.omit({ name: true }), "Widget v1alpha1 spec.name: breaking change: field removed"],
    [
      "a retyped field",
      v1.extend({ name: z.int().optional() }),
      "Widget v1alpha1 spec.name: breaking change: type changed from string to integer",
    ],
    [
      "a new required field",
      v1.extend({ owner: z.string() }),
      "Widget v1alpha1 spec.owner: breaking change: is now required",
    ],
    [
      "a lower maximum",
      v1.extend({ replicas: z.int32().min(0).max(5) }),
      "Widget v1alpha1 spec.replicas: breaking change: maximum tightened from 10 to 5",
    ],
    [
      "a removed enum value",
      v1.extend({ size: z.enum(["small"]).default("small") }),
      'Widget v1alpha1 spec.size: breaking change: enum values ["large"] removed',
    ],
    [
      "a new pattern",
      v1.extend({
        name: z
          .string()
          .max(20)
          .regex(/^[a-z]+$/)
          .optional(),
      }),
      "Widget v1alpha1 spec.name: breaking change: pattern changed to ^[a-z]+$",
    ],
    [
      "a field made required",
      v1.extend({ name: z.string().max(20) }),
      "Widget v1alpha1 spec.name: breaking change: is now required",
    ],
    [
      "retyped map values",
      v1.extend({ labels: z.record(z.string(), z.int()).optional() }),
      "Widget v1alpha1 spec.labels.*: breaking change: type changed from string to integer",
    ],
  ])("fails on %s, naming the field", (_name, spec, expected) => {
    expect(errors(spec)).toContain(expected);
  });

  it("says what to do instead", () => {
    expect(() => generate(api({ v1alpha1: { spec: v1.omit({ name: true }) } }), { lock: published })).toThrow(
      /put the change in a new version \(such as v1alpha2\) and keep the published one as it was, or pass --allow-breaking/,
    );
  });

  it("accepts compatible changes: new optional fields, looser bounds, more enum values", () => {
    expect(
      errors(
        v1.extend({
          size: z.enum(["small", "large", "huge"]).default("small"),
          replicas: z.int32().min(0).max(20),
          note: z.string().optional(),
        }),
      ),
    ).toEqual([]);
  });

  it("accepts the breaking change when it goes into a new version", () => {
    const next = generate(
      api({
        // The storage version stays (moving it is breaking too); without conversion rules the new
        // version is not served yet (served versions must share one schema or declare conversions).
        v1alpha1: { storage: true, spec: v1 },
        v1alpha2: { served: false, spec: v1.omit({ name: true }).extend({ owner: z.string() }) },
      }),
      { lock: published },
    );
    const locked = next.lock.resources["widgets.widgets.example.io"]!;
    expect(Object.keys(locked.versions)).toEqual(["v1alpha1", "v1alpha2"]);
    expect(locked.published).toHaveLength(2);
    expect(locked.published[0]).toBe(published.resources["widgets.widgets.example.io"]!.published[0]);
  });

  it("fails when a published version or resource disappears", () => {
    expect(() => generate(api({ v1beta1: { spec: v1 } }), { lock: published })).toThrow(
      "Widget: version v1alpha1 was published and is gone",
    );
  });

  it("turns breaking changes into warnings with allowBreaking", () => {
    const r = generate(api({ v1alpha1: { spec: v1.omit({ name: true }) } }), {
      lock: published,
      allowBreaking: true,
    });
    expect(r.warnings.map((w) => w.message)).toEqual([
      "breaking change: field removed (allowed by --allow-breaking)",
    ]);
  });
});
