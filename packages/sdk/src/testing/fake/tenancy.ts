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

/** A deleted Workspace takes its logical cluster (and those below it) with it. */
export function workspaceDeleted(state: FakeState, address: ObjectAddress, obj: KubeObject): void {
  if (address.resource !== WORKSPACES) return;
  const id = (obj as WorkspaceObject).spec?.cluster;
  if (id) state.removeCluster(id);
}
