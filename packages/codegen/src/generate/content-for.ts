import type { ApiDefinition, ProviderInfo } from "@kcp-mesh/sdk/api";

/**
 * The label by which the Platform Mesh Marketplace ties a provider's `ProviderMetadata`, `APIExport`
 * and `ContentConfiguration` together; its value is the ProviderMetadata's name.
 */
export const CONTENT_FOR_LABEL = "ui.platform-mesh.io/content-for";

/** The label that says which portal entity a `ContentConfiguration` belongs to. */
export const ENTITY_LABEL = "ui.platform-mesh.io/entity";

/** The ProviderMetadata's name: `provider.name`, else the export's name. */
export function providerMetadataName(api: ApiDefinition & { provider: ProviderInfo }): string {
  return api.provider.name ?? api.name;
}

/** The ContentConfiguration's name: `contentConfiguration.name`, else `<ProviderMetadata name>-ui`. */
export function contentConfigurationName(api: ApiDefinition & { provider: ProviderInfo }): string {
  return api.provider.contentConfiguration?.name ?? `${providerMetadataName(api)}-ui`;
}

/**
 * The object with `ui.platform-mesh.io/content-for` added to its labels when the API has provider
 * info (the APIExport needs it for the Marketplace to list the provider); unchanged otherwise.
 */
export function withContentForLabel(
  api: ApiDefinition,
  object: Record<string, unknown>,
): Record<string, unknown> {
  if (!api.provider) return object;
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const labels = (metadata.labels ?? {}) as Record<string, string>;
  return {
    ...object,
    metadata: {
      ...metadata,
      labels: { ...labels, [CONTENT_FOR_LABEL]: providerMetadataName({ ...api, provider: api.provider }) },
    },
  };
}
