import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { kubeTime } from "../../util/kube-time.js";
import type { KubeObject } from "../../util/objects.js";
import { StatusError } from "./http.js";
import { resourceKey } from "./resources.js";
import { type ApiBindingObject, type ApiExportObject, type FakeState, newMeta } from "./state.js";
import type { ObjectAddress } from "./store.js";

const EXPORTS = "apis.kcp.io/apiexports";
const BINDINGS = "apis.kcp.io/apibindings";
const SLICES = "apis.kcp.io/apiexportendpointslices";
/** kcp holds a binding until the objects it brought are gone. */
export const BINDING_FINALIZER = "apis.kcp.io/apibinding-finalizer";

function condition(type: string, ok: boolean, reason?: string, message?: string) {
  return {
    type,
    status: ok ? "True" : "False",
    lastTransitionTime: kubeTime(),
    ...(reason && { reason }),
    ...(message && { message }),
    ...(!ok && { severity: "Error" }),
  };
}

/** Equal but for the conditions' transition times. */
function sameStatus(a: unknown, b: unknown): boolean {
  const strip = (s: unknown) =>
    JSON.parse(JSON.stringify(s ?? {}), (k, v) => (k === "lastTransitionTime" ? undefined : v)) as unknown;
  return isDeepStrictEqual(strip(a), strip(b));
}

/** The virtual workspace URL of an export: one shard, so one URL. */
export function virtualWorkspaceUrl(state: FakeState, exportCluster: string, exportName: string): string {
  return `${state.baseUrl}/services/apiexport/${exportCluster}/${exportName}`;
}

/**
 * What kcp's controllers do for APIs, run after every write: each APIExport gets its identity hash
 * and its APIExportEndpointSlice (listing the virtual workspace URL once a workspace binds it),
 * each APIBinding is resolved and reports Bound with its claims, and a deleted binding takes the
 * objects it brought with it (waiting for their finalizers) before it goes.
 */
export function reconcileApis(state: FakeState): void {
  const store = state.store;
  const exports = store.list(EXPORTS, () => true);
  const bindings = store.list(BINDINGS, () => true);
  const boundTo = new Set<string>();
  for (const { address, object } of bindings) {
    const b = object as ApiBindingObject;
    const ref = b.spec?.reference?.export;
    const target = state.cluster(ref?.path ?? address.cluster);
    if (target && ref?.name) boundTo.add(`${target.id}:${ref.name}`);
  }

  for (const { address, object } of exports) {
    const exp = object as ApiExportObject & { status?: { identityHash?: string } };
    const identityHash = createHash("sha256").update(`${address.cluster}:${address.name}`).digest("hex");
    if (exp.status?.identityHash !== identityHash) {
      store.put(address, { ...exp, status: { ...exp.status, identityHash } });
    }
    const sliceAddr = { ...address, resource: SLICES };
    const slice = store.get(sliceAddr) as (KubeObject & { status?: unknown }) | undefined;
    const path = state.clusters.get(address.cluster)?.path ?? address.cluster;
    const url = virtualWorkspaceUrl(state, address.cluster, address.name);
    const status = { endpoints: boundTo.has(`${address.cluster}:${address.name}`) ? [{ url }] : [] };
    if (!slice) {
      store.put(
        sliceAddr,
        newMeta(
          {
            apiVersion: "apis.kcp.io/v1alpha1",
            kind: "APIExportEndpointSlice",
            metadata: { name: address.name },
            spec: { export: { path, name: address.name } },
            status,
          },
          false,
        ),
      );
    } else if (!isDeepStrictEqual(slice.status, status)) {
      store.put(sliceAddr, { ...slice, status });
    }
  }

  for (const { address, object } of bindings) {
    const b = object as ApiBindingObject;
    if (b.metadata.deletionTimestamp) {
      finishBindingDeletion(state, address, b);
      continue;
    }
    const ref = b.spec?.reference?.export;
    const exportCluster = state.cluster(ref?.path ?? address.cluster);
    const exp =
      exportCluster && ref?.name
        ? (store.get({ cluster: exportCluster.id, resource: EXPORTS, namespace: "", name: ref.name }) as
            | ApiExportObject
            | undefined)
        : undefined;
    let status: Record<string, unknown>;
    if (!exp || !exportCluster) {
      status = {
        phase: "Binding",
        conditions: [
          condition(
            "APIExportValid",
            false,
            "APIExportNotFound",
            `APIExport ${ref?.path ?? ""}:${ref?.name ?? ""} not found`,
          ),
          condition("Ready", false, "APIExportNotFound"),
        ],
      };
    } else {
      const resources = state.exportResources(exportCluster.id, ref!.name!);
      const exportClaims = exp.spec?.permissionClaims ?? [];
      const same = (x: { group?: string; resource: string }, y: { group?: string; resource: string }) =>
        (x.group ?? "") === (y.group ?? "") && x.resource === y.resource;
      const applied = (b.spec?.permissionClaims ?? []).filter(
        (c) => c.state === "Accepted" && exportClaims.some((e) => same(e, c)),
      );
      const unseen = new Set<string>();
      status = {
        phase: "Bound",
        apiExportClusterName: exportCluster.id,
        boundResources: resources
          .filter((r) => !unseen.has(resourceKey(r)) && unseen.add(resourceKey(r)))
          .map((r) => ({
            group: r.group,
            resource: r.plural,
            schema: {
              name: r.schemaName,
              identityHash: (exp as { status?: { identityHash?: string } }).status?.identityHash ?? "",
            },
            storageVersions: [r.version],
          })),
        ...(exportClaims.length > 0 && {
          exportPermissionClaims: exportClaims,
          appliedPermissionClaims: applied.map(({ state: _s, ...c }) => c),
        }),
        conditions: [
          condition("APIExportValid", true),
          condition("BindingUpToDate", true),
          condition("InitialBindingCompleted", true),
          condition("PermissionClaimsApplied", true),
          condition("PermissionClaimsValid", true),
          condition("Ready", true),
        ],
      };
    }
    const finalizers = b.metadata.finalizers ?? [];
    const withFinalizer = finalizers.includes(BINDING_FINALIZER)
      ? finalizers
      : [...finalizers, BINDING_FINALIZER];
    if (!sameStatus(b.status, status) || withFinalizer !== finalizers) {
      store.put(address, { ...b, metadata: { ...b.metadata, finalizers: withFinalizer }, status });
      touchNewlyClaimed(
        state,
        address.cluster,
        b.status?.appliedPermissionClaims ?? [],
        (status.appliedPermissionClaims ?? []) as Claim[],
      );
    }
  }
}

