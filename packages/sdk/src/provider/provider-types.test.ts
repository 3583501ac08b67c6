// Type-level tests: the expectTypeOf and @ts-expect-error lines here are checked only by tsc;
// vitest strips types and runs them as no-ops. src/type-level.test.ts runs tsc over this file
// (packages/sdk/tsconfig.type-tests.json), so `npm test` fails when one of them breaks.
import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { defineResource } from "../api/resource.js";
import type { ReconcileContext } from "../controller/reconcile-types.js";
import { createProvider, type Provider } from "./provider.js";
import { relatedWatch } from "./related-watch.js";

const Widget = defineResource({
  group: "widgets.example.io",
  kind: "Widget",
  plural: "widgets",
  scope: "Namespaced",
  versions: {
    v1alpha1: {
      spec: z.object({ size: z.enum(["small", "large"]).default("small"), replicas: z.int32().min(0) }),
      status: z.object({ phase: z.enum(["Pending", "Ready"]).optional(), replicas: z.int().optional() }),
    },
  },
});

// Compile-time guarantees of the handler's types: checked by tsc only (see the header).
function register(make: () => Provider): Provider {
  // One reconcile() per resource and provider: each case gets a provider of its own.
  const provider = make();
  provider.reconcile(Widget, async (w, ctx) => {
    expectTypeOf(w.spec.size).toEqualTypeOf<"small" | "large">(); // defaults applied: never undefined
    expectTypeOf(w.spec.replicas).toEqualTypeOf<number>();
    expectTypeOf(ctx).toEqualTypeOf<ReconcileContext>();
    return { status: { phase: "Ready", replicas: w.spec.replicas } };
  });
  // @ts-expect-error a phase the status schema does not allow
  make().reconcile(Widget, async () => ({ status: { phase: "Running" } }));
  // @ts-expect-error a field of the wrong type
  make().reconcile(Widget, async () => ({ status: { replicas: "three" } }));
  // A handler with nothing to report returns nothing.
  make().reconcile(Widget, async () => undefined);
  make().reconcile(Widget, async () => ({ requeueAfter: 1000 }));
  // A related watch on a zod resource gets typed items in `map`.
  make().reconcile(Widget, async () => undefined, {
    related: [
      relatedWatch(Widget, (item) => {
        if (item.valid) expectTypeOf(item.object.spec.size).toEqualTypeOf<"small" | "large">();
        return [{ workspace: item.workspace, name: item.name }];
      }),
    ],
  });
  // @ts-expect-error map must return object references
  relatedWatch(Widget, () => ["a-name"]);
  return provider;
}

describe("reconcile handler types", () => {
  it("compile as the status schema says (checked by tsc), and registration works at run time", () => {
    const make = () =>
      createProvider({
        kubeconfig: {
          yaml: "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {token: t}}]\ncurrent-context: c\n",
        },
        export: "widgets.example.io",
        handleSignals: false,
      });
    const provider = register(make);
    expect(() => provider.reconcile(Widget, async () => undefined)).toThrow(
      "Widget is registered twice: one reconcile() per resource",
    );
    expect(() => provider.store(Widget)).not.toThrow();
  });
});
