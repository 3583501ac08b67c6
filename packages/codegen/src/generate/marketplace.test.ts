import { type ApiDefinition, defineApi, type ProviderInfo } from "@kcp-mesh/sdk/api";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { Widget } from "../../testdata/widgets-api.js";
import { CodegenError } from "../problems.js";
import { generate } from "./generate.js";

const CONTENT_FOR = "ui.platform-mesh.io/content-for";

const api = (provider: ProviderInfo): ApiDefinition =>
  defineApi({ name: "widgets.example.io", resources: [Widget], provider });

const full: ProviderInfo = {
  displayName: "Widgets",
  description: "Widgets on demand.",
  tags: ["widgets", "example"],
  contacts: [{ displayName: "Widgets team", email: "widgets@example.io", role: ["Maintainer", "Support"] }],
  documentation: [{ displayName: "Guide", url: "https://example.io/guide", main: true }],
  links: [{ displayName: "Source", url: "https://example.io/src" }],
  preferredSupportChannels: [{ displayName: "Chat", url: "https://chat.example.io" }],
  helpCenterData: [{ displayName: "FAQ", url: "https://example.io/faq" }],
  icon: { light: { url: "https://example.io/w.svg" }, dark: { data: "data:image/svg+xml;base64,PHN2Zy8+" } },
  serviceLevel: "best effort",
  contentConfiguration: {
    entity: "core_platform-mesh_io_account",
    remote: {
      url: "https://example.io/ui.json",
      contentType: "json",
      internalUrl: "http://ui.widgets.svc/ui.json",
    },
  },
};

const byKind = (objects: Record<string, unknown>[], kind: string) => objects.find((o) => o.kind === kind)!;
const labels = (o: Record<string, unknown>) => (o.metadata as { labels?: Record<string, string> }).labels;

/** The error lines of a generate that must fail. */
function problems(provider: ProviderInfo, bindGroups?: string[]): string[] {
  try {
    generate(api(provider), bindGroups ? { bindGroups } : {});
  } catch (err) {
    expect(err).toBeInstanceOf(CodegenError);
    return (err as CodegenError).message.split("\n");
  }
  throw new Error("generate accepted it");
}

