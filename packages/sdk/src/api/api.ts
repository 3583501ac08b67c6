import { checkDnsSubdomain } from "./names.js";
import type { ProviderInfo } from "./provider-info.js";
import type { AnyResource } from "./resource.js";

export type { ProviderInfo };

/**
 * A permission claim: access the provider asks for to objects of another API in the consumer's
 * workspace. Consumers accept it when they bind.
 */
export interface PermissionClaimDefinition {
  /** API group of the claimed resource; `""` for the core group (secrets, configmaps). */
  group: string;
  /** Plural resource name, such as `secrets`. */
  resource: string;
  /** Verbs the provider needs, such as `["get", "create", "update"]`; `["*"]` for all. */
  verbs: readonly string[];
  /** Identity hash of the export that serves the resource, for resources of other kcp APIs. */
  identityHash?: string;
}

/** What {@link defineApi} takes. */
export interface ApiInput<Resources extends readonly AnyResource[]> {
  /** The APIExport's name, a DNS subdomain; usually the API group, such as `widgets.example.io`. */
  name: string;
  resources: Resources;
  permissionClaims?: readonly PermissionClaimDefinition[];
  /**
   * When present, `mesh-codegen` also writes a Platform Mesh `ProviderMetadata` (and a
   * `ContentConfiguration` when it has `contentConfiguration`), all labelled for the Marketplace.
   */
  provider?: ProviderInfo;
}

/** A provider's API: what one APIExport publishes. */
export interface ApiDefinition<Resources extends readonly AnyResource[] = readonly AnyResource[]> {
  readonly name: string;
  readonly resources: Resources;
  readonly permissionClaims: readonly PermissionClaimDefinition[];
  readonly provider?: ProviderInfo;
}

/**
 * Defines a provider's API: the resources one APIExport publishes, the permission claims it asks
 * consumers for and, optionally, the provider's portal metadata. Make it the default export of the
 * module that `mesh-codegen generate` reads.
 *
 * @example
 * ```ts
 * export default defineApi({
 *   name: "widgets.example.io",
 *   resources: [Widget],
 *   permissionClaims: [{ group: "", resource: "secrets", verbs: ["get", "create", "update"] }],
 * });
 * ```
 */
export function defineApi<const Resources extends readonly AnyResource[]>(
  input: ApiInput<Resources>,
): ApiDefinition<Resources> {
  checkDnsSubdomain("API name", input.name);
  if (input.resources.length === 0) throw new Error(`API ${input.name}: list at least one resource`);
  const seen = new Map<string, string>();
  for (const r of input.resources) {
    if ("definedAs" in r)
      throw new Error(
        `API ${input.name}: list ${r.kind} itself in resources, not inVersion(${r.kind}, "${r.storageVersion}") (that view is for the runtime)`,
      );
    const key = `${r.plural}.${r.group}`;
    const kindKey = `${r.kind}.${r.group}`;
    if (seen.has(key) || seen.has(kindKey)) {
      throw new Error(`API ${input.name}: resource ${key} (kind ${r.kind}) is listed twice`);
    }
    seen.set(key, r.kind);
    seen.set(kindKey, r.kind);
  }
  for (const c of input.permissionClaims ?? []) {
    if (c.verbs.length === 0) {
      throw new Error(`API ${input.name}: permission claim for ${c.resource} needs at least one verb`);
    }
  }
  return Object.freeze({
    name: input.name,
    resources: input.resources,
    permissionClaims: Object.freeze([...(input.permissionClaims ?? [])]),
    ...(input.provider && { provider: input.provider }),
  });
}

/** Whether a value is an API made by {@link defineApi} (duck-typed: it may come from another copy of the SDK). */
export function isApiDefinition(value: unknown): value is ApiDefinition {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<ApiDefinition>;
  return typeof v.name === "string" && Array.isArray(v.resources) && Array.isArray(v.permissionClaims);
}
