// Type-level tests: the expectTypeOf and @ts-expect-error lines here are checked only by tsc;
// vitest strips types and runs them as no-ops. src/type-level.test.ts runs tsc over this file
// (packages/sdk/tsconfig.type-tests.json), so `npm test` fails when one of them breaks.
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import * as z3 from "zod/v3";
import { defineApi } from "./api.js";
import type { Infer, InferInput, InferSpec, InferStatus } from "./infer.js";
import { cel, listMap, listType, zod3ExtensionsOf } from "./kube-extensions.js";
import { defineResource } from "./resource.js";
import { validateObject } from "./validate-object.js";

const Widget = defineResource({
  group: "widgets.example.io",
  kind: "Widget",
  plural: "widgets",
  scope: "Namespaced",
  shortNames: ["wdg"],
  versions: {
    v1alpha1: {
      storage: true,
      spec: z.object({
        size: z.enum(["small", "large"]).default("small"),
        replicas: z.int32().min(0),
        ports: listMap(z.array(z.object({ name: z.string(), port: z.int32() })), ["name"]).optional(),
        tags: listType(z.array(z.string()), "set").optional(),
      }),
      status: z.object({ phase: z.enum(["Pending", "Ready"]).optional() }),
    },
    v1alpha0: { served: false, spec: z.object({ replicas: z.int32() }) },
  },
});

const widget = (spec: unknown, extra: Record<string, unknown> = {}) => ({
  apiVersion: "widgets.example.io/v1alpha1",
  kind: "Widget",
  metadata: { name: "w" },
  spec,
  ...extra,
});

describe("defineResource", () => {
  it("derives names and the storage version", () => {
    expect(Widget.singular).toBe("widget");
    expect(Widget.listKind).toBe("WidgetList");
    expect(Widget.storageVersion).toBe("v1alpha1");
    expect(Widget.apiVersion).toBe("widgets.example.io/v1alpha1");
  });

  it.each<[string, () => unknown, string]>([
    [
      "a bad group",
      () =>
        defineResource({
          group: "Widgets",
          kind: "W",
          plural: "ws",
          scope: "Cluster",
          versions: { v1: { spec: z.object({}) } },
        }),
      'W: group "Widgets" must be a lowercase DNS subdomain',
    ],
    [
      "a lowercase kind",
      () =>
        defineResource({
          group: "a.io",
          kind: "widget",
          plural: "ws",
          scope: "Cluster",
          versions: { v1: { spec: z.object({}) } },
        }),
      'kind "widget" must be UpperCamelCase',
    ],
    [
      "a bad plural",
      () =>
        defineResource({
          group: "a.io",
          kind: "W",
          plural: "Ws",
          scope: "Cluster",
          versions: { v1: { spec: z.object({}) } },
        }),
      'W: plural "Ws" must be a lowercase DNS label',
    ],
    [
      "a bad version",
      () =>
        defineResource({
          group: "a.io",
          kind: "W",
          plural: "ws",
          scope: "Cluster",
          versions: { "1.0": { spec: z.object({}) } },
        }),
      'W: version "1.0" must look like v1, v1beta1 or v1alpha1',
    ],
    [
      "two storage versions",
      () =>
        defineResource({
          group: "a.io",
          kind: "W",
          plural: "ws",
          scope: "Cluster",
          versions: { v1: { storage: true, spec: z.object({}) }, v2: { storage: true, spec: z.object({}) } },
        }),
      "W: versions v1, v2 all say storage: true; exactly one may",
    ],
    [
      "no storage version among several",
      () =>
        defineResource({
          group: "a.io",
          kind: "W",
          plural: "ws",
          scope: "Cluster",
          versions: { v1: { spec: z.object({}) }, v2: { spec: z.object({}) } },
        }),
      "W: mark exactly one version with storage: true",
    ],
  ])("rejects %s", (_name, define, message) => {
    expect(define).toThrow(message);
  });
});

describe("defineApi", () => {
  it("rejects resources listed twice and claims without verbs", () => {
    expect(() => defineApi({ name: "w.io", resources: [Widget, Widget] })).toThrow(
      "resource widgets.widgets.example.io (kind Widget) is listed twice",
    );
    expect(() =>
      defineApi({
        name: "w.io",
        resources: [Widget],
        permissionClaims: [{ group: "", resource: "secrets", verbs: [] }],
      }),
    ).toThrow("permission claim for secrets needs at least one verb");
  });
});

