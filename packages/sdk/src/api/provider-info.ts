// What a provider tells the Platform Mesh Marketplace and portal about itself. The field names are
// those of Platform Mesh's published resources (ui.platform-mesh.io/v1alpha1 ProviderMetadata and
// ContentConfiguration), so that what `mesh-codegen` writes is the same shape users read about there.

/** A link the Marketplace shows (documentation, support channel, help center, other links). */
export interface MarketplaceLink {
  displayName: string;
  /** An absolute `https://` (or `http://`) URL. */
  url: string;
  /** The one link of its list the portal shows first. At most one link of `links` may be main. */
  main?: boolean;
}

/** Someone to contact about the provider, with their roles (`["Maintainer"]`, `["Support"]`). */
export interface MarketplaceContact {
  displayName: string;
  email?: string;
  role?: readonly string[];
}

/** An image by URL, or inline as a data URL (`data:image/svg+xml;base64,...`); exactly one of the two. */
export interface MarketplaceImage {
  url?: string;
  data?: string;
}

/** The provider's icon for the portal's light and dark themes (Platform Mesh requires both). */
export interface ProviderIcon {
  light: MarketplaceImage;
  dark: MarketplaceImage;
}

/**
 * Where the portal loads the provider's UI configuration from (a Platform Mesh `ContentConfiguration`):
 * a URL the portal fetches (`remote`), the configuration itself (`inline`), or both.
 */
export interface PortalContent {
  /** The ContentConfiguration's name; default `<ProviderMetadata name>-ui`. */
  name?: string;
  /**
   * The portal entity the content belongs to, the `ui.platform-mesh.io/entity` label, such as
   * `core_platform-mesh_io_account` (the account view). Left out: no entity label.
   */
  entity?: string;
  /** Further labels. `ui.platform-mesh.io/content-for` is set by `mesh-codegen`; a different value is an error. */
  labels?: Readonly<Record<string, string>>;
  /** The configuration at a URL the portal fetches. */
  remote?: {
    url: string;
    contentType: "json" | "yaml";
    /** A URL the portal's backend uses instead, from inside the cluster. */
    internalUrl?: string;
  };
  /**
   * The configuration inline: a string in `contentType`, or an object (written as JSON). Either is
   * checked to parse.
   */
  inline?:
    | { contentType: "json" | "yaml"; content: string }
    | { content: Readonly<Record<string, unknown>>; contentType?: "json" };
}

/**
 * Provider information for the Platform Mesh Marketplace (`ProviderMetadata`) and portal
 * (`ContentConfiguration`). `mesh-codegen` labels both and the APIExport with
 * `ui.platform-mesh.io/content-for: <ProviderMetadata name>`, which is how the Marketplace finds
 * them together.
 *
 * @example
 * ```ts
 * const provider: ProviderInfo = {
 *   displayName: "Widgets",
 *   description: "Widgets on demand.",
 *   tags: ["widgets"],
 *   contacts: [{ displayName: "Widgets team", email: "widgets@example.io", role: ["Maintainer"] }],
 *   documentation: [{ displayName: "Guide", url: "https://example.io/widgets", main: true }],
 *   icon: { light: { url: "https://example.io/w.svg" }, dark: { url: "https://example.io/w-dark.svg" } },
 *   contentConfiguration: { entity: "core_platform-mesh_io_account", remote: { url: "https://example.io/ui.json", contentType: "json" } },
 * };
 * ```
 */
export interface ProviderInfo {
  /**
   * The ProviderMetadata's name and the value of every `content-for` label; default the APIExport's
   * name (as Platform Mesh's quickstart does). At most 63 characters, as it is a label value.
   */
  name?: string;
  displayName: string;
  description?: string;
  tags?: readonly string[];
  contacts?: readonly MarketplaceContact[];
  documentation?: readonly MarketplaceLink[];
  /** Provider-owned links; at most 20, at most one of them `main`. */
  links?: readonly MarketplaceLink[];
  preferredSupportChannels?: readonly MarketplaceLink[];
  helpCenterData?: readonly MarketplaceLink[];
  icon?: ProviderIcon;
  /** A free-text service level the Marketplace shows, such as `best effort`. */
  serviceLevel?: string;
  /** Anything else to store with the metadata (`spec.data`). */
  data?: Readonly<Record<string, unknown>>;
  /** The portal integration: when present, `mesh-codegen` also writes a `ContentConfiguration`. */
  contentConfiguration?: PortalContent;
}
