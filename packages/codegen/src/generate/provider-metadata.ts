import type { ApiDefinition, ProviderInfo } from "@kcp-mesh/sdk/api";

/** The Platform Mesh `ProviderMetadata` (named after the export) that lists the provider in the portal. */
export function buildProviderMetadata(
  api: ApiDefinition & { provider: ProviderInfo },
): Record<string, unknown> {
  const p = api.provider;
  return {
    apiVersion: "ui.platform-mesh.io/v1alpha1",
    kind: "ProviderMetadata",
    metadata: { name: api.name },
    spec: {
      displayName: p.displayName,
      ...(p.description && { description: p.description }),
      ...(p.contacts?.length && {
        contacts: p.contacts.map((c) => ({
          displayName: c.displayName,
          ...(c.email && { email: c.email }),
          ...(c.role && { role: [...c.role] }),
        })),
      }),
      ...(p.preferredSupportChannels?.length && {
        preferredSupportChannels: p.preferredSupportChannels.map((c) => ({
          displayName: c.displayName,
          url: c.url,
        })),
      }),
      ...(p.icon && { icon: p.icon }),
    },
  };
}