function finishBindingDeletion(
  state: FakeState,
  address: { cluster: string; resource: string; namespace: string; name: string },
  b: ApiBindingObject,
): void {
  const store = state.store;
  const exportCluster = b.status?.apiExportClusterName;
  const exportName = b.spec?.reference?.export?.name ?? "";
  let remaining = 0;
  if (exportCluster) {
    const seen = new Set<string>();
    for (const r of state.exportResources(exportCluster, exportName)) {
      const key = resourceKey(r);
      if (seen.has(key)) continue;
      seen.add(key);
      for (const item of store.list(key, (a) => a.cluster === address.cluster)) {
        const o = item.object;
        if ((o.metadata.finalizers ?? []).length === 0) {
          store.remove(item.address);
          continue;
        }
        remaining++;
        if (!o.metadata.deletionTimestamp)
          store.put(item.address, {
            ...o,
            metadata: { ...o.metadata, deletionTimestamp: kubeTime(), deletionGracePeriodSeconds: 0 },
          });
      }
    }
  }
  if (remaining > 0) return;
  const finalizers = (b.metadata.finalizers ?? []).filter((f) => f !== BINDING_FINALIZER);
  if (finalizers.length === 0) store.remove(address);
  else if (finalizers.length !== (b.metadata.finalizers ?? []).length)
    store.put(address, { ...b, metadata: { ...b.metadata, finalizers } });
}

/**
 * kcp's admission of a new APIBinding: binding needs the `bind` verb on the export, which a
 * missing export cannot grant, so binding one is refused with 403 (not left unbound).
 */
export function admitBinding(state: FakeState, address: ObjectAddress, obj: KubeObject): KubeObject {
  if (address.resource !== BINDINGS) return obj;
  const ref = (obj as ApiBindingObject).spec?.reference?.export;
  const from = state.clusters.get(address.cluster);
  const path = ref?.path ?? from?.path ?? address.cluster;
  const target = state.cluster(path);
  const exists =
    target &&
    ref?.name &&
    state.store.get({ cluster: target.id, resource: EXPORTS, namespace: "", name: ref.name });
  if (!exists) {
    throw new StatusError(
      403,
      "Forbidden",
      `apibindings.apis.kcp.io "${address.name}" is forbidden: unable to create APIBinding: no permission to bind to export ${path}:${ref?.name ?? ""}`,
      { name: address.name, group: "apis.kcp.io", kind: "apibindings" },
    );
  }
  return obj;
}

type Claim = { group?: string; resource: string };

/**
 * kcp labels the objects of a claim once it is accepted, and that write is what brings them into
 * the virtual workspace's watches: the fake writes them again (same content, new resourceVersion).
 */
function touchNewlyClaimed(state: FakeState, cluster: string, before: Claim[], after: Claim[]): void {
  const key = (c: Claim) => `${c.group ?? ""}/${c.resource}`;
  const had = new Set(before.map(key));
  for (const c of after) {
    if (had.has(key(c))) continue;
    for (const item of state.store.list(key(c), (a) => a.cluster === cluster))
      state.store.put(item.address, item.object);
  }
}
