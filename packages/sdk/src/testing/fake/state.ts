import { randomBytes, randomUUID } from "node:crypto";
import type { CelSchema } from "../../api/cel.js";
import { kubeTime } from "../../util/kube-time.js";
import type { KubeObject } from "../../util/objects.js";
import { BUILTIN_RESOURCES, type FakeResource, resourceKey } from "./resources.js";
import { type ObjectAddress, ObjectStore } from "./store.js";

/** A logical cluster: the id `kcp.io/cluster` annotations hold and the workspace path it is mounted at. */
export interface LogicalCluster {
  id: string;
  path: string;
}

/** Who sent a request. */
export interface User {
  name: string;
  groups: string[];
  /** The logical cluster a service account lives in; its token counts only there. */
  cluster?: string;
}

export const ADMIN_GROUP = "system:masters";

interface SchemaVersion {
  name: string;
  served?: boolean;
  storage?: boolean;
  schema?: CelSchema;
  subresources?: { status?: object };
}

export interface ApiExportObject extends KubeObject {
  spec?: {
    resources?: { group?: string; name: string; schema: string }[];
    permissionClaims?: { group?: string; resource: string; identityHash?: string; verbs?: string[] }[];
  };
}

export interface ApiBindingObject extends KubeObject {
  spec?: {
    reference?: { export?: { path?: string; name?: string } };
    permissionClaims?: { group?: string; resource: string; verbs?: string[]; state?: string }[];
  };
  status?: {
    phase?: string;
    apiExportClusterName?: string;
    boundResources?: { group: string; resource: string }[];
    appliedPermissionClaims?: { group?: string; resource: string; verbs?: string[] }[];
  };
}

/** Everything the fake holds: logical clusters, objects, identities. */
export class FakeState {
  readonly store = new ObjectStore();
  readonly clusters = new Map<string, LogicalCluster>();
  private readonly byPath = new Map<string, string>();
  readonly tokens = new Map<string, User>();
  readonly adminToken = `fake-kcp-admin-${randomBytes(12).toString("hex")}`;
  /** What kcp's controllers add to plain storage: set by the server (workspaces, APIs). */
  hooks: {
    beforeCreate: (address: ObjectAddress, obj: KubeObject) => KubeObject;
    afterDelete: (address: ObjectAddress, obj: KubeObject) => void;
    deletesGracefully: (address: ObjectAddress) => boolean;
  } = { beforeCreate: (_a, o) => o, afterDelete: () => undefined, deletesGracefully: () => false };

  constructor(readonly baseUrl: string) {
    this.tokens.set(this.adminToken, { name: "kcp-admin", groups: [ADMIN_GROUP, "system:authenticated"] });
    this.addCluster("root", "root");
    // kcp's own APIExports live in root (a provider's start-up check lists them).
    for (const name of ["tenancy.kcp.io", "shards.core.kcp.io", "topology.kcp.io"]) {
      this.store.put(
        { cluster: "root", resource: "apis.kcp.io/apiexports", namespace: "", name },
        newMeta(
          { apiVersion: "apis.kcp.io/v1alpha2", kind: "APIExport", metadata: { name }, spec: {} },
          false,
        ),
      );
    }
  }

  /** A logical cluster by path (`root:a:b`) or id. */
  cluster(ref: string): LogicalCluster | undefined {
    return this.clusters.get(ref) ?? this.clusters.get(this.byPath.get(ref) ?? "");
  }

  addCluster(id: string, path: string): LogicalCluster {
    const c = { id, path };
    this.clusters.set(id, c);
    this.byPath.set(path, id);
    // A new workspace comes with these namespaces (as kcp's bootstrap creates them).
    for (const name of ["default", "kube-system", "kube-public"]) {
      this.store.put(
        { cluster: id, resource: "/namespaces", namespace: "", name },
        newMeta(
          {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name },
            spec: { finalizers: ["kubernetes"] },
            status: { phase: "Active" },
          },
          false,
        ),
      );
    }
    return c;
  }

  removeCluster(id: string): void {
    const c = this.clusters.get(id);
    if (!c) return;
    for (const child of [...this.clusters.values()])
      if (child.path.startsWith(`${c.path}:`)) this.removeCluster(child.id);
    for (const a of this.store.addressesIn(id)) this.store.remove(a);
    this.clusters.delete(id);
    this.byPath.delete(c.path);
  }

  /** A fresh logical cluster id, shaped like kcp's. */
  newClusterId(): string {
    const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    const bytes = randomBytes(16);
    return Array.from(bytes, (x) => alphabet[x % alphabet.length]).join("");
  }

  get(cluster: string, r: FakeResource, namespace: string, name: string): KubeObject | undefined {
    return this.store.get({ cluster, resource: resourceKey(r), namespace, name });
  }

  listIn(cluster: string, group: string, plural: string): KubeObject[] {
    return this.store.list(`${group}/${plural}`, (a) => a.cluster === cluster).map((x) => x.object);
  }

  /** The resources defined by an APIExport: one per exported schema's served version. */
  exportResources(exportCluster: string, exportName: string): FakeResource[] {
    const exp = this.store.get({
      cluster: exportCluster,
      resource: "apis.kcp.io/apiexports",
      namespace: "",
      name: exportName,
    }) as ApiExportObject | undefined;
    if (!exp) return [];
    const out: FakeResource[] = [];
    for (const res of exp.spec?.resources ?? []) {
      const schemaObj = this.store.get({
        cluster: exportCluster,
        resource: "apis.kcp.io/apiresourceschemas",
        namespace: "",
        name: res.schema,
      }) as
        | (KubeObject & {
            spec?: {
              group: string;
              names: { plural: string; kind: string };
              scope: string;
              versions: SchemaVersion[];
            };
          })
        | undefined;
      if (!schemaObj?.spec) continue;
      const spec = schemaObj.spec;
      for (const v of spec.versions) {
        if (v.served === false) continue;
        out.push({
          group: spec.group,
          version: v.name,
          plural: spec.names.plural,
          kind: spec.names.kind,
          namespaced: spec.scope === "Namespaced",
          statusSubresource: v.subresources?.status !== undefined,
          ...(v.schema && { schema: v.schema }),
          exportKey: `${exportCluster}:${exportName}`,
          schemaName: res.schema,
        });
      }
    }
    return out;
  }

  /** Bindings of one cluster that are Bound, with the export cluster they point at. */
  boundBindings(cluster: string): ApiBindingObject[] {
    return (this.listIn(cluster, "apis.kcp.io", "apibindings") as ApiBindingObject[]).filter(
      (b) => b.status?.phase === "Bound" && b.status.apiExportClusterName,
    );
  }

  /** What a workspace serves: the built-ins plus everything its bindings bring. */
  resourcesOf(cluster: string): FakeResource[] {
    const out = [...BUILTIN_RESOURCES];
    for (const b of this.boundBindings(cluster)) {
      out.push(
        ...this.exportResources(b.status!.apiExportClusterName!, b.spec?.reference?.export?.name ?? ""),
      );
    }
    return out;
  }
}

/** Fills in what the API server sets on create: uid, creationTimestamp, generation. */
export function newMeta<T extends KubeObject>(obj: T, generation = true): T {
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      uid: randomUUID(),
      creationTimestamp: kubeTime(),
      ...(generation && { generation: 1 }),
    },
  };
}
