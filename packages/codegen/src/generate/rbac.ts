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
 * or groups allowed to consume the API (for example the group `system:authenticated`).
 */
export function buildBindRole(api: ApiDefinition): Record<string, unknown> {
  return {
    apiVersion: RBAC,
    kind: "ClusterRole",
    metadata: { name: roleNames(api.name).bind },
    rules: [
      { apiGroups: ["apis.kcp.io"], resources: ["apiexports"], resourceNames: [api.name], verbs: ["bind"] },
    ],
  };
}
