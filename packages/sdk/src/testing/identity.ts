import { writeFileSync } from "node:fs";
import { stringify } from "yaml";
import type { PolicyRule } from "../api/provider-identity.js";
import type { KubeClient } from "../transport/kube-client.js";
import type { KubeObject } from "../util/objects.js";
import { waitFor } from "../util/wait.js";
import { apply } from "./workspaces.js";

export interface IdentityOptions {
  /** Service account name. */
  name: string;
  namespace?: string;
  /** Rules for a ClusterRole made for this identity. */
  rules?: PolicyRule[];
  /** Existing ClusterRoles to bind as well. */
  clusterRoles?: string[];
  /** Extra RBAC objects to apply first (e.g. the ClusterRoles mesh-codegen generates). */
  rbac?: KubeObject[];
  /** Token lifetime; default one day. */
  expirationSeconds?: number;
  /** Also write the kubeconfig to this file. */
  kubeconfigPath?: string;
  /** Field manager of the server-side apply of the objects (default `kcp-mesh-testing`). */
  fieldManager?: string;
}

export interface Identity {
  /** `system:serviceaccount:<ns>:<name>` */
  username: string;
  token: string;
  /** A kubeconfig for the workspace the identity lives in, authenticating with the token. */
  kubeconfig: string;
}

/**
 * Creates a non-admin identity: a service account in a workspace, bound to the given roles, and a
 * kubeconfig with its token. Tests that run a provider under it check that the provider works with
 * only the rights it will have in production.
 *
 * Idempotent: objects that already hold what this would apply are not written again (their
 * resourceVersions stay), and each call asks for a fresh token (a TokenRequest, which stores
 * nothing), so a second call with the same options changes nothing in the workspace.
 *
 * @param workspace admin client for the workspace the identity lives in (e.g. the provider's)
 */
export async function createServiceAccountIdentity(
  workspace: KubeClient,
  options: IdentityOptions,
): Promise<Identity> {
  const ns = options.namespace ?? "default";
  const roleName = `${options.name}-identity`;
  const objects: KubeObject[] = [...(options.rbac ?? [])];
  if (ns !== "default") objects.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  objects.push({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: options.name, namespace: ns } });
  const subject = { kind: "ServiceAccount", name: options.name, namespace: ns };
  const roles = [...(options.clusterRoles ?? [])];
  if (options.rules?.length) {
    objects.push({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: roleName },
      rules: options.rules,
    });
    roles.push(roleName);
  }
  for (const role of roles) {
    objects.push({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: `${options.name}-${role}`.slice(0, 253) },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
      subjects: [subject],
    });
  }
  await apply(workspace, objects, {
    skipUnchanged: true,
    ...(options.fieldManager && { fieldManager: options.fieldManager }),
  });

  // The service account controller of a new workspace may lag a moment behind.
  const tokenRequest = await waitFor(`a token for service account ${ns}/${options.name}`, () =>
    workspace.request<{ status: { token: string } }>({
      method: "POST",
      path: `/api/v1/namespaces/${ns}/serviceaccounts/${options.name}/token`,
      body: {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: { expirationSeconds: options.expirationSeconds ?? 86_400 },
      },
    }),
  );
  const token = tokenRequest.status.token;
  const cluster = workspace.kubeConfig.getCurrentCluster()!;
  const kubeconfig = stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "workspace",
        cluster: {
          server: workspace.baseUrl.toString().replace(/\/$/, ""),
          ...(cluster.caData && { "certificate-authority-data": cluster.caData }),
          ...(cluster.caFile && { "certificate-authority": cluster.caFile }),
          ...(cluster.skipTLSVerify && { "insecure-skip-tls-verify": true }),
        },
      },
    ],
    users: [{ name: options.name, user: { token } }],
    contexts: [{ name: "workspace", context: { cluster: "workspace", user: options.name } }],
    "current-context": "workspace",
  });
  if (options.kubeconfigPath) writeFileSync(options.kubeconfigPath, kubeconfig, { mode: 0o600 });
  return { username: `system:serviceaccount:${ns}:${options.name}`, token, kubeconfig };
}
