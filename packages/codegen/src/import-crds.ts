import { readFileSync } from "node:fs";
import type { ApiDefinition } from "@kcp-mesh/sdk/api";
import type { ApiExportVersion } from "./generate/api-export.js";
import { schemaName } from "./generate/naming.js";
import { buildBindRole, buildProviderRole } from "./generate/rbac.js";
import { lintDocument } from "./lint-files.js";
import { GENERATED_HEADER, parseYamlDocuments, toYaml } from "./output/yaml.js";
import { CodegenError, type Problem, ProblemSink } from "./problems.js";
import type { JsonSchema } from "./schema/json-schema.js";

interface CrdVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: JsonSchema };
  subresources?: Record<string, unknown>;
  additionalPrinterColumns?: Record<string, unknown>[];
  selectableFields?: unknown[];
}

interface Crd {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string };
  spec?: {
    group: string;
    names: Record<string, unknown> & { plural: string };
    scope: string;
    versions: CrdVersion[];
    conversion?: { strategy?: string; webhook?: unknown };
    preserveUnknownFields?: boolean;
  };
}

/** The files `import` writes (name → content), the objects, and warnings. */
export interface ImportResult {
  files: Record<string, string>;
  objects: Record<string, unknown>[];
  warnings: Problem[];
}

/**
 * Turns CustomResourceDefinitions into what a kcp provider publishes (what kcp's apigen does): one
 * APIResourceSchema per CRD, content-addressed like `generate`'s, an APIExport of them all, and the
 * provider's and consumers' ClusterRoles. Each schema goes through the same lint as `lint`; errors
 * throw a {@link CodegenError}, things kcp cannot keep (selectableFields) are warnings.
 */
export function importCrds(
  paths: string[],
  options: { exportName?: string; apiExportVersion?: ApiExportVersion } = {},
): ImportResult {
  const problems: Problem[] = [];
  const schemas: { group: string; plural: string; name: string; object: Record<string, unknown> }[] = [];
  for (const file of paths) {
    const docs = parseYamlDocuments(readFileSync(file, "utf8"), file) as Crd[];
    for (const crd of docs) {
      if (crd.kind !== "CustomResourceDefinition" || !crd.apiVersion?.startsWith("apiextensions.k8s.io/"))
        continue;
      const where = `${file}: CustomResourceDefinition ${crd.metadata?.name ?? "(no name)"}`;
      const sink = new ProblemSink(where);
      const crdLint = lintDocument(crd as Parameters<typeof lintDocument>[0], file) ?? [];
      problems.push(...crdLint.flatMap((s) => s.problems));
      if (crdLint.some((s) => s.hasErrors) || !crd.spec) continue;
      const spec = crd.spec;
      if (spec.preserveUnknownFields === true)
        sink.error(
          "spec.preserveUnknownFields",
          "APIResourceSchemas have no preserveUnknownFields: set x-kubernetes-preserve-unknown-fields on the schema nodes that need it",
        );
      const versions = spec.versions.map((v, i) => {
        if (v.selectableFields?.length)
          sink.warn(
            `spec.versions[${i}].selectableFields`,
            "kcp's APIResourceSchema (v0.32) has no selectableFields, so they are dropped: field selectors on these fields will not work",
          );
        return {
          name: v.name,
          served: v.served ?? true,
          storage: v.storage ?? false,
          ...(v.deprecated && { deprecated: true }),
          ...(v.deprecationWarning && { deprecationWarning: v.deprecationWarning }),
          schema: v.schema?.openAPIV3Schema ?? {},
          ...(v.subresources && { subresources: v.subresources }),
          ...(v.additionalPrinterColumns?.length && { additionalPrinterColumns: v.additionalPrinterColumns }),
        };
      });
      const storage = versions.find((v) => v.storage)?.name ?? versions[0]?.name ?? "v1";
      const arsSpec = {
        group: spec.group,
        names: spec.names,
        scope: spec.scope,
        versions,
        ...(spec.conversion
          ? { conversion: spec.conversion }
          : versions.length > 1 && { conversion: { strategy: "None" } }),
      };
      const name = schemaName(arsSpec, storage);
      const object = {
        apiVersion: "apis.kcp.io/v1alpha1",
        kind: "APIResourceSchema",
        metadata: { name },
        spec: arsSpec,
      };
      const arsLint = lintDocument(object as Parameters<typeof lintDocument>[0], file) ?? [];
      // The CRD was linted already; only what the APIResourceSchema adds is new here.
      problems.push(...arsLint.flatMap((s) => s.problems).filter((p) => p.path === "metadata.name"));
      problems.push(...sink.problems);
      schemas.push({ group: spec.group, plural: spec.names.plural, name, object });
    }
  }
  if (problems.some((p) => p.severity === "error")) throw new CodegenError(problems);
  if (schemas.length === 0) throw new Error(`no CustomResourceDefinition found in ${paths.join(", ")}`);
  const exportName = options.exportName ?? schemas[0]!.group;
  const api = { name: exportName, resources: [], permissionClaims: [] } as unknown as ApiDefinition;
  const exp =
    (options.apiExportVersion ?? "v1alpha2") === "v1alpha1"
      ? {
          apiVersion: "apis.kcp.io/v1alpha1",
          kind: "APIExport",
          metadata: { name: exportName },
          spec: { latestResourceSchemas: schemas.map((s) => s.name) },
        }
      : {
          apiVersion: "apis.kcp.io/v1alpha2",
          kind: "APIExport",
          metadata: { name: exportName },
          spec: {
            resources: schemas.map((s) => ({
              group: s.group,
              name: s.plural,
              schema: s.name,
              storage: { crd: {} },
            })),
          },
        };
  const header = `${GENERATED_HEADER} import from ${paths.join(", ")}. Do not edit: change the CRDs and run mesh-codegen import.`;
  const files: Record<string, string> = {};
  const objects: Record<string, unknown>[] = [];
  const put = (file: string, objs: Record<string, unknown>[]) => {
    files[file] = toYaml(objs, header);
    objects.push(...objs);
  };
  for (const s of schemas) put(`apiresourceschema-${s.plural}.${s.group}.yaml`, [s.object]);
  put("apiexport.yaml", [exp]);
  put("rbac-provider.yaml", [buildProviderRole(api)]);
  put("rbac-bind.yaml", [buildBindRole(api)]);
  return { files, objects, warnings: problems };
}
