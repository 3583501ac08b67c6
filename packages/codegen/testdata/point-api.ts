// An API whose field names and values YAML 1.1 readers (kubectl) would take for booleans, nulls
// and numbers if written bare: `y`, `n`, `on`, an enum yes|no|off, and a list map keyed by `n`.
import { defineApi, defineResource, listMap } from "@kcp-mesh/sdk/api";
import { z } from "zod";

export const Point = defineResource({
  group: "points.example.io",
  kind: "Point",
  plural: "points",
  scope: "Namespaced",
  versions: {
    v1alpha1: {
      spec: z.object({
        x: z.int32(),
        y: z.int32(),
        on: z.boolean().default(true),
        answer: z.enum(["yes", "no", "off", "null", "1e3", "0o17", "2001-12-14"]).default("off"),
        labels: z.record(z.string(), z.string().max(8)).default({ n: "y", "true": "~" }).optional(),
        marks: listMap(z.array(z.object({ n: z.string().max(8), Y: z.int32() })).max(8), ["n"]).optional(),
      }),
      printerColumns: [{ name: "on", type: "boolean", jsonPath: ".spec.on" }],
    },
  },
});

export default defineApi({ name: "points.example.io", resources: [Point] });
