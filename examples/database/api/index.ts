// The Database API: the one definition mesh-codegen turns into deploy/ and the provider uses for types.
import { defineApi, defineResource, type Infer } from "@kcp-mesh/sdk/api";
import { z } from "zod";

export const Database = defineResource({
  group: "databases.examples.kcp-mesh.io",
  kind: "Database",
  plural: "databases",
  scope: "Namespaced",
  shortNames: ["db"],
  versions: {
    v1alpha1: {
      storage: true,
      spec: z.object({
        secretName: z
          .string()
          .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
          .max(253)
          .optional()
          .describe("Name of the connection Secret in the Database's namespace; default <name>-connection."),
      }),
      status: z.object({
        phase: z.enum(["Pending", "Ready", "Failed"]).optional(),
        endpoint: z.string().optional().describe("Where the database answers (HTTP, basic auth)."),
        secretName: z
          .string()
          .optional()
          .describe("The Secret holding endpoint, username and password, once written."),
        observedGeneration: z.int().optional(),
      }),
      printerColumns: [
        { name: "Endpoint", type: "string", jsonPath: ".status.endpoint" },
        { name: "Secret", type: "string", jsonPath: ".status.secretName" },
        { name: "Phase", type: "string", jsonPath: ".status.phase" },
      ],
    },
  },
});

/** A Database as the provider's handler sees it (defaults applied). */
export type DatabaseObject = Infer<typeof Database>;

/** What the provider needs in the consumer's workspace: the connection Secret it writes and cleans up. */
export const SECRETS_CLAIM = {
  group: "",
  resource: "secrets",
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"],
} as const;

/**
 * Optional for consumers: with it accepted, the provider records Events on each Database
 * (`kubectl describe database ...` shows them); without it, it records none.
 */
export const EVENTS_CLAIM = { group: "", resource: "events", verbs: ["create"] } as const;

export default defineApi({
  name: "databases.examples.kcp-mesh.io",
  resources: [Database],
  permissionClaims: [SECRETS_CLAIM, EVENTS_CLAIM],
  provider: {
    displayName: "Database",
    description:
      "A small key-value database per object, with its connection details in a Secret in your namespace.",
    contacts: [{ displayName: "kcp-mesh examples", email: "examples@kcp-mesh.io", role: ["Maintainer"] }],
  },
});
