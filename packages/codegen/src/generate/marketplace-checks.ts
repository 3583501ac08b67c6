import type { ApiDefinition, MarketplaceImage, MarketplaceLink, ProviderInfo } from "@kcp-mesh/sdk/api";
import { parse as parseYaml } from "yaml";
import type { ProblemSink } from "../problems.js";
import { inlineContent } from "./content-configuration.js";
import { CONTENT_FOR_LABEL, ENTITY_LABEL, providerMetadataName } from "./content-for.js";

// Kubernetes' rules for names and labels (apimachinery validation.IsDNS1123Subdomain,
// IsQualifiedName, IsValidLabelValue): kcp would refuse the objects otherwise, so say it here, by field.
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATA_IMAGE = /^data:image\/[a-z0-9.+-]+(;[a-z0-9=-]+)*(;base64)?,.+/i;
// Platform Mesh's ProviderMetadata schema: `links` has maxItems 20 and a CEL rule "only one link may
// be marked as main".
const MAX_LINKS = 20;

function checkName(sink: ProblemSink, path: string, value: string): void {
  if (value.length > 253 || !DNS_SUBDOMAIN.test(value))
    sink.error(path, `"${value}" must be a lowercase DNS subdomain such as "widgets.example.io"`);
}

function checkLabelValue(sink: ProblemSink, path: string, value: string, why: string): void {
  if (value.length > 63 || !LABEL_VALUE.test(value))
    sink.error(
      path,
      `"${value}" is not a label value (${why}): at most 63 characters of letters, digits, "-", "_" and ".", starting and ending with a letter or digit`,
    );
}

function checkLabelKey(sink: ProblemSink, path: string, key: string): void {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (
    name.length > 63 ||
    !LABEL_NAME.test(name) ||
    (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
  )
    sink.error(path, `"${key}" is not a label key such as "example.io/team"`);
}

/** Empty when `value` is an absolute http(s) URL, else why not. */
function urlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not an absolute URL; write it as https://host/path`;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return `"${value}" has scheme ${url.protocol.replace(/:$/, "")}; the portal loads only https:// (or http://) URLs`;
  return undefined;
}

function checkUrl(sink: ProblemSink, path: string, value: string): void {
  const problem = urlProblem(value);
  if (problem) sink.error(path, problem);
}

function checkLinks(sink: ProblemSink, field: string, list: readonly MarketplaceLink[] | undefined): void {
  for (const [i, l] of (list ?? []).entries()) {
    if (!l.displayName?.trim())
      sink.error(`${field}[${i}].displayName`, "give the link a name the Marketplace shows");
    checkUrl(sink, `${field}[${i}].url`, l.url);
  }
}

function checkImage(sink: ProblemSink, path: string, image: MarketplaceImage | undefined): void {
  if (!image) {
    sink.error(
      path,
      "Platform Mesh requires both icon.light and icon.dark; give the same image twice if you have one",
    );
    return;
  }
  if ((image.url === undefined) === (image.data === undefined)) {
    sink.error(path, "give exactly one of url and data");
    return;
  }
  if (image.url !== undefined) checkUrl(sink, `${path}.url`, image.url);
  if (image.data !== undefined && !DATA_IMAGE.test(image.data))
    sink.error(
      `${path}.data`,
      `must be a data URL of an image, such as "data:image/svg+xml;base64,PHN2Zy..."`,
    );
}

/**
 * Every problem with an API's Marketplace information, reported to `sink` by field (`provider.icon.dark.url`,
 * `provider.contentConfiguration.labels[...]`): names and label values Kubernetes would refuse, URLs
 * that are not absolute http(s), icons without exactly one of url and data, links Platform Mesh's
 * schema refuses, inline content that does not parse, and a `content-for` label that would point the
 * Marketplace somewhere else.
 */
