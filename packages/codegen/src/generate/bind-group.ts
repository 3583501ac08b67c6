import type { ApiDefinition } from "@kcp-mesh/sdk/api";
import type { ProblemSink } from "../problems.js";
import { roleNames } from "./rbac.js";

/**
 * The ClusterRoleBinding that grants the generated `<export>:bind` role to groups (such as
 * `system:authenticated`, as Platform Mesh's provider guide does): everyone in them may bind the
 * export into a workspace of theirs and read the Marketplace objects of the provider workspace (see
 * `buildBindRole`). It gives no access to any consumer's objects, and none to the provider's own.
 */
export function buildBindGroupBinding(
  api: ApiDefinition,
  groups: readonly string[],
): Record<string, unknown> {
  const role = roleNames(api.name).bind;
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: role },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    subjects: groups.map((name) => ({ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name })),
  };
}

/** Reports empty, repeated or whitespace-holding group names of `--bind-group`. */
export function checkBindGroups(groups: readonly string[], sink: ProblemSink): void {
  for (const [i, g] of groups.entries()) {
    if (!g.trim() || /\s/.test(g))
      sink.error(`--bind-group[${i}]`, `"${g}" is not a group name such as system:authenticated`);
    else if (groups.indexOf(g) !== i) sink.error(`--bind-group[${i}]`, `"${g}" is given twice`);
  }
}
