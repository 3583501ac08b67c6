// Type-level tests too: the expectTypeOf and @ts-expect-error lines are checked by tsc through
// src/type-level.test.ts (packages/sdk/tsconfig.type-tests.json); vitest runs the rest.
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import type { StatusInput } from "../provider/provider-options.js";
import { defineApi } from "./api.js";
import type { FieldPaths, LostFields, RequiredPaths, UnproducedFields } from "./conversion.js";
import { convertObject, PRESERVE_ANNOTATION_PREFIX } from "./convert-object.js";
import { inVersion } from "./in-version.js";
import type { Infer } from "./infer.js";
import { defineResource } from "./resource.js";

const alpha = {
  spec: z.object({ port: z.int32(), path: z.string().default("/"), owner: z.string().optional() }),
  status: z.object({ url: z.string().optional() }),
};
const beta = {
  spec: z.object({
    listen: z.object({ port: z.int32(), path: z.string() }),
    owner: z.string().optional(),
    tier: z.enum(["free", "paid"]).optional(),
  }),
  status: z.object({ endpoint: z.string().optional() }),
};

const Bin = defineResource({
  group: "bins.example.io",
  kind: "Bin",
  plural: "bins",
  scope: "Namespaced",
  versions: { v1alpha1: { storage: true, ...alpha }, v1beta1: beta },
  conversions: {
    "v1alpha1->v1beta1": {
      rules: {
        "spec.listen.port": "spec.port",
        "spec.listen.path": { from: "spec.path", transformation: "self == '' ? '/' : self" },
        "status.endpoint": "status.url",
      },
    },
    "v1beta1->v1alpha1": {
      rules: {
        "spec.port": "spec.listen.port",
        "spec.path": "spec.listen.path",
        "status.url": { from: "status.endpoint", transformation: "self.lowerAscii()" },
      },
      preserve: ["spec.tier"],
    },
  },
});

type A = { spec: { port: number; path?: string; owner?: string }; status?: { url?: string } };
type B = { spec: { listen: { port: number; path: string }; owner?: string; tier?: "free" | "paid" } };

describe("conversion types", () => {
  it("list field paths, required paths, and what a conversion leaves unproduced or loses", () => {
    expectTypeOf<FieldPaths<B>>().toEqualTypeOf<
      "spec" | "spec.listen" | "spec.listen.port" | "spec.listen.path" | "spec.owner" | "spec.tier"
    >();
    expectTypeOf<RequiredPaths<B>>().toEqualTypeOf<"spec.listen.port" | "spec.listen.path">();
    expectTypeOf<
      UnproducedFields<A, B, { "spec.listen.port": "spec.port" }>
    >().toEqualTypeOf<"spec.listen.path">();
    expectTypeOf<UnproducedFields<A, B, { "spec.listen": "spec" }>>().toEqualTypeOf<never>();
    expectTypeOf<LostFields<B, A, { "spec.port": "spec.listen.port" }, never>>().toEqualTypeOf<
      "spec.listen.path" | "spec.tier"
    >();
    expectTypeOf<
      LostFields<B, A, { "spec.port": "spec.listen.port"; "spec.path": "spec.listen.path" }, ["spec.tier"]>
    >().toEqualTypeOf<never>();
  });

  it("refuses, at compile time, a conversion that leaves a required target field unproduced", () => {
    expect(() =>
      defineResource({
        group: "bins.example.io",
        kind: "Bin",
        plural: "bins",
        scope: "Namespaced",
        versions: { v1alpha1: { storage: true, ...alpha }, v1beta1: beta },
        conversions: {
          // @ts-expect-error Property 'v1beta1 needs a rule producing spec.listen.path' is missing
          "v1alpha1->v1beta1": { rules: { "spec.listen.port": "spec.port" }, preserve: ["spec.path"] },
        },
      }),
    ).not.toThrow(); // kcp-shaped rules are fine at run time; mesh-codegen names the field too
  });

  it("refuses, at compile time, a conversion that loses a source field", () => {
    defineResource({
      group: "bins.example.io",
      kind: "Bin",
      plural: "bins",
      scope: "Namespaced",
      versions: { v1alpha1: { storage: true, ...alpha }, v1beta1: beta },
      conversions: {
        // @ts-expect-error Property 'v1beta1 field spec.tier is lost: read it in a rule or preserve it' is missing
        "v1beta1->v1alpha1": { rules: { "spec.port": "spec.listen.port", "spec.path": "spec.listen.path" } },
      },
    });
  });

  it("refuses paths that are not fields of the version, and unknown version pairs", () => {
    defineResource({
      group: "bins.example.io",
      kind: "Bin",
      plural: "bins",
      scope: "Namespaced",
      versions: { v1alpha1: { storage: true, ...alpha }, v1beta1: beta },
      conversions: {
        "v1alpha1->v1beta1": {
          // @ts-expect-error spec.prot is not a field of v1alpha1
          rules: { "spec.listen.port": "spec.prot", "spec.listen.path": "spec.path" },
        },
      },
    });
    expect(() =>
      defineResource({
        group: "bins.example.io",
        kind: "Bin",
        plural: "bins",
        scope: "Namespaced",
        versions: { v1alpha1: { storage: true, ...alpha }, v1beta1: beta },
        // @ts-expect-error v1 is not a version
        conversions: { "v1alpha1->v1": { rules: {} } },
      }),
    ).toThrow('Bin conversions["v1alpha1->v1"]: v1 is not a version of Bin (versions: v1alpha1, v1beta1)');
  });

  it("inVersion types objects and status in the chosen version, and defineApi refuses the view", () => {
    const Beta = inVersion(Bin, "v1beta1");
    expectTypeOf<Infer<typeof Beta>["spec"]["listen"]["port"]>().toEqualTypeOf<number>();
    expectTypeOf<Infer<typeof Beta>["apiVersion"]>().toEqualTypeOf<"bins.example.io/v1beta1">();
    // The handler returns status in the chosen version.
    expectTypeOf<StatusInput<typeof Beta>>().toEqualTypeOf<{ endpoint?: string | undefined }>();
    expect(Beta.storageVersion).toBe("v1beta1");
    expect(Beta.definedAs).toBe(Bin);
    expect(inVersion(Beta, "v1alpha1").definedAs).toBe(Bin);
    // @ts-expect-error v2 is not a version of Bin
    expect(() => inVersion(Bin, "v2")).toThrow("Bin: v2 is not one of its versions (v1alpha1, v1beta1)");
    expect(() => defineApi({ name: "bins.example.io", resources: [Beta] })).toThrow(
      'list Bin itself in resources, not inVersion(Bin, "v1beta1")',
    );
  });
});

