import { groupVersionPath } from "../util/objects.js";

/** Where a resource is served: enough to build its REST paths. */
export interface ResourceCoordinates {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

/** One object in one workspace. The workspace is a logical cluster id, never a path. */
export interface ObjectKey {
  workspace: string;
  namespace?: string;
  name: string;
}

/** `workspace/namespace/name` (namespace empty for cluster-scoped objects): the key used everywhere. */
export function keyString(key: ObjectKey): string {
  return `${key.workspace}/${key.namespace ?? ""}/${key.name}`;
}

/** The REST path of an object below a virtual workspace URL: `/clusters/<ws>/apis/.../<name>`. */
export function objectPath(res: ResourceCoordinates, key: ObjectKey, subresource?: "status"): string {
  const ns = res.namespaced ? `/namespaces/${key.namespace ?? "default"}` : "";
  const sub = subresource ? `/${subresource}` : "";
  return `/clusters/${key.workspace}${groupVersionPath(res.group, res.version)}${ns}/${res.plural}/${key.name}${sub}`;
}
