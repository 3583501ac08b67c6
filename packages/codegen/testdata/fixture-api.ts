// A broad API that uses every construct mesh-codegen supports. The golden test pins its output
// (testdata/fixture/) and the integration test applies it to a real kcp.
import {
  cel,
  defineApi,
  defineResource,
  embeddedResource,
  goDuration,
  intOrString,
  listMap,
  listType,
  mapType,
  preserveUnknownFields,
} from "@kcp-mesh/sdk/api";
import { z } from "zod";
import * as z3 from "zod/v3";

const gadgetSpecV1beta1 = z.object({
  size: z.enum(["small", "medium", "large"]).default("small").describe("How big the gadget is."),
  replicas: z.int32().min(0).max(100),
  ratio: z.number().gt(0).lt(1).optional(),
  name: z.string().min(3).max(40).regex(/^[a-z][a-z0-9-]*$/),
  code: z.string().regex(/^gd-[0-9a-f]+$/i).optional(),
  contact: z.object({ email: z.email(), id: z.uuid().optional() }).optional(),
  notBefore: z.iso.datetime().optional(),
  note: z.string().max(200).nullable().optional(),
  mode: z.union([z.literal("fast"), z.literal("safe")]).default("safe"),
  enabled: z.boolean().default(true),
  timeout: goDuration().default("30s"),
  maxUnavailable: intOrString().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  selector: mapType(z.record(z.string(), z.string()), "atomic").optional(),
  tags: listType(z.array(z.string().max(32)).max(10), "set").optional(),
  ports: listMap(z.array(z.object({ name: z.string().max(15), port: z.int32().min(1).max(65535) })).max(16), [
    "name",
  ]).optional(),
  range: cel(z.object({ min: z.int32(), max: z.int32() }), "self.min <= self.max", {
    message: "min must not exceed max",
  }).optional(),
  tuning: z
    .object({
      level: z.int32().min(1).max(5).default(3),
      profile: z.object({ name: z.string().max(20).default("standard") }).optional(),
    })
    .optional(),
  source: z
    .discriminatedUnion("type", [
      z.object({ type: z.literal("git"), url: z.url().max(200), ref: z.string().max(100).optional() }),
      z.object({ type: z.literal("image"), image: z.string().max(200) }),
    ])
    .optional(),
  values: preserveUnknownFields(z.record(z.string(), z.unknown())).optional(),
  template: embeddedResource().optional(),
  extra: z.looseObject({ owner: z.string().max(40).optional() }).optional(),
  strict: z.strictObject({ flag: z.boolean() }).optional(),
  immutableId: cel(z.string().max(64), "self == oldSelf", { message: "immutableId cannot change" }).optional(),
});

const gadgetStatus = z.object({
  phase: z.enum(["Pending", "Ready", "Failed"]).optional(),
  observedGeneration: z.int().min(0).optional(),
  readyReplicas: z.int32().optional(),
});

export const Gadget = defineResource({
  group: "gadgets.fixture.example.io",
  kind: "Gadget",
  plural: "gadgets",
  scope: "Namespaced",
  shortNames: ["gd"],
  categories: ["fixture"],
  versions: {
    v1alpha1: {
      served: true,
      deprecated: true,
      deprecationWarning: "gadgets.fixture.example.io/v1alpha1 is deprecated; use v1beta1",
      // Served beside v1beta1 without conversion rules, so with the same schema (see the lock's check).
      spec: gadgetSpecV1beta1,
      status: gadgetStatus,
    },
    v1beta1: {
      storage: true,
      spec: gadgetSpecV1beta1,
      status: gadgetStatus,
      printerColumns: [
        { name: "Size", type: "string", jsonPath: ".spec.size" },
        { name: "Replicas", type: "integer", jsonPath: ".spec.replicas" },
        { name: "Phase", type: "string", jsonPath: ".status.phase" },
        { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
      ],
    },
  },
});

/** A cluster-scoped resource written with the zod 3 API, which goes through zod-to-json-schema. */
export const GadgetClass = defineResource({
  group: "gadgets.fixture.example.io",
  kind: "GadgetClass",
  plural: "gadgetclasses",
  scope: "Cluster",
  versions: {
    v1: {
      spec: z3.object({
        tier: z3.enum(["bronze", "silver", "gold"]).default("bronze"),
        maxGadgets: z3.number().int().min(1).max(1000),
        owner: z3.string().email().optional(),
        pattern: z3.string().regex(/^[a-z]+$/).optional(),
        limits: cel(z3.object({ soft: z3.number().int(), hard: z3.number().int() }), "self.soft <= self.hard", {
          message: "soft must not exceed hard",
        }).optional(),
      }),
    },
  },
});

export default defineApi({
  name: "gadgets.fixture.example.io",
  resources: [Gadget, GadgetClass],
  permissionClaims: [
    { group: "", resource: "secrets", verbs: ["get", "list", "watch", "create", "update"] },
    { group: "", resource: "configmaps", verbs: ["get"] },
  ],
});
