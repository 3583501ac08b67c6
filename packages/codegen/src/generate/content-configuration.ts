import type { ApiDefinition, PortalContent, ProviderInfo } from "@kcp-mesh/sdk/api";
import {
  CONTENT_FOR_LABEL,
  contentConfigurationName,
  ENTITY_LABEL,
  providerMetadataName,
} from "./content-for.js";

/** The inline configuration as Platform Mesh stores it: a string and its content type. */
export function inlineContent(inline: NonNullable<PortalContent["inline"]>): {
  contentType: "json" | "yaml";
  content: string;
} {
  if (typeof inline.content === "string")
    return { contentType: inline.contentType ?? "json", content: inline.content };
  return { contentType: "json", content: JSON.stringify(inline.content, null, 2) };
}

/**
 * The Platform Mesh `ContentConfiguration` (ui.platform-mesh.io/v1alpha1) that plugs the provider's
 * UI into the portal: labelled `ui.platform-mesh.io/content-for: <ProviderMetadata name>` (and
 * `ui.platform-mesh.io/entity` when given), with `spec.remoteConfiguration` and/or
 * `spec.inlineConfiguration` as Platform Mesh's published schema has them. Check the input first
 * with {@link checkProviderInfo}.
 */
export function buildContentConfiguration(
  api: ApiDefinition & { provider: ProviderInfo & { contentConfiguration: PortalContent } },
): Record<string, unknown> {
  const c = api.provider.contentConfiguration;
  const spec: Record<string, unknown> = {};
  if (c.remote)
    spec.remoteConfiguration = {
      contentType: c.remote.contentType,
      url: c.remote.url,
      ...(c.remote.internalUrl && { internalUrl: c.remote.internalUrl }),
    };
  if (c.inline) spec.inlineConfiguration = inlineContent(c.inline);
  return {
    apiVersion: "ui.platform-mesh.io/v1alpha1",
    kind: "ContentConfiguration",
    metadata: {
      name: contentConfigurationName(api),
      labels: {
        ...c.labels,
        ...(c.entity && { [ENTITY_LABEL]: c.entity }),
        [CONTENT_FOR_LABEL]: providerMetadataName(api),
      },
    },
    spec,
  };
}
