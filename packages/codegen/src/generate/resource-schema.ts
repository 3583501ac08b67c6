import type { AnyResource, PrinterColumn, VersionDefinition } from "@kcp-mesh/sdk/api";
import { ProblemSink } from "../problems.js";
import type { JsonSchema } from "../schema/json-schema.js";
import { buildApiConversion, checkConversions } from "./conversion.js";
import { schemaName } from "./naming.js";
import { versionDifferences } from "./version-differences.js";
import { buildVersionSchema } from "./version-schema.js";

/** A generated APIResourceSchema, with the per-version schemas the lock file compares. */
export interface GeneratedResourceSchema {
  resource: AnyResource;
  name: string;
  object: Record<string, unknown>;
  /** kcp's APIConversion of the declared conversions, named like the schema; none without conversions. */
  conversion?: Record<string, unknown>;
  versionSchemas: Record<string, JsonSchema>;
}

/** Builds the APIResourceSchema of one resource; problems are reported per version. */
export function buildResourceSchema(resource: AnyResource, sinks: ProblemSink[]): GeneratedResourceSchema {
  const versionSchemas: Record<string, JsonSchema> = {};
  const versions = Object.entries(resource.versions as Record<string, VersionDefinition>).map(
    ([name, def]) => {
      const sink = new ProblemSink(`${resource.kind} ${name}`);
      sinks.push(sink);
      const schema = buildVersionSchema(def, sink);
      versionSchemas[name] = schema;
      return {
        name,
        served: def.served ?? true,
        storage: name === resource.storageVersion,
        ...(def.deprecated && { deprecated: true }),
        ...(def.deprecationWarning && { deprecationWarning: def.deprecationWarning }),
        schema,
        // Always: the runtime writes its Ready condition through /status, also for APIs without a status of their own.
        subresources: { status: {}, ...(def.scale && { scale: scaleOf(def.scale) }) },
        ...(def.printerColumns?.length && {
          additionalPrinterColumns: withAge(def.printerColumns).map(printerColumn),
        }),
      };
    },
  );
  checkServedVersionsAgree(resource, versionSchemas, sinks);
  checkConversions(resource, versionSchemas, sinks);
  const spec = {
    group: resource.group,
    names: {
      kind: resource.kind,
      listKind: resource.listKind,
      plural: resource.plural,
      singular: resource.singular,
      ...(resource.shortNames.length > 0 && { shortNames: [...resource.shortNames] }),
      ...(resource.categories.length > 0 && { categories: [...resource.categories] }),
    },
    scope: resource.scope,
    ...(resource.nameValidation && { nameValidation: resource.nameValidation }),
    versions,
    // Several versions share one storage; with strategy None kcp only rewrites apiVersion.
    ...(versions.length > 1 && { conversion: { strategy: "None" } }),
  };
  // The rules are part of the name too: a changed rule gives a new schema and APIConversion pair.
  const conversions = resource.conversions ?? [];
  const hashed: typeof spec = conversions.length > 0 ? Object.assign({ conversions }, spec) : spec;
  const name = schemaName(hashed, resource.storageVersion);
  const conversion = buildApiConversion(resource, name);
  return {
    resource,
    name,
    versionSchemas,
    ...(conversion && { conversion }),
    object: { apiVersion: "apis.kcp.io/v1alpha1", kind: "APIResourceSchema", metadata: { name }, spec },
  };
}

function printerColumn(c: NonNullable<VersionDefinition["printerColumns"]>[number]): Record<string, unknown> {
  return {
    name: c.name,
    type: c.type,
    jsonPath: c.jsonPath,
    ...(c.description && { description: c.description }),
    ...(c.format && { format: c.format }),
    ...(c.priority !== undefined && { priority: c.priority }),
  };
}

/**
 * Served versions must have the same schema as the storage version: mesh-codegen writes conversion
 * strategy None, with which kcp only rewrites apiVersion, so whatever one version has and the other
 * lacks is lost (pruned) or invalid when an object written in one is read or updated in the other.
 */
function checkServedVersionsAgree(
  resource: AnyResource,
  schemas: Record<string, JsonSchema>,
  sinks: ProblemSink[],
): void {
  const storage = resource.storageVersion as string;
  const versions = resource.versions as Record<string, VersionDefinition>;
  for (const [name, def] of Object.entries(versions)) {
    if (name === storage || def.served === false) continue;
    const declared = (from: string, to: string) =>
      (resource.conversions ?? []).some((c) => c.from === from && c.to === to);
    // With conversions declared, checkConversions judges the pair; with one way only, it names what is lost.
    if (declared(name, storage) || declared(storage, name)) continue;
    const sink = new ProblemSink(`${resource.kind} ${name}`);
    sinks.push(sink);
    const fix = `; kcp converts between versions without conversion rules (strategy None: only apiVersion changes), so give ${name} the same spec and status schemas as ${storage}, or declare conversions["${storage}->${name}"] and conversions["${name}->${storage}"] on the resource, or stop serving it (served: false)`;
    for (const d of versionDifferences(schemas[name]!, schemas[storage]!)) {
      const message =
        d.kind === "only-a"
          ? `exists only in ${name}: an object written as ${name} and updated as ${storage} loses it`
          : d.kind === "only-b"
            ? `exists only in ${storage} (the storage version): an object written as ${storage} and updated as ${name} loses it`
            : `is checked differently in ${name} and ${storage}: objects valid in one are invalid in the other`;
      sink.error(d.path, `${message}${fix}`);
    }
  }
}

/**
 * The columns with an `Age` column at the end unless one shows `.metadata.creationTimestamp`
 * already: without columns kubectl shows Age, with columns only what they list.
 */
export function withAge(columns: readonly PrinterColumn[]): PrinterColumn[] {
  const hasAge = columns.some((c) => c.jsonPath === ".metadata.creationTimestamp" || c.name === "Age");
  return hasAge
    ? [...columns]
    : [...columns, { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" }];
}

function scaleOf(scale: NonNullable<VersionDefinition["scale"]>): Record<string, string> {
  return {
    specReplicasPath: scale.specReplicasPath,
    statusReplicasPath: scale.statusReplicasPath,
    ...(scale.labelSelectorPath && { labelSelectorPath: scale.labelSelectorPath }),
  };
}
