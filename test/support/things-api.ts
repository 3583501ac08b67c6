import { defineResource } from "@kcp-mesh/sdk";
import { z } from "zod";

/** The zod definition of the hand-written Thing API (test/fixtures/things-provider.yaml). */
export const Thing = defineResource({
  group: "harness.example.io",
  kind: "Thing",
  plural: "things",
  scope: "Namespaced",
  versions: {
    v1alpha1: {
      // Stricter than the YAML schema on purpose: kcp accepts any color, the provider only these,
      // so the runtime's own validation (InvalidSpec) is what a wrong color meets.
      spec: z.object({ color: z.enum(["red", "green", "blue", "flaky", "slow"]) }),
      status: z.object({
        phase: z.string().optional(),
        note: z.string().optional(),
        observedGeneration: z.number().int().optional(),
      }),
    },
  },
});
