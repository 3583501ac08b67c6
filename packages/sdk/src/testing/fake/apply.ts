import { isDeepStrictEqual } from "node:util";
import { parse as parseYaml } from "yaml";
import { kubeTime } from "../../util/kube-time.js";
import type { KubeObject } from "../../util/objects.js";
import { commit } from "./commit.js";
import { createObject } from "./create.js";
import { badRequest, notFound, StatusError } from "./http.js";
import { type ManagedEntry, ownableFields } from "./managed-fields.js";
import { applyMerge, deletePath, leafPaths, subtractFields } from "./patch.js";
import { qualifiedName } from "./resources.js";
import type { FakeState } from "./state.js";
import type { ObjectAddress } from "./store.js";
import type { WriteRequest } from "./write-request.js";

/** Server-side apply (PATCH with application/apply-patch+yaml): creates, or merges and takes ownership of the applied fields. */
export function applyObject(
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
