import type { CelSchema } from "../../api/cel.js";

/** One REST resource the fake serves: where it lives and what it holds. */
export interface FakeResource {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  /** Whether `/status` is a subresource (writes to the main resource then leave status alone). */
  statusSubresource: boolean;
  /** The OpenAPI schema of a custom resource (from its APIResourceSchema); built-ins have none. */
  schema?: CelSchema;
  /** For a bound resource: the APIExport (`<cluster id>:<name>`) it comes from. */
  exportKey?: string;
  /** The schema's name, for error messages. */
  schemaName?: string;
  /** Verbs the resource supports besides the CRUD ones. */
  create?: boolean;
}

const b = (
  group: string,
  version: string,
  plural: string,
  kind: string,
  namespaced: boolean,
  statusSubresource = false,
): FakeResource => ({ group, version, plural, kind, namespaced, statusSubresource });

/**
 * The built-in resources a kcp workspace serves that the runtime and the testing helpers touch.
 * Anything else arrives through an APIBinding.
 */
export const BUILTIN_RESOURCES: readonly FakeResource[] = [
  b("", "v1", "namespaces", "Namespace", false, true),
  b("", "v1", "secrets", "Secret", true),
  b("", "v1", "configmaps", "ConfigMap", true),
  b("", "v1", "serviceaccounts", "ServiceAccount", true),
  b("", "v1", "events", "Event", true),
  b("coordination.k8s.io", "v1", "leases", "Lease", true),
  b("events.k8s.io", "v1", "events", "Event", true),
  b("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false),
  b("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false),
  b("rbac.authorization.k8s.io", "v1", "roles", "Role", true),
  b("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true),
  b("tenancy.kcp.io", "v1alpha1", "workspaces", "Workspace", false, true),
  b("apis.kcp.io", "v1alpha1", "apiresourceschemas", "APIResourceSchema", false),
  b("apis.kcp.io", "v1alpha2", "apiexports", "APIExport", false, true),
  b("apis.kcp.io", "v1alpha2", "apibindings", "APIBinding", false, true),
  b("apis.kcp.io", "v1alpha1", "apiexportendpointslices", "APIExportEndpointSlice", false, true),
];

/** `group/version` as a URL segment (`v1` for the core group). */
export function gvOf(r: { group: string; version: string }): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** The apiVersion field of an object of `r`. */
export const apiVersionOf = gvOf;

/** The storage key of a resource, version-independent: `<group>/<plural>`. */
export function resourceKey(r: { group: string; plural: string }): string {
  return `${r.group}/${r.plural}`;
}

/** `things.harness.example.io`, as Kubernetes names a resource in messages. */
export function qualifiedName(r: { group: string; plural: string }): string {
  return r.group ? `${r.plural}.${r.group}` : r.plural;
}
