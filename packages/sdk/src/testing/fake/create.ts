import { randomBytes } from "node:crypto";
import { CLUSTER_ANNOTATION, type KubeObject } from "../../util/objects.js";
import { badRequest, StatusError } from "./http.js";
import { updateManagedFields } from "./managed-fields.js";
import { apiVersionOf, qualifiedName } from "./resources.js";
import { type FakeState, newMeta } from "./state.js";
import { addressOf, admitted, invalid, parseJson, type WriteRequest } from "./write-request.js";

/** Creates an object (POST). */
export function createObject(
  state: FakeState,
  w: WriteRequest,
  manager: string,
  dryRun: boolean,
): KubeObject {
  const r = w.scope.resource;
  const body = parseJson(w.body);
  const meta = { ...(body.metadata ?? {}) };
  if (!meta.name && typeof meta.generateName === "string")
    meta.name = `${meta.generateName}${randomBytes(3).toString("hex").slice(0, 5)}`;
  if (!meta.name)
    throw invalid(w.scope, "", [
      {
        reason: "FieldValueRequired",
        field: "metadata.name",
        message: "Required value: name or generateName is required",
      },
    ]);
  if (r.namespaced) {
    if (meta.namespace && w.namespace && meta.namespace !== w.namespace)
      throw badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    meta.namespace = w.namespace ?? meta.namespace ?? "default";
  } else delete meta.namespace;
  const address = addressOf({ scope: w.scope, namespace: meta.namespace }, meta.name);
  if (
    r.namespaced &&
    !state.store.get({
      cluster: address.cluster,
      resource: "/namespaces",
      namespace: "",
      name: meta.namespace!,
    })
  ) {
    throw new StatusError(404, "NotFound", `namespaces "${meta.namespace}" not found`, {
      name: meta.namespace,
      kind: "namespaces",
    });
  }
  if (state.store.get(address)) {
    throw new StatusError(409, "AlreadyExists", `${qualifiedName(r)} "${meta.name}" already exists`, {
      name: meta.name,
      group: r.group,
      kind: r.plural,
    });
  }
  // kcp derives kcp.io/cluster from the storage key and does not store it on create.
  if (meta.annotations?.[CLUSTER_ANNOTATION] !== undefined) {
    const { [CLUSTER_ANNOTATION]: _c, ...annotations } = meta.annotations;
    if (Object.keys(annotations).length > 0) meta.annotations = annotations;
    else delete meta.annotations;
  }
  for (const k of [
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generation",
    "managedFields",
  ])
    delete (meta as Record<string, unknown>)[k];
  let obj: KubeObject = { ...body, apiVersion: apiVersionOf(r), kind: r.kind, metadata: meta };
  if (r.statusSubresource && r.schema) delete (obj as { status?: unknown }).status;
  obj = newMeta(admitted(w.scope, obj), r.schema !== undefined || r.statusSubresource);
  obj.metadata.managedFields = updateManagedFields([], undefined, obj, manager, "Update", undefined);
  obj = state.hooks.beforeCreate(address, obj);
  if (dryRun) return obj;
  return state.store.put(address, obj);
}
