import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { KubeObject } from "@kcp-mesh/sdk";
import { type PermissionClaim, parseYamlObjects } from "@kcp-mesh/sdk/testing";

/** One resource of the export, as deploy/ describes it. */
export interface DeployedResource {
  group: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  /** The storage version. */
  version: string;
  /** The APIResourceSchema name (content-addressed: a changed schema has a new name). */
  schema: string;
}

/** What the live loop needs to know of generated `deploy/`. */
export interface Deployed {
  exportName: string;
  resources: DeployedResource[];
  claims: PermissionClaim[];
}

/** Reads the APIExport and APIResourceSchemas that `mesh-codegen generate` wrote into `dir`. */
export function readDeploy(dir: string): Deployed {
  if (!existsSync(dir)) throw new Error(`${dir} does not exist: run mesh-codegen generate first`);
  const objects: KubeObject[] = [];
  for (const f of readdirSync(dir).sort()) {
    if (/\.ya?ml$/.test(f)) objects.push(...parseYamlObjects(readFileSync(join(dir, f), "utf8")));
  }
  const exp = objects.find((o) => o.kind === "APIExport");
  if (!exp) throw new Error(`${dir} holds no APIExport`);
  const spec =
    (
      exp as {
        spec?: {
          resources?: { group: string; name: string; schema: string }[];
          permissionClaims?: PermissionClaim[];
        };
      }
    ).spec ?? {};
  const schemas = new Map(
    objects
      .filter((o) => o.kind === "APIResourceSchema")
      .map((o) => [o.metadata.name!, o as KubeObject & { spec: SchemaSpec }]),
  );
  const resources = (spec.resources ?? []).map((r): DeployedResource => {
    const s = schemas.get(r.schema);
    if (!s) throw new Error(`${dir}: the APIExport names schema ${r.schema}, which no file holds`);
    const storage = s.spec.versions.find((v) => v.storage) ?? s.spec.versions[0];
    return {
      group: r.group,
      plural: r.name,
      kind: s.spec.names.kind,
      namespaced: s.spec.scope === "Namespaced",
      version: storage?.name ?? "v1alpha1",
      schema: r.schema,
    };
  });
  return { exportName: exp.metadata.name!, resources, claims: spec.permissionClaims ?? [] };
}

interface SchemaSpec {
  names: { kind: string };
  scope: string;
  versions: { name: string; storage?: boolean }[];
}

/** The collection path of a resource in a workspace (all namespaces). */
export function collectionPath(r: DeployedResource): string {
  return `/apis/${r.group}/${r.version}/${r.plural}`;
}

/** Objects to create when the project has no sample file: one `sample` per resource, spec defaulted. */
export function defaultSamples(d: Deployed): KubeObject[] {
  return d.resources.map((r) => ({
    apiVersion: `${r.group}/${r.version}`,
    kind: r.kind,
    metadata: { name: "sample", ...(r.namespaced && { namespace: "default" }) },
    spec: {},
  }));
}
