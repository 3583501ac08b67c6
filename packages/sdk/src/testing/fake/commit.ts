import { isDeepStrictEqual } from "node:util";
import type { KubeObject } from "../../util/objects.js";
import { StatusError } from "./http.js";
import { type ManagedEntry, updateManagedFields } from "./managed-fields.js";
import { apiVersionOf, qualifiedName } from "./resources.js";
import type { FakeState } from "./state.js";
import type { ObjectAddress } from "./store.js";
import { admitted, invalid, specOf, type WriteRequest } from "./write-request.js";

/**
 * Stores `next` in place of `current` as an update (PUT, PATCH, apply) does: the resourceVersion
 * must match, the status subresource splits what each endpoint may change, generation counts spec
 * changes, and the last finalizer leaving a deleting object deletes it.
 */
export function commit(
  state: FakeState,
  w: WriteRequest,
  address: ObjectAddress,
  current: KubeObject,
  next: KubeObject,
  manager: string,
  operation: "Apply" | "Update",
  dryRun: boolean,
  applied?: Parameters<typeof updateManagedFields>[6],
): KubeObject {
  const r = w.scope.resource;
  const rv = next.metadata?.resourceVersion;
  if (rv && rv !== current.metadata.resourceVersion) {
    throw new StatusError(
      409,
      "Conflict",
      `Operation cannot be fulfilled on ${qualifiedName(r)} "${address.name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name: address.name, group: r.group, kind: r.plural },
    );
  }
  let obj: KubeObject;
  if (w.subresource === "status") {
    obj = { ...current, status: (next as { status?: unknown }).status } as KubeObject;
    if ((next as { status?: unknown }).status === undefined) delete (obj as { status?: unknown }).status;
  } else {
    const keep = { ...(next.metadata ?? {}) };
    obj = {
      ...next,
      apiVersion: apiVersionOf(r),
      kind: r.kind,
      metadata: {
        ...keep,
        name: current.metadata.name,
        ...(current.metadata.namespace && { namespace: current.metadata.namespace }),
        uid: current.metadata.uid,
        creationTimestamp: current.metadata.creationTimestamp,
        ...(current.metadata.deletionTimestamp && {
          deletionTimestamp: current.metadata.deletionTimestamp,
          deletionGracePeriodSeconds: 0,
        }),
        ...(current.metadata.generation !== undefined && { generation: current.metadata.generation }),
      },
    } as KubeObject;
    if (current.metadata.deletionTimestamp) {
      const added = (obj.metadata.finalizers ?? []).filter(
        (f) => !(current.metadata.finalizers ?? []).includes(f),
      );
      if (added.length > 0) {
        throw invalid(w.scope, address.name, [
          {
            reason: "FieldValueInvalid",
            field: "metadata.finalizers",
            message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(", ")}}`,
          },
        ]);
      }
    } else {
      delete obj.metadata.deletionTimestamp;
      delete obj.metadata.deletionGracePeriodSeconds;
    }
    if (r.statusSubresource) {
      const status = (current as { status?: unknown }).status;
      if (status === undefined) delete (obj as { status?: unknown }).status;
      else (obj as { status?: unknown }).status = status;
    }
  }
  obj = admitted(w.scope, obj);
  if (current.metadata.generation !== undefined && !isDeepStrictEqual(specOf(obj), specOf(current)))
    obj.metadata.generation = current.metadata.generation + 1;
  const { resourceVersion: _rv, managedFields: _mf, ...metaNoRv } = obj.metadata;
  const { resourceVersion: _crv, managedFields: _cmf, ...curNoRv } = current.metadata;
  if (
    isDeepStrictEqual({ ...obj, metadata: metaNoRv }, { ...current, metadata: curNoRv }) &&
    operation === "Update"
  )
    return current;
  obj.metadata.managedFields = updateManagedFields(
    (current.metadata.managedFields ?? []) as ManagedEntry[],
    current,
    obj,
    manager,
    operation,
    w.subresource,
    applied,
  );
  if (isDeepStrictEqual(obj, { ...current, metadata: { ...current.metadata } })) return current;
  if (dryRun)
    return { ...obj, metadata: { ...obj.metadata, resourceVersion: current.metadata.resourceVersion } };
  if (obj.metadata.deletionTimestamp && (obj.metadata.finalizers ?? []).length === 0) {
    return state.store.remove(address) ?? obj;
  }
  return state.store.put(address, obj);
}