describe("convertObject", () => {
  const stored = {
    apiVersion: "bins.example.io/v1alpha1",
    kind: "Bin",
    metadata: { name: "b", namespace: "default" },
    spec: { port: 8080, path: "", owner: "ann" },
    status: { url: "HTTP://X" },
  };

  it("moves fields, runs transformations and copies the fields both versions share", () => {
    const b = convertObject(Bin, stored, "v1beta1");
    expect(b.apiVersion).toBe("bins.example.io/v1beta1");
    // spec.port and spec.path stay in the copy: kcp prunes the fields v1beta1 does not know
    expect(b.spec).toMatchObject({ listen: { port: 8080, path: "/" }, owner: "ann" });
    expect(b.status).toMatchObject({ endpoint: "HTTP://X" });
  });

  it("keeps preserved fields in the annotation and restores them on the way back", () => {
    const b = {
      apiVersion: "bins.example.io/v1beta1",
      kind: "Bin",
      metadata: { name: "b" },
      spec: { listen: { port: 1, path: "/x" }, tier: "paid" },
      status: { endpoint: "HTTP://Y" },
    };
    const a = convertObject(Bin, b, "v1alpha1");
    expect(a.spec).toMatchObject({ port: 1, path: "/x" });
    expect(a.status).toMatchObject({ url: "http://y" });
    expect((a.metadata as { annotations?: object }).annotations).toEqual({
      [`${PRESERVE_ANNOTATION_PREFIX}v1beta1`]: JSON.stringify({ "spec.tier": "paid" }),
    });
    // kcp prunes what v1alpha1 does not know before it stores the object.
    const { port, path } = a.spec as unknown as { port: number; path: string };
    const stored = { ...a, spec: { port, path } };
    const back = convertObject(Bin, stored, "v1beta1");
    expect(back.spec).toMatchObject({ listen: { port: 1, path: "/x" }, tier: "paid" });
    expect(back.metadata).toEqual({ name: "b" });
  });

  it("leaves a destination unset when its source field is missing, and names the object on errors", () => {
    const b = convertObject(Bin, { ...stored, status: {} }, "v1beta1");
    expect(b.status).toEqual({});
    const Broken = defineResource({
      group: "bins.example.io",
      kind: "Bin",
      plural: "bins",
      scope: "Namespaced",
      versions: { v1alpha1: { storage: true, ...alpha }, v1beta1: beta },
      conversions: {
        "v1alpha1->v1beta1": {
          rules: {
            "spec.listen": { from: "spec", transformation: "{'port': self.port / 0, 'path': self.path}" },
            "status.endpoint": "status.url",
          },
        },
      },
    });
    expect(() => convertObject(Broken, stored, "v1beta1")).toThrow(
      /^default\/b: converting v1alpha1 to v1beta1, the transformation of spec into spec.listen failed: /,
    );
    expect(() => convertObject(Bin, { ...stored, apiVersion: "other.io/v1" }, "v1beta1")).toThrow(
      "default/b: apiVersion other.io/v1 is not a version of Bin",
    );
  });
});
