import { randomBytes } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { parse as parseYaml } from "yaml";
import { kubeTime } from "../../util/kube-time.js";
import { CLUSTER_ANNOTATION, type KubeObject } from "../../util/objects.js";
import { badRequest, notFound, StatusError } from "./http.js";
import { type ManagedEntry, ownableFields, updateManagedFields } from "./managed-fields.js";
import {
  applyMerge,
  deletePath,
  jsonPatch,
  leafPaths,
  mergePatch,
  PatchError,
  subtractFields,
} from "./patch.js";
import { apiVersionOf, qualifiedName } from "./resources.js";
import { type FakeState, newMeta } from "./state.js";
import type { ObjectAddress } from "./store.js";
import { addressOf, admitted, invalid, parseJson, specOf, type WriteRequest } from "./write-request.js";

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

/**
 * Stores `next` in place of `current` as an update (PUT, PATCH, apply) does: the resourceVersion
 * must match, the status subresource splits what each endpoint may change, generation counts spec
 * changes, and the last finalizer leaving a deleting object deletes it.
 */
function commit(
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

/** Replaces an object (PUT). */
export function updateObject(
  state: FakeState,
  w: WriteRequest,
  manager: string,
  dryRun: boolean,
): KubeObject {
  const body = parseJson(w.body);
  const address = addressOf(w, w.name!);
  const current = state.store.get(address);
  if (!current) throw notFound(qualifiedName(w.scope.resource), w.name!);
  if (!body.metadata?.resourceVersion && w.scope.resource.schema) {
    throw invalid(w.scope, w.name!, [
      {
        reason: "FieldValueInvalid",
        field: "metadata.resourceVersion",
        message: "Invalid value: 0x0: must be specified for an update",
      },
    ]);
  }
  if (body.metadata?.name && body.metadata.name !== w.name)
    throw badRequest("the name of the object does not match the name on the URL");
  return commit(state, w, address, current, body, manager, "Update", dryRun);
}

/** Patches an object (merge patch, JSON patch, strategic merge as a merge patch, server-side apply). */
export function patchObject(
  state: FakeState,
  w: WriteRequest,
  manager: string | undefined,
  dryRun: boolean,
): KubeObject {
  const address = addressOf(w, w.name!);
  const current = state.store.get(address);
  const type = w.contentType.split(";")[0]!.trim();
  if (type === "application/apply-patch+yaml")
    return applyObject(state, w, address, current, manager, dryRun);
  if (!current) throw notFound(qualifiedName(w.scope.resource), w.name!);
  let next: KubeObject;
  try {
    if (type === "application/json-patch+json") {
      let ops: unknown;
      try {
        ops = JSON.parse(w.body);
      } catch (err) {
        throw badRequest(`the body of the request could not be decoded: ${(err as Error).message}`);
      }
      next = jsonPatch(current, ops) as KubeObject;
    } else if (type === "application/merge-patch+json" || type === "application/strategic-merge-patch+json") {
      // A copy: merge patch shares untouched subtrees, and the stored object must never change.
      next = structuredClone(mergePatch(current, parseJson(w.body))) as KubeObject;
    } else {
      throw new StatusError(
        415,
        "UnsupportedMediaType",
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
      );
    }
  } catch (err) {
    if (err instanceof PatchError)
      throw new StatusError(err.status, err.status === 400 ? "BadRequest" : "Invalid", err.message);
    throw err;
  }
  if (next.metadata?.resourceVersion === current.metadata.resourceVersion)
    delete next.metadata.resourceVersion;
  return commit(state, w, address, current, next, manager ?? "unknown", "Update", dryRun);
}

function applyObject(
  state: FakeState,
  w: WriteRequest,
  address: ObjectAddress,
  current: KubeObject | undefined,
  manager: string | undefined,
  dryRun: boolean,
): KubeObject {
  if (!manager) throw badRequest("PATCH: fieldManager is required for apply requests");
  let config: KubeObject;
  try {
    config = parseYaml(w.body) as KubeObject;
  } catch (err) {
    throw badRequest(`error decoding YAML: ${(err as Error).message}`);
  }
  if (typeof config !== "object" || config === null) throw badRequest("an apply patch must be an object");
  if (!current) {
    if (w.subresource) throw notFound(qualifiedName(w.scope.resource), w.name!);
    const created = createObject(
      state,
      { ...w, body: JSON.stringify({ ...config, metadata: { ...config.metadata, name: w.name } }) },
      manager,
      true,
    );
    const fields = ownableFields(config);
    created.metadata.managedFields =
      Object.keys(fields).length > 0
        ? [
            {
              manager,
              operation: "Apply",
              apiVersion: created.apiVersion ?? "v1",
              time: kubeTime(),
              fieldsType: "FieldsV1",
              fieldsV1: fields,
            },
          ]
        : [];
    if (dryRun) return created;
    return state.store.put(address, created);
  }
  const applied = ownableFields(config);
  const entries = (current.metadata.managedFields ?? []) as ManagedEntry[];
  const force = w.query.get("force") === "true";
  if (!force) {
    const conflicts: string[] = [];
    for (const e of entries) {
      if (e.manager === manager || (e.subresource ?? undefined) !== w.subresource) continue;
      for (const path of leafPaths(e.fieldsV1)) {
        const inConfig = path.reduce<unknown>(
          (v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined),
          config,
        );
        const live = path.reduce<unknown>(
          (v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined),
          current,
        );
        if (inConfig !== undefined && !isDeepStrictEqual(inConfig, live))
          conflicts.push(`conflict with "${e.manager}": .${path.join(".")}`);
      }
    }
    if (conflicts.length > 0) {
      throw new StatusError(
        409,
        "Conflict",
        `Apply failed with ${conflicts.length} conflict${conflicts.length > 1 ? "s" : ""}: ${conflicts.join("\n")}`,
      );
    }
  }
  const { resourceVersion: _rv, ...configMeta } = config.metadata ?? {};
  let next = structuredClone(applyMerge(current, { ...config, metadata: configMeta })) as KubeObject;
  // Fields this manager applied before and no longer applies, that no one else owns, go.
  const mine = entries.find(
    (e) => e.manager === manager && e.operation === "Apply" && e.subresource === w.subresource,
  );
  if (mine) {
    let dropped = subtractFields(mine.fieldsV1, applied);
    for (const e of entries) if (e !== mine) dropped = subtractFields(dropped, e.fieldsV1);
    next = structuredClone(next);
    for (const path of leafPaths(dropped)) deletePath(next, path);
  }
  if (config.metadata?.resourceVersion) next.metadata.resourceVersion = config.metadata.resourceVersion;
  else delete next.metadata.resourceVersion;
  return commit(state, w, address, current, next, manager, "Apply", dryRun, applied);
}

/** Deletes an object: at once without finalizers, else marks it deleting. */
export function deleteObject(state: FakeState, w: WriteRequest, dryRun: boolean): KubeObject {
  const address = addressOf(w, w.name!);
  const current = state.store.get(address);
  if (!current) throw notFound(qualifiedName(w.scope.resource), w.name!);
  if ((current.metadata.finalizers ?? []).length === 0 && !state.hooks.deletesGracefully(address)) {
    if (dryRun) return current;
    const gone = state.store.remove(address)!;
    state.hooks.afterDelete(address, gone);
    return gone;
  }
  if (current.metadata.deletionTimestamp) return current;
  const marked = {
    ...current,
    metadata: {
      ...current.metadata,
      deletionTimestamp: kubeTime(),
      deletionGracePeriodSeconds: 0,
      ...(current.metadata.generation !== undefined && { generation: current.metadata.generation + 1 }),
    },
  };
  if (dryRun) return marked;
  return state.store.put(address, marked);
}
