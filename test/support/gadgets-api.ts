import { defineApi, defineResource } from "@kcp-mesh/sdk/api";
import { z } from "zod";

/**
 * A generated API for the consumer-lifecycle tests: published with `mesh-codegen`'s output and
 * served by a provider holding only the generated role. The refinement runs in zod only, so kcp
 * stores a spec that the provider must treat as invalid (an object "turning invalid").
 */
export const Gadget = defineResource({
  group: "lifecycle.example.io",
  kind: "Gadget",
  plural: "gadgets",
  scope: "Namespaced",
  versions: {
    v1alpha1: {
      spec: z.object({ message: z.string().max(100) }).refine((s) => !s.message.startsWith("bad"), {
        message: "must not start with 'bad'",
        path: ["message"],
      }),
      status: z.object({
        phase: z.enum(["Ready", "Invalid"]).optional(),
        url: z.string().max(200).optional(),
      }),
    },
  },
});

export const GADGETS_EXPORT = "lifecycle.example.io";

export default defineApi({ name: GADGETS_EXPORT, resources: [Gadget] });
