import { defineApi, defineResource } from "@kcp-mesh/sdk/api";
import { z } from "zod";

/** Three resources of one export, for tests of what a provider with several resources shares. */
const resource = <K extends string, P extends string>(kind: K, plural: P) =>
  defineResource({
    group: "trio.example.io",
    kind,
    plural,
    scope: "Namespaced",
    versions: {
      v1alpha1: {
        spec: z.object({ partner: z.string().max(63).optional() }),
        status: z.object({ seen: z.int32().optional(), partnerSeen: z.boolean().optional() }),
      },
    },
  });

export const Alpha = resource("Alpha", "alphas");
export const Beta = resource("Beta", "betas");
export const Gamma = resource("Gamma", "gammas");
export const TRIO_EXPORT = "trio.example.io";
export default defineApi({ name: TRIO_EXPORT, resources: [Alpha, Beta, Gamma] });
