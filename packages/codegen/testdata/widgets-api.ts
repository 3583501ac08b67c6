// The Widget API of the README: run `npx mesh-codegen generate packages/codegen/testdata/widgets-api.ts --out deploy`.
import { defineApi, defineResource, type Infer } from "@kcp-mesh/sdk/api";
import { z } from "zod";

export const Widget = defineResource({
  group: "widgets.example.io",
  kind: "Widget",
  plural: "widgets",
  scope: "Namespaced",
  shortNames: ["wdg"],
  versions: {
    v1alpha1: {
      storage: true,
      spec: z.object({
        size: z.enum(["small", "large"]).default("small").describe("How big each widget is."),
        replicas: z.int32().min(0).describe("How many widgets to run."),
      }),
      status: z.object({ phase: z.enum(["Pending", "Ready"]).optional() }),
      printerColumns: [{ name: "Phase", type: "string", jsonPath: ".status.phase" }],
    },
  },
});

/** A Widget as the provider's handlers see it: `spec.size` is always set. */
export type WidgetObject = Infer<typeof Widget>;

export default defineApi({
  name: "widgets.example.io",
  resources: [Widget],
  permissionClaims: [{ group: "", resource: "secrets", verbs: ["get", "create", "update"] }],
  provider: {
    displayName: "Widgets",
    description: "Widgets on demand.",
    contacts: [{ displayName: "Widgets team", email: "widgets@example.io", role: ["Maintainer"] }],
  },
});
