import type { ObjectRef } from "../runtime/item.js";
import { groupVersionPath } from "../util/objects.js";

/** Where a resource is served: enough to build its REST paths. */
export interface ResourceCoordinates {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

/** The REST path of an object below a virtual workspace URL: `/clusters/<ws>/apis/.../<name>`. */
export function objectPath(res: ResourceCoordinates, key: ObjectRef, subresource?: "status"): string {
  const ns = res.namespaced ? `/namespaces/${key.namespace ?? "default"}` : "";
  const sub = subresource ? `/${subresource}` : "";
  return `/clusters/${key.workspace}${groupVersionPath(res.group, res.version)}${ns}/${res.plural}/${key.name}${sub}`;
}
