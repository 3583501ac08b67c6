import type { ApiDefinition } from "@kcp-mesh/sdk/api";
import type { GeneratedResourceSchema } from "./resource-schema.js";

/** The APIExport version to write: v1alpha2 (kcp ≥ 0.28's storage version) or v1alpha1 for older kcp. */
export type ApiExportVersion = "v1alpha2" | "v1alpha1";

/** The APIExport that publishes the API's resources through their current schemas. */
export function buildApiExport(
  api: ApiDefinition,
  schemas: GeneratedResourceSchema[],
  version: ApiExportVersion,
): Record<string, unknown> {
  const metadata = { name: api.name };
  if (version === "v1alpha1") {
    return {
      apiVersion: "apis.kcp.io/v1alpha1",
      kind: "APIExport",
      metadata,
      spec: {
        latestResourceSchemas: schemas.map((s) => s.name),
        ...(api.permissionClaims.length > 0 && {
          // v1alpha1 claims have no verbs: a claim covers all of them.
          permissionClaims: api.permissionClaims.map((c) => ({
            group: c.group,
            resource: c.resource,
            ...(c.identityHash && { identityHash: c.identityHash }),
            all: true,
          })),
        }),
      },
    };
  }
  return {
    apiVersion: "apis.kcp.io/v1alpha2",
    kind: "APIExport",
    metadata,
    spec: {
      resources: schemas.map((s) => ({
        group: s.resource.group,
        name: s.resource.plural,
        schema: s.name,
        storage: { crd: {} },
      })),
      ...(api.permissionClaims.length > 0 && {
        permissionClaims: api.permissionClaims.map((c) => ({
          group: c.group,
          resource: c.resource,
          ...(c.identityHash && { identityHash: c.identityHash }),
          verbs: [...c.verbs],
        })),
      }),
    },
  };
}
