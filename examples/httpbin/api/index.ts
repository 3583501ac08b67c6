// The HttpBin API: the one definition mesh-codegen turns into deploy/ and the provider uses for types.
import { defineApi, defineResource, type Infer } from "@kcp-mesh/sdk/api";
import { z } from "zod";

export const HttpBin = defineResource({
  group: "httpbin.examples.kcp-mesh.io",
  kind: "HttpBin",
  plural: "httpbins",
  scope: "Namespaced",
  shortNames: ["hb"],
  versions: {
    v1alpha1: {
      storage: true,
      spec: z.object({
        message: z
          .string()
          .max(200)
          // Checked by the provider only (zod refinements have no schema form): a blank message
          // is stored by kcp and then reported InvalidSpec, and the endpoint is withdrawn.
          .refine((m) => m.trim() !== "", "must not be blank")
          .default("hello from kcp-mesh")
          .describe("What GET / answers with."),
        port: z
          .int32()
          .min(1024)
          .max(65535)
          .optional()
          .describe("A fixed port on the provider's machine; a free one is picked when empty."),
      }),
      status: z.object({
        url: z.string().optional().describe("Where the endpoint answers."),
        phase: z.enum(["Pending", "Ready", "Failed"]).optional(),
        observedGeneration: z.int().optional(),
      }),
      printerColumns: [
        { name: "URL", type: "string", jsonPath: ".status.url" },
        { name: "Phase", type: "string", jsonPath: ".status.phase" },
      ],
    },
    // The next version: the message moved into `response.body`. Objects stay stored as v1alpha1
    // (moving the storage version of a published API is a breaking change the lock refuses);
    // kcp converts with the rules below whenever a consumer reads or writes v1beta1.
    v1beta1: {
      spec: z.object({
        response: z
          .object({
            body: z
              .string()
              .max(200)
              .refine((m) => m.trim() !== "", "must not be blank")
              .default("hello from kcp-mesh")
              .describe("What GET / answers with."),
          })
          .default({ body: "hello from kcp-mesh" }),
        port: z
          .int32()
          .min(1024)
          .max(65535)
          .optional()
          .describe("A fixed port on the provider's machine; a free one is picked when empty."),
      }),
      status: z.object({
        url: z.string().optional().describe("Where the endpoint answers."),
        phase: z.enum(["Pending", "Ready", "Failed"]).optional(),
        observedGeneration: z.int().optional(),
      }),
      printerColumns: [
        { name: "URL", type: "string", jsonPath: ".status.url" },
        { name: "Phase", type: "string", jsonPath: ".status.phase" },
      ],
    },
  },
  conversions: {
    "v1alpha1->v1beta1": { rules: { "spec.response.body": "spec.message" } },
    "v1beta1->v1alpha1": { rules: { "spec.message": "spec.response.body" } },
  },
});

/** An HttpBin as the provider's handler sees it (defaults applied). */
export type HttpBinObject = Infer<typeof HttpBin>;

export default defineApi({
  name: "httpbin.examples.kcp-mesh.io",
  resources: [HttpBin],
  provider: {
    displayName: "HttpBin",
    description: "A small HTTP test endpoint per object, served by the provider on its machine.",
    contacts: [{ displayName: "kcp-mesh examples", email: "examples@kcp-mesh.io", role: ["Maintainer"] }],
  },
});
