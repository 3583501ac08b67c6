import type { ApiDefinition } from "./api.js";

/** An RBAC policy rule, as a ClusterRole lists them. */
export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/**
 * The verbs the SDK's runtime itself uses through the APIExport virtual workspace:
 * - `get`, `list`, `watch`: the caches (list + watch per endpoint), re-reads after a conflict or a
 *   405, and the APIBindings read to explain a failed permission claim;
 * - `patch`: the JSON patch of `/status`, the merge patch of a first status, and the JSON patches
 *   that add and remove the provider's finalizer.
 * It never creates, updates (PUT), deletes or deletes collections of objects. `start()` checks these
 * with a SelfSubjectAccessReview, and `mesh-codegen` writes them into the provider role.
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
 * The verbs of the provider identity's `apiexports/content` rule: what the runtime uses
 * ({@link RUNTIME_CONTENT_VERBS}) plus every verb a permission claim of the API declares, each once,
 * in Kubernetes' usual order. A claim with `*` makes it `["*"]`. With an export name instead of a
 * definition: the runtime's verbs only.
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
export function providerContentVerbs(api: ApiDefinition | string): string[] {
  const verbs = new Set<string>(RUNTIME_CONTENT_VERBS);
  if (typeof api !== "string") {
    for (const claim of api.permissionClaims) for (const verb of claim.verbs) verbs.add(verb);
  }
  if (verbs.has("*")) return ["*"];
  return [...verbs].sort(byVerbOrder);
}

/**
 * The rules a provider's identity needs in its provider workspace, and nothing more: find the
 * export's virtual workspace URLs (APIExportEndpointSlices, read-only), serve its content
 * (`apiexports/content` of this export only, with {@link providerContentVerbs}), and hold a Lease
 * for leader election (get, create, update). `mesh-codegen` writes exactly these into the
 * `<export>:provider` ClusterRole; tests and benchmarks give them to the identities they make.
 *
 * @example
 * ```ts
 * import { providerIdentityRules } from "@kcp-mesh/sdk/api";
 * import { createServiceAccountIdentity } from "@kcp-mesh/sdk/testing";
 *
 * const identity = await createServiceAccountIdentity(providerWorkspace, {
 *   name: "widgets-provider",
 *   rules: providerIdentityRules(api), // or providerIdentityRules("widgets.example.io")
 * });
 * ```
 */
export function providerIdentityRules(api: ApiDefinition | string): PolicyRule[] {
  const exportName = typeof api === "string" ? api : api.name;
  return [
    { apiGroups: ["apis.kcp.io"], resources: ["apiexportendpointslices"], verbs: ["get", "list", "watch"] },
    {
      apiGroups: ["apis.kcp.io"],
      resources: ["apiexports/content"],
      resourceNames: [exportName],
      verbs: providerContentVerbs(api),
    },
    // Leader election (createProvider's `leaderElection`) keeps a Lease in the provider
    // workspace: it reads it (GET), creates it (POST) and renews or releases it (PUT).
    // Sharding (`sharding`) also lists its group's Leases (LIST) to see the live replicas.
    { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "list", "create", "update"] },
  ];
}
