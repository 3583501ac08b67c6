import { isDeepStrictEqual } from "node:util";
import { parseAllDocuments } from "yaml";
import { KubeApiError, type KubeClient } from "../transport/kube-client.js";
import { groupVersionPath, type KubeObject, parseApiVersion } from "../util/objects.js";
import { type WaitOptions, waitFor } from "../util/wait.js";

const WORKSPACES = "/apis/tenancy.kcp.io/v1alpha1/workspaces";

/** A workspace, by its path and its logical cluster id (what `kcp.io/cluster` annotations hold). */
export interface WorkspaceRef {
  path: string;
  id: string;
}

/** Where kcp schedules a workspace: a label selector over its Shard objects (Workspace `spec.location`). */
export interface WorkspaceLocation {
  selector: { matchLabels: Record<string, string> };
}

interface WorkspaceObject extends KubeObject {
  spec?: { cluster?: string; type?: { name?: string; path?: string } };
  status?: { phase?: string };
}

/**
 * Creates a workspace by path (`root:providers:widgets`), creating missing parents, and waits
 * until each is Ready. Idempotent: existing workspaces are reused.
 *
 * @param rootClient a client for any workspace of the server with rights to create workspaces
 *   along the path (kcp's admin kubeconfig).
 * @param options `type` and `location` apply to the last workspace of the path; `location` is kcp's
 *   Workspace `spec.location` (which shard to schedule it on), e.g.
 *   `{ selector: { matchLabels: { name: "shard-1" } } }` with `startShardedKcp`.
 *
 * @example
 * ```ts
 * const kcp = await startShardedKcp({ shards: 2 });
 * const ws = await createWorkspace(kcp.admin(), "root:team-a", {
 *   location: { selector: { matchLabels: { name: "shard-1" } } },
 * });
 * ```
 */
