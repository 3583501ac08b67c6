import { type ApiDefinition, type ConversionWebhookConfig, withConversionWebhook } from "@kcp-mesh/sdk/api";
import { breakingChanges } from "../lock/breaking-changes.js";
import { emptyLock, type LockFile, renderLock } from "../lock/lock-file.js";
import { lockedVersionFields, versionHistoryChanges } from "../lock/version-history.js";
import { GENERATED_HEADER, toYaml } from "../output/yaml.js";
import { CodegenError, type Problem, ProblemSink } from "../problems.js";
import { type ApiExportVersion, buildApiExport } from "./api-export.js";
import { buildBindGroupBinding, checkBindGroups } from "./bind-group.js";
import { buildContentConfiguration } from "./content-configuration.js";
import { withContentForLabel } from "./content-for.js";
import { checkProviderInfo } from "./marketplace-checks.js";
import { buildProviderMetadata } from "./provider-metadata.js";
import { buildBindRole, buildProviderRole } from "./rbac.js";
import { buildResourceSchema, type GeneratedResourceSchema } from "./resource-schema.js";

/** Options of {@link generate}. */
export interface GenerateOptions {
  /** `v1alpha2` (default) or `v1alpha1` for kcp older than 0.28. */
  apiExportVersion?: ApiExportVersion;
  /** The published history; breaking changes to its versions fail the run. Default: none yet. */
  lock?: LockFile;
  /** Accept breaking changes to published versions (only while no consumer depends on them). */
  allowBreaking?: boolean;
  /** Where the API came from, for the header of the files (keep it machine-independent). */
  source?: string;
  /**
   * Groups to bind the `<export>:bind` role to (`--bind-group`), such as `system:authenticated`:
   * everyone in them may bind the export (and read its Marketplace objects). Default: nobody.
   */
  bindGroups?: readonly string[];
  /**
   * Have kcp call this conversion webhook (`serveConversionWebhook`) for resources with
   * conversions: kcp v0.32 stores APIConversions but does not run them.
   */
  conversionWebhook?: ConversionWebhookConfig;
}

/** The generated files (file name → content) and the updated lock file. */
export interface GenerateResult {
  files: Record<string, string>;
  lock: LockFile;
  /** Warnings (errors throw). */
  warnings: Problem[];
  /** The objects, in apply order: schemas, export, roles (and the bind group's binding), provider metadata, content configuration. */
  objects: Record<string, unknown>[];
}

/**
 * Turns an API definition into the kcp objects that publish it: one APIResourceSchema per resource
 * (content-addressed names), the APIExport, the provider's and the consumers' ClusterRoles, and a
 * Platform Mesh ProviderMetadata when the API has provider info. Pure: it reads no files.
 *
 * @throws {CodegenError} with every problem found: constructs that have no Kubernetes form, schemas
 *   kcp would not keep whole, printer columns that point nowhere, breaking changes to locked versions.
 *
 * @example
 * ```ts
 * import api from "./widgets-api.js";
 * const { files, lock } = generate(api, { lock: previousLock });
 * ```
 */
