import type { AnyResource, VersionDefinition } from "@kcp-mesh/sdk/api";
import { ProblemSink } from "../problems.js";
import type { JsonSchema } from "../schema/json-schema.js";
import { schemaName } from "./naming.js";
import { buildVersionSchema } from "./version-schema.js";

/** A generated APIResourceSchema, with the per-version schemas the lock file compares. */
export interface GeneratedResourceSchema {
  resource: AnyResource;
  name: string;
  object: Record<string, unknown>;
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
        subresources: { status: {} },
        ...(def.printerColumns?.length && {
          additionalPrinterColumns: def.printerColumns.map(printerColumn),
        }),
      };
    },
  );
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
    versions,
    // Several versions share one storage; with strategy None kcp only rewrites apiVersion.
    ...(versions.length > 1 && { conversion: { strategy: "None" } }),
  };
  const name = schemaName(spec, resource.storageVersion);
  return {
    resource,
    name,
    versionSchemas,
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
