import type { KubeObject } from "../../util/objects.js";
import { ADMIN_GROUP, type FakeState, type User } from "./state.js";

/** What a request asks to do, in RBAC's terms. */
export interface Attributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  name?: string;
  namespace?: string;
}

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
}

interface Binding extends KubeObject {
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
  rules?: Rule[];
}

function subjectMatches(user: User, s: { kind: string; name: string; namespace?: string }): boolean {
  if (s.kind === "User") return s.name === user.name;
  if (s.kind === "Group") return user.groups.includes(s.name);
  if (s.kind === "ServiceAccount")
    return user.name === `system:serviceaccount:${s.namespace ?? "default"}:${s.name}`;
  return false;
}

function ruleAllows(rule: Rule, a: Attributes): boolean {
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const has = (list: string[] | undefined, v: string) => (list ?? []).some((x) => x === "*" || x === v);
  if (!has(rule.apiGroups, a.group) || !has(rule.verbs, a.verb) || !has(rule.resources, res)) return false;
  if (rule.resourceNames?.length) return a.name !== undefined && rule.resourceNames.includes(a.name);
  return true;
}

/**
 * RBAC as kcp evaluates it within one logical cluster: the admin group may do anything; everyone
 * else gets what the ClusterRoleBindings (and, in a namespace, RoleBindings) of that cluster grant.
 * A service account's token counts only in the workspace it lives in.
 */
export function authorize(state: FakeState, user: User, cluster: string, a: Attributes): boolean {
  if (user.groups.includes(ADMIN_GROUP)) return true;
  if (user.cluster !== undefined && user.cluster !== cluster) return false;
  const roles = (kind: string, ns: string | undefined, name: string): Rule[] => {
    const plural = kind === "ClusterRole" ? "clusterroles" : "roles";
    const role = state.store.get({
      cluster,
      resource: `rbac.authorization.k8s.io/${plural}`,
      namespace: kind === "ClusterRole" ? "" : (ns ?? ""),
      name,
    }) as Binding | undefined;
    return role?.rules ?? [];
  };
  const check = (bindings: KubeObject[], ns: string | undefined) =>
    (bindings as Binding[]).some(
      (b) =>
        b.roleRef &&
        (b.subjects ?? []).some((s) => subjectMatches(user, s)) &&
        roles(b.roleRef.kind, ns, b.roleRef.name).some((r) => ruleAllows(r, a)),
    );
  if (check(state.listIn(cluster, "rbac.authorization.k8s.io", "clusterrolebindings"), undefined))
    return true;
  if (a.namespace) {
    const rbs = state
      .listIn(cluster, "rbac.authorization.k8s.io", "rolebindings")
      .filter((b) => b.metadata.namespace === a.namespace);
    if (check(rbs, a.namespace)) return true;
  }
  return false;
}

/** Kubernetes' wording of a 403. */
export function forbiddenMessage(user: User, a: Attributes, qualified: string): string {
  const what = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : "at the cluster scope";
  const target = a.name ? `${qualified} "${a.name}" is forbidden` : `${qualified} is forbidden`;
  return `${target}: User "${user.name}" cannot ${a.verb} resource "${what}" in API group "${a.group}" ${scope}: access denied`;
}
