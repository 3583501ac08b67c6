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

// An SVG icon inline, for the portal's light and dark themes (Platform Mesh requires both).
const icon = (fill: string) =>
  `data:image/svg+xml;base64,${Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><ellipse cx="12" cy="5" rx="8" ry="3" fill="${fill}"/><path d="M4 5v14c0 1.7 3.6 3 8 3s8-1.3 8-3V5" fill="none" stroke="${fill}" stroke-width="2"/></svg>`,
  ).toString("base64")}`;

export default defineApi({
  name: "databases.examples.kcp-mesh.io",
  resources: [Database],
  permissionClaims: [SECRETS_CLAIM, EVENTS_CLAIM],
  // What the Platform Mesh Marketplace shows (ProviderMetadata) and the portal loads (ContentConfiguration).
  provider: {
    displayName: "Database",
    description:
      "A small key-value database per object, with its connection details in a Secret in your namespace.",
    tags: ["database", "key-value", "example"],
    contacts: [
      { displayName: "kcp-mesh examples", email: "examples@kcp-mesh.io", role: ["Maintainer"] },
      { displayName: "kcp-mesh support", email: "support@kcp-mesh.io", role: ["Support"] },
    ],
    documentation: [
      { displayName: "Database example", url: "https://kcp-mesh.io/examples/database", main: true },
    ],
    links: [{ displayName: "Source", url: "https://kcp-mesh.io/examples/database/source", main: true }],
    preferredSupportChannels: [
      { displayName: "Issues", url: "https://kcp-mesh.io/examples/database/issues" },
    ],
    icon: { light: { data: icon("#1f4e79") }, dark: { data: icon("#9cc3e6") } },
    contentConfiguration: {
      entity: "core_platform-mesh_io_account",
      inline: {
        content: {
          name: "databases",
          luigiConfigFragment: {
            data: {
              nodes: [
                {
                  pathSegment: "databases",
                  label: "Databases",
                  entityType: "main.core_platform-mesh_io_account",
                  icon: "database",
                  order: 900,
                  url: "https://portal.kcp-mesh.io/databases/index.html",
                  context: { accountId: ":core_platform-mesh_io_accountId" },
                },
              ],
            },
          },
        },
      },
    },
  },
});
