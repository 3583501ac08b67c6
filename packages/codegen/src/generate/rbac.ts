import { type ApiDefinition, providerIdentityRules } from "@kcp-mesh/sdk/api";

const RBAC = "rbac.authorization.k8s.io/v1";

/** The ClusterRole names `generate` writes for an export. */
export function roleNames(exportName: string): { provider: string; bind: string } {
  return { provider: `${exportName}:provider`, bind: `${exportName}:bind` };
}

/**
 * The ClusterRole a provider's identity needs in the provider workspace: find the export's virtual
 * workspace URLs (APIExportEndpointSlices), serve its content (`apiexports/content`, with the verbs
 * of `providerContentVerbs` from `@kcp-mesh/sdk/api`), and hold a Lease for leader election; nothing else.
 * Bind it to the provider's service account or user.
 */
export function buildProviderRole(api: ApiDefinition): Record<string, unknown> {
  return {
    apiVersion: RBAC,
    kind: "ClusterRole",
    metadata: { name: roleNames(api.name).provider },
    rules: providerIdentityRules(api),
  };
}

/**
 * The ClusterRole consumers need in the provider workspace to bind the export. Bind it to the users
 * or groups allowed to consume the API (for example the group `system:authenticated`, with
 * `mesh-codegen generate --bind-group`).
 *
 * With provider info (a Marketplace listing) it also lets them do what Platform Mesh's Marketplace
 * does before it binds: find the export, the ProviderMetadata and the ContentConfiguration by their
 * `content-for` label and read them (the export's `status.identityHash` and permission claims).
 * These reads cover every APIExport, ProviderMetadata and ContentConfiguration of the provider
 * workspace, which normally holds only this provider's; nothing else (no Secrets, no RBAC, no
 * consumer's objects).
 */
export function buildBindRole(api: ApiDefinition): Record<string, unknown> {
  return {
    apiVersion: RBAC,
    kind: "ClusterRole",
    metadata: { name: roleNames(api.name).bind },
    rules: [
      { apiGroups: ["apis.kcp.io"], resources: ["apiexports"], resourceNames: [api.name], verbs: ["bind"] },
      ...(api.provider
        ? [
            // kcp lets a user of another workspace read here only with verb `access` on `/`
            // (pkg/authorization/workspace_content_authorizer.go); by itself it allows no object.
            { nonResourceURLs: ["/"], verbs: ["access"] },
            // The Marketplace finds the export by its content-for label: a list, which RBAC cannot
            // limit by name.
            { apiGroups: ["apis.kcp.io"], resources: ["apiexports"], verbs: ["get", "list", "watch"] },
            {
              apiGroups: ["ui.platform-mesh.io"],
              resources: ["providermetadatas", "contentconfigurations"],
              verbs: ["get", "list", "watch"],
            },
          ]
        : []),
    ],
  };
}
