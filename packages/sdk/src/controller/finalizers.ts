/**
 * Finalizer patches (kube-rs `finalizer.rs` style): JSON patches guarded by a `test` op on the
 * current list, so a concurrent change (someone else adding or removing their finalizer) makes the
 * patch fail instead of overwriting the other party's finalizer; the caller re-reads and retries.
 */
export type JsonPatchOp =
  | { op: "test"; path: string; value: unknown }
  | { op: "add"; path: string; value: unknown }
  | { op: "remove"; path: string };

interface Meta {
  finalizers?: readonly string[];
  resourceVersion?: string;
}

/** The patch that adds `finalizer`, or `undefined` when it is already there. */
export function addFinalizerPatch(meta: Meta, finalizer: string): JsonPatchOp[] | undefined {
  const current = meta.finalizers;
  if (current?.includes(finalizer)) return undefined;
  if (!current || current.length === 0) {
    // There is no list to test; `add` would replace a list created meanwhile, so guard with the
    // resourceVersion instead.
    return [
      { op: "test", path: "/metadata/resourceVersion", value: meta.resourceVersion },
      { op: "add", path: "/metadata/finalizers", value: [finalizer] },
    ];
  }
  return [
    { op: "test", path: "/metadata/finalizers", value: current },
    { op: "add", path: "/metadata/finalizers/-", value: finalizer },
  ];
}

/** The patch that removes `finalizer`, or `undefined` when it is not there. */
export function removeFinalizerPatch(meta: Meta, finalizer: string): JsonPatchOp[] | undefined {
  const current = meta.finalizers;
  const i = current?.indexOf(finalizer) ?? -1;
  if (!current || i < 0) return undefined;
  return [
    { op: "test", path: "/metadata/finalizers", value: current },
    { op: "remove", path: `/metadata/finalizers/${i}` },
  ];
}