describe("Marketplace objects", () => {
  it("writes ProviderMetadata with Platform Mesh's field names and labels it, the export and the content alike", () => {
    const { objects, files } = generate(api(full));
    const pm = byKind(objects, "ProviderMetadata");
    expect(pm).toEqual({
      apiVersion: "ui.platform-mesh.io/v1alpha1",
      kind: "ProviderMetadata",
      metadata: { name: "widgets.example.io", labels: { [CONTENT_FOR]: "widgets.example.io" } },
      spec: {
        displayName: "Widgets",
        description: "Widgets on demand.",
        tags: ["widgets", "example"],
        contacts: [
          { displayName: "Widgets team", email: "widgets@example.io", role: ["Maintainer", "Support"] },
        ],
        documentation: [{ displayName: "Guide", url: "https://example.io/guide", main: true }],
        links: [{ displayName: "Source", url: "https://example.io/src" }],
        preferredSupportChannels: [{ displayName: "Chat", url: "https://chat.example.io" }],
        helpCenterData: [{ displayName: "FAQ", url: "https://example.io/faq" }],
        icon: {
          light: { url: "https://example.io/w.svg" },
          dark: { data: "data:image/svg+xml;base64,PHN2Zy8+" },
        },
        serviceLevel: "best effort",
      },
    });
    expect(byKind(objects, "ContentConfiguration")).toEqual({
      apiVersion: "ui.platform-mesh.io/v1alpha1",
      kind: "ContentConfiguration",
      metadata: {
        name: "widgets.example.io-ui",
        labels: {
          "ui.platform-mesh.io/entity": "core_platform-mesh_io_account",
          [CONTENT_FOR]: "widgets.example.io",
        },
      },
      spec: {
        remoteConfiguration: {
          contentType: "json",
          url: "https://example.io/ui.json",
          internalUrl: "http://ui.widgets.svc/ui.json",
        },
      },
    });
    expect(labels(byKind(objects, "APIExport"))).toEqual({ [CONTENT_FOR]: "widgets.example.io" });
    expect(Object.keys(files)).toContain("contentconfiguration.yaml");
  });

  it("uses provider.name for the ProviderMetadata and every content-for label", () => {
    const { objects } = generate(api({ ...full, name: "widgets" }));
    for (const kind of ["ProviderMetadata", "APIExport", "ContentConfiguration"])
      expect(labels(byKind(objects, kind))?.[CONTENT_FOR], kind).toBe("widgets");
    expect((byKind(objects, "ProviderMetadata").metadata as { name: string }).name).toBe("widgets");
    expect((byKind(objects, "ContentConfiguration").metadata as { name: string }).name).toBe("widgets-ui");
    expect((byKind(objects, "APIExport").metadata as { name: string }).name).toBe("widgets.example.io");
  });

  it("writes inline content as a string the portal parses, readable as a YAML block", () => {
    const fragment = {
      name: "widgets",
      luigiConfigFragment: { data: { nodes: [{ pathSegment: "widgets" }] } },
    };
    const { objects, files } = generate(
      api({ displayName: "Widgets", contentConfiguration: { inline: { content: fragment } } }),
    );
    const inline = (
      byKind(objects, "ContentConfiguration").spec as { inlineConfiguration: { content: string } }
    ).inlineConfiguration;
    expect(inline).toEqual({ contentType: "json", content: JSON.stringify(fragment, null, 2) });
    expect(files["contentconfiguration.yaml"]).toContain("content: |-\n");
    expect(parse(files["contentconfiguration.yaml"]!).spec.inlineConfiguration.content).toBe(inline.content);
  });

  it("labels nothing and writes no ContentConfiguration without provider info", () => {
    const { objects, files } = generate(defineApi({ name: "widgets.example.io", resources: [Widget] }));
    expect(labels(byKind(objects, "APIExport"))).toBeUndefined();
    expect(Object.keys(files)).not.toContain("contentconfiguration.yaml");
  });
});

describe("--bind-group", () => {
  it("binds the bind role to the groups, and the role lets them find, read and bind the export only", () => {
    const { objects } = generate(api(full), { bindGroups: ["system:authenticated"] });
    const binding = objects.find((o) => o.kind === "ClusterRoleBinding")!;
    expect(binding).toEqual({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "widgets.example.io:bind" },
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: "widgets.example.io:bind",
      },
      subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "system:authenticated" }],
    });
    const role = objects.find(
      (o) => o.kind === "ClusterRole" && (o.metadata as { name: string }).name.endsWith(":bind"),
    )!;
    expect(role.rules).toEqual([
      {
        apiGroups: ["apis.kcp.io"],
        resources: ["apiexports"],
        resourceNames: ["widgets.example.io"],
        verbs: ["bind"],
      },
      { nonResourceURLs: ["/"], verbs: ["access"] },
      { apiGroups: ["apis.kcp.io"], resources: ["apiexports"], verbs: ["get", "list", "watch"] },
      {
        apiGroups: ["ui.platform-mesh.io"],
        resources: ["providermetadatas", "contentconfigurations"],
        verbs: ["get", "list", "watch"],
      },
    ]);
  });

  it("binds the role to nobody by default", () => {
    expect(generate(api(full)).objects.some((o) => o.kind === "ClusterRoleBinding")).toBe(false);
  });

  it("refuses empty and repeated groups", () => {
    expect(problems(full, ["system:authenticated", "system:authenticated", " "])).toEqual([
      'API widgets.example.io --bind-group[1]: "system:authenticated" is given twice',
      'API widgets.example.io --bind-group[2]: " " is not a group name such as system:authenticated',
    ]);
  });
});