export function generate(api: ApiDefinition, options: GenerateOptions = {}): GenerateResult {
  const sinks: ProblemSink[] = [];
  const schemas = api.resources.map((r) => {
    const s = buildResourceSchema(r, sinks);
    if (!options.conversionWebhook || !s.conversion) return s;
    const [object, conversion] = withConversionWebhook(
      [s.object, s.conversion],
      options.conversionWebhook,
    ) as [Record<string, unknown>, Record<string, unknown>];
    return { ...s, object, conversion, name: (object.metadata as { name: string }).name };
  });
  const sinkFor = (where: string) => {
    const sink = new ProblemSink(where);
    sinks.push(sink);
    return sink;
  };
  const lock = updateLock(
    options.lock ?? emptyLock(api.name),
    schemas,
    sinkFor,
    options.allowBreaking ?? false,
  );
  if (!options.conversionWebhook)
    for (const s of schemas.filter((x) => x.conversion))
      sinkFor(s.resource.kind).warn(
        "conversions",
        "kcp v0.32 stores the APIConversion but does not run it (it converts by rewriting apiVersion only), so run the SDK's serveConversionWebhook and switch the schema to it: bootstrapProvider({ conversionWebhook }) or generate --conversion-webhook-url",
      );
  if ((options.apiExportVersion ?? "v1alpha2") === "v1alpha1") {
    const sink = sinkFor(`API ${api.name}`);
    for (const [i, c] of api.permissionClaims.entries()) {
      if (c.verbs.includes("*")) continue;
      sink.warn(
        `permissionClaims[${i}]`,
        `APIExport v1alpha1 claims have no verbs: the claim on ${c.group || "core"}/${c.resource} asks consumers for every verb, not only ${c.verbs.join(", ")}; use the default --apiexport-version v1alpha2 (kcp 0.28 and later) to ask for these verbs only`,
      );
    }
  }
  if (api.provider) checkProviderInfo({ ...api, provider: api.provider }, sinkFor(`API ${api.name}`));
  checkBindGroups(options.bindGroups ?? [], sinkFor(`API ${api.name}`));
  const problems = sinks.flatMap((s) => s.problems);
  if (problems.some((p) => p.severity === "error")) throw new CodegenError(problems);

  const header = `${GENERATED_HEADER}${options.source ? ` from ${options.source}` : ""}. Do not edit: change the API and run mesh-codegen generate.`;
  const files: Record<string, string> = {};
  const objects: Record<string, unknown>[] = [];
  const put = (file: string, objs: Record<string, unknown>[]) => {
    files[file] = toYaml(objs, header);
    objects.push(...objs);
  };
  // The APIConversion goes next to its APIResourceSchema: same file, same name.
  for (const s of schemas)
    put(`apiresourceschema-${s.resource.plural}.${s.resource.group}.yaml`, [
      s.object,
      ...(s.conversion ? [s.conversion] : []),
    ]);
  const apiExport = buildApiExport(api, schemas, options.apiExportVersion ?? "v1alpha2");
  put("apiexport.yaml", [withContentForLabel(api, apiExport)]);
  put("rbac-provider.yaml", [buildProviderRole(api)]);
  const bindGroups = options.bindGroups ?? [];
  put("rbac-bind.yaml", [
    buildBindRole(api),
    ...(bindGroups.length ? [buildBindGroupBinding(api, bindGroups)] : []),
  ]);
  if (api.provider) {
    const withProvider = { ...api, provider: api.provider };
    put("providermetadata.yaml", [buildProviderMetadata(withProvider)]);
    const content = api.provider.contentConfiguration;
    if (content)
      put("contentconfiguration.yaml", [
        buildContentConfiguration({ ...api, provider: { ...api.provider, contentConfiguration: content } }),
      ]);
  }
  return { files, lock, warnings: problems, objects };
}

/** The lock file after this run; breaking changes to locked versions are reported to `sink`. */
function updateLock(
  previous: LockFile,
  schemas: GeneratedResourceSchema[],
  sinkFor: (where: string) => ProblemSink,
  allowBreaking: boolean,
): LockFile {
  const next: LockFile = { lockVersion: 1, api: previous.api, resources: {} };
  const report = (where: string, path: string, message: string) => {
    const sink = sinkFor(where);
    if (allowBreaking) sink.warn(path, `${message} (allowed by --allow-breaking)`);
    else sink.error(path, `${message}${fix}`);
  };
  const fix =
    "; put the change in a new version (such as v1alpha2) and keep the published one as it was, or pass --allow-breaking if no consumer has stored objects yet";
  for (const s of schemas) {
    const key = `${s.resource.plural}.${s.resource.group}`;
    const old = previous.resources[key];
    const kind = s.resource.kind;
    if (old && old.scope !== s.resource.scope)
      report(kind, "", `scope changed from ${old.scope} to ${s.resource.scope}`);
    for (const [version, schema] of Object.entries(old?.versions ?? {})) {
      const now = s.versionSchemas[version];
      if (!now) {
        report(kind, "", `version ${version} was published and is gone`);
        continue;
      }
      for (const c of breakingChanges(schema, now))
        report(`${kind} ${version}`, c.path, `breaking change: ${c.message}`);
    }
    for (const c of old ? versionHistoryChanges(old, s.resource) : []) {
      if (c.breaking) report(kind, "", `breaking change: ${c.message}`);
      else sinkFor(kind).warn("", c.message);
    }
    const published = [...(old?.published ?? [])];
    if (!published.includes(s.name)) published.push(s.name);
    next.resources[key] = {
      scope: s.resource.scope,
      published,
      versions: s.versionSchemas,
      ...lockedVersionFields(s.resource),
    };
  }
  for (const key of Object.keys(previous.resources)) {
    if (!next.resources[key])
      report(`API ${previous.api}`, "", `resource ${key} was published and is no longer in the API`);
  }
  return next;
}

/** The lock file's text for a result, for writing beside the files. */
export function lockText(result: GenerateResult): string {
  return renderLock(result.lock);
}
