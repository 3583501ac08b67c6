import type { ApiDefinition, MarketplaceLink, ProviderInfo } from "@kcp-mesh/sdk/api";
import { CONTENT_FOR_LABEL, providerMetadataName } from "./content-for.js";

const links = (list: readonly MarketplaceLink[] | undefined) =>
  list?.length
    ? list.map((l) => ({
        displayName: l.displayName,
        url: l.url,
        ...(l.main !== undefined && { main: l.main }),
      }))
    : undefined;

/**
 * The Platform Mesh `ProviderMetadata` (ui.platform-mesh.io/v1alpha1) the Marketplace shows for the
 * provider, labelled `ui.platform-mesh.io/content-for: <its own name>`. Field names and shapes are
 * those of Platform Mesh's published schema (`spec.displayName`, `contacts[].role`,
 * `icon.light.url|data`, `documentation[].main`, ...). Check the input first with
 * {@link checkProviderInfo}.
 */
export function buildProviderMetadata(
  api: ApiDefinition & { provider: ProviderInfo },
): Record<string, unknown> {
  const p = api.provider;
  const name = providerMetadataName(api);
  const spec: Record<string, unknown> = { displayName: p.displayName };
  if (p.description) spec.description = p.description;
  if (p.tags?.length) spec.tags = [...p.tags];
  if (p.contacts?.length)
    spec.contacts = p.contacts.map((c) => ({
      displayName: c.displayName,
      ...(c.email && { email: c.email }),
      ...(c.role?.length && { role: [...c.role] }),
    }));
  const optional = {
    documentation: links(p.documentation),
    links: links(p.links),
    preferredSupportChannels: links(p.preferredSupportChannels),
    helpCenterData: links(p.helpCenterData),
  };
  for (const [key, value] of Object.entries(optional)) if (value) spec[key] = value;
  if (p.icon) {
    const image = (i: { url?: string; data?: string }) => ({
      ...(i.url && { url: i.url }),
      ...(i.data && { data: i.data }),
    });
    spec.icon = { light: image(p.icon.light), dark: image(p.icon.dark) };
  }
  if (p.serviceLevel) spec.serviceLevel = p.serviceLevel;
  if (p.data) spec.data = p.data;
  return {
    apiVersion: "ui.platform-mesh.io/v1alpha1",
    kind: "ProviderMetadata",
    metadata: { name, labels: { [CONTENT_FOR_LABEL]: name } },
    spec,
  };
}