describe("rejected Marketplace input", () => {
  it("a content-for label that points elsewhere", () => {
    const lines = problems({
      ...full,
      contentConfiguration: { ...full.contentConfiguration, labels: { [CONTENT_FOR]: "gadgets.example.io" } },
    });
    expect(lines).toEqual([
      `API widgets.example.io provider.contentConfiguration.labels["${CONTENT_FOR}"]: content-for label mismatch: "gadgets.example.io" is not the ProviderMetadata's name "widgets.example.io", so the Marketplace would not find this content with the provider; leave the label out (mesh-codegen sets it) or set provider.name`,
    ]);
  });

  it("URLs that are not absolute http(s)", () => {
    const lines = problems({
      ...full,
      documentation: [{ displayName: "Guide", url: "/guide" }],
      icon: { light: { url: "ftp://example.io/w.svg" }, dark: { url: "https://example.io/w.svg" } },
      contentConfiguration: { remote: { url: "example.io/ui.json", contentType: "json" } },
    });
    expect(lines).toEqual([
      'API widgets.example.io provider.documentation[0].url: "/guide" is not an absolute URL; write it as https://host/path',
      'API widgets.example.io provider.icon.light.url: "ftp://example.io/w.svg" has scheme ftp; the portal loads only https:// (or http://) URLs',
      'API widgets.example.io provider.contentConfiguration.remote.url: "example.io/ui.json" is not an absolute URL; write it as https://host/path',
    ]);
  });

  it("icons without exactly one of url and data, or with data that is no image data URL", () => {
    const lines = problems({
      ...full,
      icon: {
        light: { url: "https://example.io/a.svg", data: "data:image/png;base64,AA==" },
        dark: { data: "PHN2Zy8+" },
      },
    });
    expect(lines).toEqual([
      "API widgets.example.io provider.icon.light: give exactly one of url and data",
      'API widgets.example.io provider.icon.dark.data: must be a data URL of an image, such as "data:image/svg+xml;base64,PHN2Zy..."',
    ]);
  });

  it("what Platform Mesh's schema refuses: two main links, more than 20 links, a contact without a name", () => {
    const link = { displayName: "x", url: "https://example.io/x" };
    expect(
      problems({
        ...full,
        links: [
          { ...link, main: true },
          { ...link, main: true },
        ],
      }),
    ).toEqual([
      "API widgets.example.io provider.links: only one link may be marked as main (Platform Mesh's rule)",
    ]);
    expect(problems({ ...full, links: Array.from({ length: 21 }, () => link) })).toEqual([
      "API widgets.example.io provider.links: 21 links; Platform Mesh takes at most 20",
    ]);
    expect(problems({ ...full, contacts: [{ displayName: "", email: "nobody" }] })).toEqual([
      "API widgets.example.io provider.contacts[0].displayName: Platform Mesh requires a contact's displayName",
      'API widgets.example.io provider.contacts[0].email: "nobody" is not an email address',
    ]);
  });

  it("inline content that does not parse, and content with neither remote nor inline", () => {
    expect(
      problems({
        ...full,
        contentConfiguration: { inline: { contentType: "json", content: "{ nodes: [" } },
      })[0],
    ).toMatch(
      /^API widgets\.example\.io provider\.contentConfiguration\.inline\.content: does not parse as json: /,
    );
    expect(problems({ ...full, contentConfiguration: { entity: "core_platform-mesh_io_account" } })).toEqual([
      "API widgets.example.io provider.contentConfiguration: give remote (a URL the portal loads) or inline (the configuration itself)",
    ]);
  });

  it("a ProviderMetadata name too long for a label value, and an entity that is no label value", () => {
    expect(problems({ ...full, name: `${"a".repeat(64)}.io` })).toEqual([
      `API widgets.example.io provider.name: "${"a".repeat(64)}.io" is not a label value (it is the value of the ${CONTENT_FOR} label): at most 63 characters of letters, digits, "-", "_" and ".", starting and ending with a letter or digit`,
    ]);
    expect(
      problems({ ...full, contentConfiguration: { ...full.contentConfiguration, entity: "main account" } }),
    ).toEqual([
      'API widgets.example.io provider.contentConfiguration.entity: "main account" is not a label value (it is the value of the ui.platform-mesh.io/entity label): at most 63 characters of letters, digits, "-", "_" and ".", starting and ending with a letter or digit',
    ]);
  });
});
