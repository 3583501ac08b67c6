import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { defineResource } from "../api/resource.js";
import type { ReconcileContext } from "../controller/reconcile-types.js";
import { createProvider, type Provider } from "./provider.js";

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

// Compile-time guarantees of the handler's types; `npm run lint` (tsc) fails if one breaks.
function register(provider: Provider): void {
  provider.reconcile(Widget, async (w, ctx) => {
    expectTypeOf(w.spec.size).toEqualTypeOf<"small" | "large">(); // defaults applied: never undefined
    expectTypeOf(w.spec.replicas).toEqualTypeOf<number>();
    expectTypeOf(ctx).toEqualTypeOf<ReconcileContext>();
    return { status: { phase: "Ready", replicas: w.spec.replicas } };
  });
  // @ts-expect-error a phase the status schema does not allow
  provider.reconcile(Widget, async () => ({ status: { phase: "Running" } }));
  // @ts-expect-error a field of the wrong type
  provider.reconcile(Widget, async () => ({ status: { replicas: "three" } }));
  // A handler with nothing to report returns nothing.
  provider.reconcile(Widget, async () => undefined);
  provider.reconcile(Widget, async () => ({ requeueAfter: 1000 }));
}

describe("reconcile handler types", () => {
  it("compile as the status schema says (checked by tsc), and registration works at run time", () => {
    const provider = createProvider({
      kubeconfig: {
        yaml: "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\ncontexts: [{name: c, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {token: t}}]\ncurrent-context: c\n",
      },
      export: "widgets.example.io",
      handleSignals: false,
    });
    register(provider);
    expect(() => provider.store(Widget)).not.toThrow();
  });
});