describe("Infer types", () => {
  it("types objects, spec, status and input of the storage version", () => {
    expectTypeOf<InferSpec<typeof Widget>>().toEqualTypeOf<{
      size: "small" | "large";
      replicas: number;
      ports?: { name: string; port: number }[] | undefined;
      tags?: string[] | undefined;
    }>();
    expectTypeOf<InferStatus<typeof Widget>>().toEqualTypeOf<{ phase?: "Pending" | "Ready" | undefined }>();
    expectTypeOf<Infer<typeof Widget>["apiVersion"]>().toEqualTypeOf<"widgets.example.io/v1alpha1">();
    expectTypeOf<Infer<typeof Widget>["kind"]>().toEqualTypeOf<"Widget">();
    expectTypeOf<InferInput<typeof Widget>["spec"]["size"]>().toEqualTypeOf<"small" | "large" | undefined>();
    expectTypeOf<InferSpec<typeof Widget, "v1alpha0">>().toEqualTypeOf<{ replicas: number }>();
    expectTypeOf<InferStatus<typeof Widget, "v1alpha0">>().toBeNever();
  });
});

describe("validateObject", () => {
  it("returns the typed object with defaults applied", () => {
    const r = validateObject(Widget, widget({ replicas: 2 }, { status: { phase: "Ready" } }));
    expect(r).toEqual({
      ok: true,
      value: widget({ size: "small", replicas: 2 }, { status: { phase: "Ready" } }),
    });
  });

  it("lists every issue with its JSON path", () => {
    const r = validateObject(
      Widget,
      widget(
        { size: "huge", replicas: -1, ports: [{ name: "a", port: "x" }] },
        { status: { phase: "Gone" } },
      ),
    );
    expect(r.ok).toBe(false);
    expect(!r.ok && r.issues.map((i) => i.path)).toEqual([
      "spec.size",
      "spec.replicas",
      "spec.ports[0].port",
      "status.phase",
    ]);
  });

  it("reports duplicates in sets and list maps at the duplicate, as kcp does", () => {
    const r = validateObject(
      Widget,
      widget({
        replicas: 1,
        tags: ["a", "a"],
        ports: [
          { name: "a", port: 1 },
          { name: "a", port: 2 },
        ],
      }),
    );
    expect(!r.ok && r.issues.map((i) => i.path)).toEqual(["spec.ports[1]", "spec.tags[1]"]);
  });

  it("checks apiVersion, kind and metadata", () => {
    const wrongVersion = validateObject(Widget, {
      ...widget({ replicas: 1 }),
      apiVersion: "widgets.example.io/v1alpha0",
    });
    expect(wrongVersion).toEqual({
      ok: false,
      issues: [
        {
          path: "apiVersion",
          message: 'expected "widgets.example.io/v1alpha1", got "widgets.example.io/v1alpha0"',
        },
      ],
    });
    const r = validateObject(Widget, { ...widget({ replicas: 1 }), kind: "Gadget", metadata: null });
    expect(!r.ok && r.issues.map((i) => i.path)).toEqual(["kind", "metadata"]);
    expect(validateObject(Widget, "nope")).toEqual({
      ok: false,
      issues: [{ path: "", message: "expected a Widget object" }],
    });
  });

  it("validates zod/v3 schemas through Standard Schema", () => {
    const Old = defineResource({
      group: "a.io",
      kind: "Old",
      plural: "olds",
      scope: "Cluster",
      versions: { v1: { spec: z3.object({ n: z3.number().int() }) } },
    });
    expectTypeOf<InferSpec<typeof Old>>().toEqualTypeOf<{ n: number }>();
    const r = validateObject(Old, { apiVersion: "a.io/v1", kind: "Old", metadata: {}, spec: { n: 1.5 } });
    expect(!r.ok && r.issues.map((i) => i.path)).toEqual(["spec.n"]);
  });
});

describe("helpers", () => {
  it("attach extensions to zod 4 schemas without touching the original", () => {
    const base = z.string();
    const ruled = cel(cel(base, "a"), "b", { message: "m" });
    expect(z.globalRegistry.get(ruled)).toEqual({
      "x-kubernetes-validations": [{ rule: "a" }, { rule: "b", message: "m" }],
    });
    expect(z.globalRegistry.get(base)).toBeUndefined();
  });

  it("attach extensions to zod/v3 schemas by their definition", () => {
    const base = z3.string();
    const ruled = cel(base, "self != ''");
    expect(zod3ExtensionsOf(ruled._def)).toEqual({ "x-kubernetes-validations": [{ rule: "self != ''" }] });
    expect(zod3ExtensionsOf(base._def)).toBeUndefined();
    expect(ruled.parse("x")).toBe("x");
  });
});
