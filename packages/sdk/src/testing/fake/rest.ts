import { kubeTime } from "../../util/kube-time.js";
import type { KubeObject } from "../../util/objects.js";
import { applyObject } from "./apply.js";
import { commit } from "./commit.js";
import { badRequest, notFound, StatusError } from "./http.js";
import { jsonPatch, mergePatch, PatchError } from "./patch.js";
import { qualifiedName } from "./resources.js";
import type { FakeState } from "./state.js";
import { addressOf, invalid, parseJson, type WriteRequest } from "./write-request.js";

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
