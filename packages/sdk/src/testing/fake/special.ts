import { randomBytes } from "node:crypto";
import { kubeTime } from "../../util/kube-time.js";
import type { KubeObject } from "../../util/objects.js";
import { authorize } from "./auth.js";
import { badRequest, notFound } from "./http.js";
import type { FakeState, LogicalCluster, User } from "./state.js";

/** POST `serviceaccounts/<name>/token`: a token that authenticates as the service account in its workspace. */
export function tokenRequest(
  state: FakeState,
  cluster: LogicalCluster,
  namespace: string,
  name: string,
  body: string,
): KubeObject {
  if (!state.store.get({ cluster: cluster.id, resource: "/serviceaccounts", namespace, name }))
    throw notFound("serviceaccounts", name);
  const req = JSON.parse(body || "{}") as { spec?: { expirationSeconds?: number; audiences?: string[] } };
  const seconds = req.spec?.expirationSeconds ?? 3600;
  const token = `fake-sa-${randomBytes(24).toString("hex")}`;
  state.tokens.set(token, {
    name: `system:serviceaccount:${namespace}:${name}`,
    groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"],
    cluster: cluster.id,
  });
  return {
    kind: "TokenRequest",
    apiVersion: "authentication.k8s.io/v1",
    metadata: { name, namespace, creationTimestamp: null as unknown as string },
    spec: { audiences: req.spec?.audiences ?? [], expirationSeconds: seconds },
    status: {
      token,
      expirationTimestamp: kubeTime(new Date(Date.now() + seconds * 1000)),
    },
  } as KubeObject;
}

/** POST `selfsubjectaccessreviews`: whether the caller may do what the review asks, by the fake's RBAC. */
export function selfSubjectAccessReview(
  state: FakeState,
  user: User,
  cluster: LogicalCluster,
  body: string,
): KubeObject {
  const review = JSON.parse(body || "{}") as {
    spec?: {
      resourceAttributes?: {
        group?: string;
        resource?: string;
        subresource?: string;
        name?: string;
        namespace?: string;
        verb?: string;
      };
    };
  };
  const a = review.spec?.resourceAttributes;
  if (!a?.verb || !a.resource) throw badRequest("spec.resourceAttributes needs verb and resource");
  const allowed = authorize(state, user, cluster.id, {
    verb: a.verb,
    group: a.group ?? "",
    resource: a.resource,
    ...(a.subresource && { subresource: a.subresource }),
    ...(a.name && { name: a.name }),
    ...(a.namespace && { namespace: a.namespace }),
  });
  return {
    kind: "SelfSubjectAccessReview",
    apiVersion: "authorization.k8s.io/v1",
    metadata: {},
    spec: review.spec,
    status: { allowed, ...(!allowed && { reason: "access denied" }) },
  } as KubeObject;
}
