import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { KubeClient } from "../transport/kube-client.js";
import type { KubeObject } from "../util/objects.js";
import { createServiceAccountIdentity, type Identity } from "./identity.js";
import { apply, createWorkspace, parseYamlObjects, type WorkspaceRef } from "./workspaces.js";

export interface BootstrapProviderOptions {
  /** Workspace path of the provider, e.g. `root:providers:httpbin`; created with its parents. */
  workspace: string;
  /** Folder of YAML written by `mesh-codegen generate` (schemas, export, RBAC). */
  deployDir: string;
  /** Name of the provider's service account. */
  identityName: string;
  /** Write the provider identity's kubeconfig here. */
  kubeconfigPath?: string;
}

export interface BootstrappedProvider {
  workspace: WorkspaceRef;
  identity: Identity;
  /** Everything applied from `deployDir`. */
  applied: KubeObject[];
}

/** The ClusterRoles in generated RBAC that a provider identity gets (`<export>:provider`). */
function providerRoles(objects: KubeObject[]): string[] {
  return objects
    .filter((o) => o.kind === "ClusterRole" && o.metadata.name?.endsWith(":provider"))
    .map((o) => o.metadata.name!);
}

/**
 * Sets up a provider's workspace, idempotently: creates the workspace, applies the generated
 * APIResourceSchemas, APIExport and RBAC (server-side apply, so a second run changes nothing),
 * creates the provider's service account bound to the generated `<export>:provider` role, and
 * returns (and optionally writes) a kubeconfig with its token. The provider then runs with only the
 * rights it has in production.
 *
 * @param admin a client with rights to create workspaces (kcp's admin kubeconfig)
 */
export async function bootstrapProvider(
  admin: KubeClient,
  options: BootstrapProviderOptions,
): Promise<BootstrappedProvider> {
  const workspace = await createWorkspace(admin, options.workspace);
  const client = admin.forWorkspace(workspace.path);
  const files = readdirSync(options.deployDir)
    .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
    .sort();
  // ProviderMetadata is read by Platform Mesh's marketplace, which a plain kcp does not serve.
  const objects = files
    .flatMap((f) => parseYamlObjects(readFileSync(join(options.deployDir, f), "utf8")))
    .filter((o) => o.kind !== "ProviderMetadata");
  if (!objects.some((o) => o.kind === "APIExport")) {
    throw new Error(`${options.deployDir} holds no APIExport: run mesh-codegen generate first`);
  }
  // Schemas before the export that names them; RBAC last.
  const order = (o: KubeObject) => (o.kind === "APIResourceSchema" ? 0 : o.kind === "APIExport" ? 1 : 2);
  const applied = await apply(
    client,
    [...objects].sort((a, b) => order(a) - order(b)),
    { fieldManager: "kcp-mesh-bootstrap" },
  );
  const roles = providerRoles(objects);
  if (roles.length === 0) throw new Error(`${options.deployDir} holds no <export>:provider ClusterRole`);
  if (options.kubeconfigPath) mkdirSync(dirname(options.kubeconfigPath), { recursive: true });
  const identity = await createServiceAccountIdentity(client, {
    name: options.identityName,
    clusterRoles: roles,
    ...(options.kubeconfigPath && { kubeconfigPath: options.kubeconfigPath }),
  });
  return { workspace, identity, applied };
}