export async function createWorkspace(
  rootClient: KubeClient,
  path: string,
  options: WaitOptions & { type?: { name: string; path: string }; location?: WorkspaceLocation } = {},
): Promise<WorkspaceRef> {
  const parts = path.split(":");
  if (
    parts[0] !== "root" ||
    parts.length < 2 ||
    parts.some((p) => !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(p))
  ) {
    throw new Error(`workspace path "${path}" must look like root:a:b with lowercase DNS labels`);
  }
  let ref: WorkspaceRef | undefined;
  for (let i = 1; i < parts.length; i++) {
    const parent = rootClient.forWorkspace(parts.slice(0, i).join(":"));
    const name = parts[i]!;
    const last = i === parts.length - 1;
    // A parent that just turned Ready may answer 404 or 503 ("Not available") for a moment (its
    // logical cluster is not served yet): retry that for a while; 409 (exists) is success.
    for (let attempt = 0; ; attempt++) {
      try {
        await parent.request({
          method: "POST",
          path: WORKSPACES,
          body: {
            apiVersion: "tenancy.kcp.io/v1alpha1",
            kind: "Workspace",
            metadata: { name },
            spec: last
              ? {
                  ...(options.type && { type: options.type }),
                  ...(options.location && { location: options.location }),
                }
              : {},
          },
        });
        break;
      } catch (err) {
        if (err instanceof KubeApiError && err.status === 409) break;
        const notYet = err instanceof KubeApiError && (err.status === 404 || err.status === 503);
        if (!notYet || attempt >= 50) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    const ws = await waitFor(
      `workspace ${parts.slice(0, i + 1).join(":")} to be Ready`,
      async () => {
        const w = await parent.get<WorkspaceObject>(`${WORKSPACES}/${name}`);
        if (w?.status?.phase === "Ready" && w.spec?.cluster) return w;
        // Thrown, so that a timeout says what was last seen.
        throw new Error(w ? `phase ${w.status?.phase ?? "(none)"}` : "not found");
      },
      { timeoutMs: 60_000, ...options },
    );
    ref = { path: parts.slice(0, i + 1).join(":"), id: ws.spec!.cluster! };
  }
  return ref!;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

const discoveryCache = new WeakMap<KubeClient, Map<string, ApiResource[]>>();

/**
 * The REST path of an object (collection path when `name` is omitted), found through discovery.
 * Discovery answers are cached per client; an unknown kind is retried once with a fresh answer,
 * since a just-bound API appears a moment later.
 */
export async function resourcePath(client: KubeClient, obj: KubeObject, withName = true): Promise<string> {
  if (!obj.apiVersion || !obj.kind) throw new Error("object needs apiVersion and kind");
  const { group, version } = parseApiVersion(obj.apiVersion);
  const gvPath = groupVersionPath(group, version);
  let cache = discoveryCache.get(client);
  if (!cache) {
    cache = new Map();
    discoveryCache.set(client, cache);
  }
  const lookup = async (fresh: boolean) => {
    if (fresh || !cache.has(gvPath)) {
      const list = await client.get<{ resources: ApiResource[] }>(gvPath);
      cache.set(gvPath, list?.resources ?? []);
    }
    return cache.get(gvPath)!.find((r) => r.kind === obj.kind && !r.name.includes("/"));
  };
  const res = (await lookup(false)) ?? (await lookup(true));
  if (!res) throw new Error(`${obj.apiVersion} ${obj.kind} is not served in ${client.baseUrl.pathname}`);
  const ns = res.namespaced ? `/namespaces/${obj.metadata.namespace ?? "default"}` : "";
  const name = withName ? `/${obj.metadata.name}` : "";
  return `${gvPath}${ns}/${res.name}${name}`;
}

/** Parses multi-document YAML into objects, skipping empty documents. */
export function parseYamlObjects(yamlText: string): KubeObject[] {
  return parseAllDocuments(yamlText)
    .map((d) => {
      if (d.errors.length) throw new Error(`invalid YAML: ${d.errors[0]!.message}`);
      return d.toJS() as KubeObject | null;
    })
    .filter((o): o is KubeObject => o !== null && typeof o === "object");
}

export interface ApplyOptions {
  /** Field manager of the apply (default `kcp-mesh-testing`). */
  fieldManager?: string;
  /** Take over fields that another manager owns (default true). */
  force?: boolean;
  /**
   * Leave an object alone when applying it would change nothing but managed-fields bookkeeping, so
   * that its resourceVersion stays as it is (default false). An existing object is then read and
   * the apply is first sent as a dry run: when the dry run's answer equals the live object (but for
   * `metadata.managedFields`) and this field manager's own entry keeps its field set, nothing is
   * written and the live object is returned. Otherwise the object is applied as usual, so a changed
   * value, an added field, or a field removed from the applied configuration (that this manager
   * owned) is still applied.
   *
   * Why: kcp does not store an object's `kcp.io/cluster` annotation (it derives it from the
   * storage key on every read), so an object as created is stored without it, while any update,
   * even a server-side apply that changes nothing, stores the object as read, with the annotation:
   * the bytes differ and etcd writes a new resourceVersion. An object whose applied fields are only
   * its name (a ServiceAccount) has no managed fields at all, so a second apply also records a
   * `before-first-apply` entry. Idempotent setup code wants a second run to write nothing.
   */
  skipUnchanged?: boolean;
}

/**
 * Applies objects (or multi-document YAML) into a workspace with server-side apply, in the order
 * given (list a Namespace before the objects that live in it).
 */
export async function apply(
  client: KubeClient,
  objects: KubeObject[] | string,
  options: ApplyOptions = {},
): Promise<KubeObject[]> {
  const list = typeof objects === "string" ? parseYamlObjects(objects) : objects;
  const fieldManager = options.fieldManager ?? "kcp-mesh-testing";
  const out: KubeObject[] = [];
  for (const obj of list) {
    const path = await resourcePath(client, obj);
    const patch = (dryRun: boolean) =>
      client.request<KubeObject>({
        method: "PATCH",
        path,
        query: { fieldManager, force: options.force ?? true, ...(dryRun && { dryRun: "All" }) },
        body: obj,
        contentType: "application/apply-patch+yaml",
      });
    if (options.skipUnchanged) {
      const live = await client.get<KubeObject>(path);
      if (live && applyChangesNothing(live, await patch(true), fieldManager)) {
        out.push(live);
        continue;
      }
    }
    out.push(await patch(false));
  }
  return out;
}

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  subresource?: string;
  fieldsV1?: unknown;
}

/**
 * Whether an apply whose dry-run answer is `dryRun` would leave `live` as it is: equal but for
 * managed fields, and the manager's own apply entry (if it has one yet) keeps its fields. Without
 * an entry of its own the manager owns nothing that the apply could remove.
 */
function applyChangesNothing(live: KubeObject, dryRun: KubeObject, manager: string): boolean {
  const strip = (o: KubeObject) => {
    const { managedFields: _m, resourceVersion: _rv, ...metadata } = o.metadata;
    return { ...o, metadata };
  };
  if (!isDeepStrictEqual(strip(live), strip(dryRun))) return false;
  const own = (o: KubeObject) =>
    (o.metadata.managedFields as ManagedFieldsEntry[] | undefined)?.find(
      (e) => e.manager === manager && e.operation === "Apply" && !e.subresource,
    );
  const before = own(live);
  if (!before) return true;
  const after = own(dryRun);
  return (
    after !== undefined &&
    after.apiVersion === before.apiVersion &&
    isDeepStrictEqual(after.fieldsV1, before.fieldsV1)
  );
}

/** A permission claim as APIExport v1alpha2 writes it. */
export interface PermissionClaim {
  group: string;
  resource: string;
  identityHash?: string;
  verbs: string[];
}

interface APIBindingObject extends KubeObject {
  status?: {
    phase?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

/**
 * Binds an APIExport into a consumer workspace and waits until the binding is Bound (and, when
 * claims are accepted, until `PermissionClaimsApplied` is True).
 *
 * @param consumer client for the consumer workspace
 * @param exportRef where the export lives (`root:providers:widgets`) and its name
 * @param acceptClaims permission claims to accept (default none: claims stay un-accepted)
 */
export async function bindExport(
  consumer: KubeClient,
  exportRef: { path: string; name: string },
  options: WaitOptions & { acceptClaims?: PermissionClaim[]; bindingName?: string } = {},
): Promise<KubeObject> {
  const claims = options.acceptClaims ?? [];
  const name = options.bindingName ?? exportRef.name;
  await apply(consumer, [
    {
      apiVersion: "apis.kcp.io/v1alpha2",
      kind: "APIBinding",
      metadata: { name },
      spec: {
        reference: { export: { path: exportRef.path, name: exportRef.name } },
        ...(claims.length > 0 && {
          permissionClaims: claims.map((c) => ({ ...c, state: "Accepted", selector: { matchAll: true } })),
        }),
      },
    },
  ]);
  return waitFor(
    `APIBinding ${name} in ${consumer.baseUrl.pathname} to be Bound`,
    async () => {
      const b = await consumer.get<APIBindingObject>(`/apis/apis.kcp.io/v1alpha2/apibindings/${name}`);
      // Not yet: thrown with what the binding says, so that a timeout tells why.
      const why = (type?: string) =>
        (b?.status?.conditions ?? [])
          .filter((c) => c.status !== "True" && (type === undefined || c.type === type))
          .map(
            (c) =>
              `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ""}${c.message ? `: ${c.message}` : ""}`,
          )
          .join("; ");
      if (!b) throw new Error("not found");
      if (b.status?.phase !== "Bound")
        throw new Error(`phase ${b.status?.phase ?? "(none)"}; ${why() || "no conditions"}`);
      if (claims.length > 0) {
        const c = b.status.conditions?.find((x) => x.type === "PermissionClaimsApplied");
        if (c?.status !== "True")
          throw new Error(`claims not applied yet: ${why("PermissionClaimsApplied") || "no condition"}`);
      }
      return b;
    },
    { timeoutMs: 60_000, ...options },
  );
}

/** Waits until the export's APIExportEndpointSlice lists at least one URL, and returns all of them. */
export async function waitForEndpointSliceUrls(
  provider: KubeClient,
  exportName: string,
  options: WaitOptions = {},
): Promise<string[]> {
  return waitFor(
    `APIExportEndpointSlice ${exportName} to list a URL`,
    async () => {
      const s = await provider.get<{ status?: { endpoints?: { url: string }[] } }>(
        `/apis/apis.kcp.io/v1alpha1/apiexportendpointslices/${exportName}`,
      );
      const urls = (s?.status?.endpoints ?? []).map((e) => e.url);
      if (urls.length > 0) return urls;
      throw new Error(
        s ? "the slice lists no URL yet (no workspace has bound the export?)" : "no such slice",
      );
    },
    { timeoutMs: 60_000, ...options },
  );
}
