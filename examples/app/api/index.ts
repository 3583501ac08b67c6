// The App API: the one definition mesh-codegen turns into deploy/ and the provider uses for types.
import { defineApi, defineResource, type Infer } from "@kcp-mesh/sdk/api";
import { z } from "zod";

const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
  .max(253);

export const App = defineResource({
  group: "apps.examples.kcp-mesh.io",
  kind: "App",
  plural: "apps",
  scope: "Namespaced",
  versions: {
    v1alpha1: {
      storage: true,
      spec: z.object({
        databaseRef: z
          .object({ name: dnsLabel.describe("A Database in the App's namespace.") })
          .describe("The database the App stores its data in."),
        secretName: dnsLabel
          .optional()
          .describe("The connection Secret to read; default <databaseRef.name>-connection."),
        message: z
          .string()
          .max(1000)
          .default("hello from an App")
          .describe("What the App stores in its database."),
      }),
      status: z.object({
        phase: z.enum(["Pending", "Ready", "Failed"]).optional(),
        databaseEndpoint: z.string().optional().describe("The database the App is connected to."),
        storedKey: z.string().optional().describe("The key the App wrote its message under."),
        observedGeneration: z.int().optional(),
      }),
      printerColumns: [
        { name: "Database", type: "string", jsonPath: ".spec.databaseRef.name" },
        { name: "Endpoint", type: "string", jsonPath: ".status.databaseEndpoint" },
        { name: "Phase", type: "string", jsonPath: ".status.phase" },
      ],
    },
  },
});

/** An App as the provider's handler sees it (defaults applied). */
export type AppObject = Infer<typeof App>;

/** The App only reads the connection Secret another provider wrote. */
export const SECRETS_CLAIM = { group: "", resource: "secrets", verbs: ["get", "list", "watch"] } as const;

export default defineApi({
  name: "apps.examples.kcp-mesh.io",
  resources: [App],
  permissionClaims: [SECRETS_CLAIM],
  provider: {
    displayName: "App",
    description: "An app that stores its data in a Database, connecting with the Secret the Database wrote.",
    contacts: [{ displayName: "kcp-mesh examples", email: "examples@kcp-mesh.io", role: ["Maintainer"] }],
  },
});
