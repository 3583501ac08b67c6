import { kubeTime } from "../../util/kube-time.js";
import type { KubeObject } from "../../util/objects.js";
import type { FakeState } from "./state.js";
import type { ObjectAddress } from "./store.js";

const WORKSPACES = "tenancy.kcp.io/workspaces";

interface WorkspaceObject extends KubeObject {
  spec?: { cluster?: string; URL?: string; type?: { name?: string; path?: string } };
}

/**
 * A Workspace created in a logical cluster gets a new logical cluster of its own, mounted at
 * `<parent path>:<name>`, and is Ready at once (kcp takes a moment through Scheduling and
 * Initializing; clients wait for Ready either way).
 */
export function workspaceCreated(state: FakeState, address: ObjectAddress, obj: KubeObject): KubeObject {
  if (address.resource !== WORKSPACES) return obj;
  const parent = state.clusters.get(address.cluster)!;
  const path = `${parent.path}:${address.name}`;
  const cluster = state.addCluster(state.newClusterId(), path);
  const ws = obj as WorkspaceObject;
  return {
    ...ws,
    metadata: {
      ...ws.metadata,
      annotations: { ...ws.metadata.annotations, "tenancy.kcp.io/owner": "kcp-admin" },
    },
    spec: {
      ...ws.spec,
      type: ws.spec?.type ?? { name: "universal", path: "root" },
      cluster: cluster.id,
      URL: `${state.baseUrl}/clusters/${path}`,
    },
    status: {
      phase: "Ready",
      conditions: [
        { type: "WorkspaceScheduled", status: "True" },
        { type: "WorkspaceInitialized", status: "True" },
      ],
    },
  } as KubeObject;
}

/** A service account's tokens stop working when it is deleted. */
export function serviceAccountDeleted(state: FakeState, address: ObjectAddress): void {
  if (address.resource !== "/serviceaccounts") return;
  const name = `system:serviceaccount:${address.namespace}:${address.name}`;
  for (const [token, user] of state.tokens) {
    if (user.name === name && user.cluster === address.cluster) state.tokens.delete(token);
  }
}

/**
 * A deleted Workspace goes the way kcp's does: everything in its logical cluster is deleted
 * (objects with finalizers wait for them, bindings take their objects first), then the logical
 * cluster and the Workspace itself go. Run after every write.
 */
export function reconcileWorkspaces(state: FakeState): void {
  const now = kubeTime();
  for (const { address, object } of state.store.list(WORKSPACES, () => true)) {
    if (!object.metadata.deletionTimestamp) continue;
    const id = (object as WorkspaceObject).spec?.cluster;
    const inside = id ? state.store.addressesIn(id) : [];
    for (const a of inside) {
      const o = state.store.get(a)!;
      if (o.metadata.deletionTimestamp) continue;
      if ((o.metadata.finalizers ?? []).length === 0 && a.resource !== WORKSPACES) state.store.remove(a);
      else
        state.store.put(a, {
          ...o,
          metadata: { ...o.metadata, deletionTimestamp: now, deletionGracePeriodSeconds: 0 },
        });
    }
    if (id && state.store.addressesIn(id).length > 0) continue;
    if (id) state.removeCluster(id);
    state.store.remove(address);
  }
}

/** Workspaces are deleted gracefully (their content first), as if they held a finalizer. */
export function deletesGracefully(address: ObjectAddress): boolean {
  return address.resource === WORKSPACES;
}
