/** The parts of a Kubernetes object every layer relies on. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string;
  creationTimestamp?: string;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
  managedFields?: unknown[];
  [key: string]: unknown;
}

/** The annotation kcp puts on every object: its logical cluster (workspace) id. */
export const CLUSTER_ANNOTATION = "kcp.io/cluster";

/** The workspace (logical cluster id) of an object, from its `kcp.io/cluster` annotation. */
export function workspaceOf(obj: { metadata?: ObjectMeta }): string | undefined {
  return obj.metadata?.annotations?.[CLUSTER_ANNOTATION];
}

/** Splits `group/version` (or `v1`) into group and version. */
export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf("/");
  return i < 0
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** `/api/v1` or `/apis/<group>/<version>`. */
export function groupVersionPath(group: string, version: string): string {
  return group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
}
