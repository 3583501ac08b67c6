import type { ApiDefinition } from "@kcp-mesh/sdk/api";

const RBAC = "rbac.authorization.k8s.io/v1";

/** The ClusterRole names `generate` writes for an export. */
export function roleNames(exportName: string): { provider: string; bind: string } {
  return { provider: `${exportName}:provider`, bind: `${exportName}:bind` };
}

/**
 * The verbs the SDK's runtime itself uses through the APIExport virtual workspace:
 * - `get`, `list`, `watch`: the caches (list + watch per endpoint), re-reads after a conflict or a
 *   405, and the APIBindings read to explain a failed permission claim;
 * - `patch`: server-side apply of `/status`, the JSON merge patch of the status conditions, and the
 *   JSON patches that add and remove the provider's finalizer.
 * It never creates, updates (PUT), deletes or deletes collections of objects.
 */
export const RUNTIME_CONTENT_VERBS: readonly string[] = Object.freeze(["get", "list", "watch", "patch"]);

/** Kubernetes' usual order of verbs; verbs not in it follow in alphabetical order. */
const VERB_ORDER = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];

function byVerbOrder(a: string, b: string): number {
  const ia = VERB_ORDER.indexOf(a);
  const ib = VERB_ORDER.indexOf(b);
  if (ia >= 0 && ib >= 0) return ia - ib;
  if (ia >= 0) return -1;
  if (ib >= 0) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The verbs of the provider role's `apiexports/content` rule: what the runtime uses
 * ({@link RUNTIME_CONTENT_VERBS}) plus every verb a permission claim declares, each once, in
 * Kubernetes' usual order (get, list, watch, create, update, patch, delete, deletecollection, then
 * any other verb alphabetically). A claim with `*` makes it `["*"]`.
 *
 * Why the claims' verbs belong here: kcp authorizes a request through the APIExport virtual
 * workspace (pkg/virtual/apiexport/builder/build.go, `newAuthorizer`) by chaining
 * - `boundAPIAuthorizer` (authorizer/binding.go): an exported resource passes; a claimed resource
 *   passes only when the consumer accepted the claim and the verb is in both the export's and the
 *   binding's claim verbs; APIBindings pass read-only;
 * - then `apiExportsContentAuthorizer` (authorizer/content.go): a SubjectAccessReview in the
 *   provider's workspace for `apiexports/content` with resourceName = the export and the request's
 *   own verb, for exported and claimed resources alike, and without the subresource (a `patch` of
 *   `/status` and a `patch` of the spec are the same check).
 * So a claimed `create` of Secrets needs `create` here too, and that `create` then also applies to
 * the exported objects: RBAC cannot tell them apart.
 */
export function providerContentVerbs(api: ApiDefinition): string[] {
  const verbs = new Set<string>(RUNTIME_CONTENT_VERBS);
  for (const claim of api.permissionClaims) for (const verb of claim.verbs) verbs.add(verb);
  if (verbs.has("*")) return ["*"];
  return [...verbs].sort(byVerbOrder);
}

/**
 * The ClusterRole a provider's identity needs in the provider workspace: find the export's virtual
 * workspace URLs (APIExportEndpointSlices), serve its content (`apiexports/content`, with the verbs
 * of {@link providerContentVerbs}), and hold a Lease for leader election; nothing else.
 * Bind it to the provider's service account or user.
 */
export function buildProviderRole(api: ApiDefinition): Record<string, unknown> {
  return {
    apiVersion: RBAC,
    kind: "ClusterRole",
    metadata: { name: roleNames(api.name).provider },
    rules: [
      { apiGroups: ["apis.kcp.io"], resources: ["apiexportendpointslices"], verbs: ["get", "list", "watch"] },
      {
        apiGroups: ["apis.kcp.io"],
        resources: ["apiexports/content"],
        resourceNames: [api.name],
        // The runtime's verbs plus the claims' verbs, and nothing else: kcp checks this rule by
        // verb for every request through the virtual workspace, claimed resources included.
        verbs: providerContentVerbs(api),
      },
      // Leader election (createProvider's `leaderElection`) keeps a Lease in the provider
      // workspace: it reads it (GET), creates it (POST) and renews or releases it (PUT).
      {
        apiGroups: ["coordination.k8s.io"],
        resources: ["leases"],
        verbs: ["get", "create", "update"],
      },
    ],
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
