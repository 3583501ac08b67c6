import { kubeTime } from "../../util/kube-time.js";
import type { KubeObject } from "../../util/objects.js";
import {
  changedFields,
  type FieldSet,
  fieldSetOf,
  presentFields,
  subtractFields,
  unionFields,
} from "./patch.js";

/** One `metadata.managedFields` entry. */
export interface ManagedEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  fieldsType: "FieldsV1";
  fieldsV1: FieldSet;
  subresource?: string;
}

const BOOKKEEPING = [
  "resourceVersion",
  "managedFields",
  "generation",
  "uid",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
];

/** The fields of an object a write can own: no bookkeeping, no name, no apiVersion/kind. */
export function ownableFields(obj: unknown): FieldSet {
  if (typeof obj !== "object" || obj === null) return {};
  const { apiVersion: _a, kind: _k, metadata, ...rest } = obj as KubeObject;
  const meta = { ...(metadata ?? {}) } as Record<string, unknown>;
  for (const k of [...BOOKKEEPING, "name", "namespace"]) delete meta[k];
  const set = fieldSetOf(rest);
  const metaSet = fieldSetOf(meta);
  return Object.keys(metaSet).length > 0 ? { "f:metadata": metaSet, ...set } : set;
}

/**
 * The managed fields after a write: `manager` gets (with `operation`) the fields it set, which
 * leave every other manager's entry; fields gone from the object leave every entry; empty entries go.
 */
export function updateManagedFields(
  entries: ManagedEntry[],
  before: KubeObject | undefined,
  after: KubeObject,
  manager: string,
  operation: "Apply" | "Update",
  subresource: string | undefined,
  applied?: FieldSet,
): ManagedEntry[] {
  const strip = (o: KubeObject | undefined) =>
    o && {
      ...o,
      metadata: Object.fromEntries(Object.entries(o.metadata).filter(([k]) => !BOOKKEEPING.includes(k))),
    };
  const taken = applied ?? changedFields(strip(before) ?? {}, strip(after));
  const mine = (e: ManagedEntry) =>
    e.manager === manager && e.operation === operation && e.subresource === subresource;
  const out: ManagedEntry[] = [];
  let own: FieldSet = {};
  for (const e of entries) {
    if (mine(e)) {
      own = e.fieldsV1;
      continue;
    }
    const rest = presentFields(subtractFields(e.fieldsV1, taken), after);
    if (Object.keys(rest).length > 0) out.push({ ...e, fieldsV1: rest });
  }
  const fields = presentFields(applied ?? unionFields(own, taken), after);
  if (
    Object.keys(fields).length > 0 ||
    (operation === "Apply" && entries.some(mine)) ||
    Object.keys(taken).length > 0
  ) {
    out.push({
      manager,
      operation,
      apiVersion: after.apiVersion ?? "v1",
      time: kubeTime(),
      fieldsType: "FieldsV1",
      fieldsV1: fields,
      ...(subresource && { subresource }),
    });
  }
  return out;
}