export function checkProviderInfo(api: ApiDefinition & { provider: ProviderInfo }, sink: ProblemSink): void {
  const p = api.provider;
  const name = providerMetadataName(api);
  if (p.name !== undefined) checkName(sink, "provider.name", p.name);
  checkLabelValue(
    sink,
    p.name !== undefined ? "provider.name" : "name",
    name,
    `it is the value of the ${CONTENT_FOR_LABEL} label${p.name === undefined ? "; set provider.name to a shorter name" : ""}`,
  );
  if (!p.displayName?.trim()) sink.error("provider.displayName", "the Marketplace needs a display name");
  for (const [i, tag] of (p.tags ?? []).entries()) {
    if (!tag.trim()) sink.error(`provider.tags[${i}]`, "a tag cannot be empty");
    else if ((p.tags ?? []).indexOf(tag) !== i) sink.error(`provider.tags[${i}]`, `"${tag}" is listed twice`);
  }
  for (const [i, c] of (p.contacts ?? []).entries()) {
    const at = `provider.contacts[${i}]`;
    if (!c.displayName?.trim())
      sink.error(`${at}.displayName`, "Platform Mesh requires a contact's displayName");
    if (c.email !== undefined && !EMAIL.test(c.email))
      sink.error(`${at}.email`, `"${c.email}" is not an email address`);
    for (const [j, r] of (c.role ?? []).entries())
      if (!r.trim()) sink.error(`${at}.role[${j}]`, "a role cannot be empty");
  }
  checkLinks(sink, "provider.documentation", p.documentation);
  checkLinks(sink, "provider.links", p.links);
  checkLinks(sink, "provider.preferredSupportChannels", p.preferredSupportChannels);
  checkLinks(sink, "provider.helpCenterData", p.helpCenterData);
  if ((p.links?.length ?? 0) > MAX_LINKS)
    sink.error("provider.links", `${p.links!.length} links; Platform Mesh takes at most ${MAX_LINKS}`);
  if ((p.links ?? []).filter((l) => l.main).length > 1)
    sink.error("provider.links", "only one link may be marked as main (Platform Mesh's rule)");
  if (p.icon) {
    checkImage(sink, "provider.icon.light", p.icon.light);
    checkImage(sink, "provider.icon.dark", p.icon.dark);
  }

  const c = p.contentConfiguration;
  if (!c) return;
  const at = "provider.contentConfiguration";
  if (c.name !== undefined) checkName(sink, `${at}.name`, c.name);
  if (!c.remote && !c.inline)
    sink.error(at, "give remote (a URL the portal loads) or inline (the configuration itself)");
  if (c.remote) {
    checkUrl(sink, `${at}.remote.url`, c.remote.url);
    if (c.remote.internalUrl !== undefined) checkUrl(sink, `${at}.remote.internalUrl`, c.remote.internalUrl);
    if (c.remote.contentType !== "json" && c.remote.contentType !== "yaml")
      sink.error(`${at}.remote.contentType`, `must be json or yaml, not ${String(c.remote.contentType)}`);
  }
  if (c.inline) {
    const { contentType, content } = inlineContent(c.inline);
    if (contentType !== "json" && contentType !== "yaml")
      sink.error(`${at}.inline.contentType`, `must be json or yaml, not ${String(contentType)}`);
    else {
      try {
        const parsed: unknown = contentType === "json" ? JSON.parse(content) : parseYaml(content);
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
          sink.error(
            `${at}.inline.content`,
            `must be a ${contentType} object (the portal reads luigiConfigFragment from it)`,
          );
      } catch (err) {
        sink.error(
          `${at}.inline.content`,
          `does not parse as ${contentType}: ${(err as Error).message.split("\n")[0]}`,
        );
      }
    }
  }
  if (c.entity !== undefined)
    checkLabelValue(sink, `${at}.entity`, c.entity, `it is the value of the ${ENTITY_LABEL} label`);
  for (const [key, value] of Object.entries(c.labels ?? {})) {
    const path = `${at}.labels[${JSON.stringify(key)}]`;
    checkLabelKey(sink, path, key);
    checkLabelValue(sink, path, value, "a label value");
    if (key === CONTENT_FOR_LABEL && value !== name)
      sink.error(
        path,
        `content-for label mismatch: "${value}" is not the ProviderMetadata's name "${name}", so the Marketplace would not find this content with the provider; leave the label out (mesh-codegen sets it) or set provider.name`,
      );
    if (key === ENTITY_LABEL && c.entity !== undefined && value !== c.entity)
      sink.error(
        path,
        `says entity "${value}" but contentConfiguration.entity says "${c.entity}"; give it once, as entity`,
      );
  }
}
