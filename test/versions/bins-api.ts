import { defineApi, defineResource } from "@kcp-mesh/sdk/api";
import { z } from "zod";

// A resource that moved on: v1alpha1 (the storage version) has a flat port, a timeout in seconds
// and a status url; v1beta1 nests port and path under listen, says the timeout as a Go duration,
// adds an optional tier, and calls the status field endpoint. Every rule kind is here: plain
// moves, CEL transformations both ways, and a preserved field.
export const Bin = defineResource({
  group: "versions.example.io",
  kind: "Bin",
  plural: "bins",
  scope: "Namespaced",
  versions: {
    v1alpha1: {
      storage: true,
      spec: z.object({
        port: z.int32().min(1).max(65535),
        path: z.string().default("/"),
        timeoutSeconds: z.int32().min(0).default(30),
        owner: z.string().optional(),
      }),
      status: z.object({ url: z.string().optional() }),
    },
    v1beta1: {
      spec: z.object({
        listen: z.object({ port: z.int32().min(1).max(65535), path: z.string().default("/") }),
        timeout: z.string().default("30s"),
        owner: z.string().optional(),
        tier: z.enum(["free", "paid"]).optional(),
      }),
      status: z.object({ endpoint: z.string().optional() }),
    },
  },
  conversions: {
    "v1alpha1->v1beta1": {
      rules: {
        "spec.listen.port": "spec.port",
        "spec.listen.path": "spec.path",
        "spec.timeout": { from: "spec.timeoutSeconds", transformation: "string(self) + 's'" },
        "status.endpoint": "status.url",
      },
    },
    "v1beta1->v1alpha1": {
      rules: {
        "spec.port": "spec.listen.port",
        "spec.path": "spec.listen.path",
        "spec.timeoutSeconds": { from: "spec.timeout", transformation: "int(self.replace('s', ''))" },
        "status.url": "status.endpoint",
      },
      preserve: ["spec.tier"],
    },
  },
});

export default defineApi({ name: "versions.example.io", resources: [Bin] });
