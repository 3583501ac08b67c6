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
  /** Every object of `deployDir` as it is in kcp now (applied, or already up to date and left alone). */
  applied: KubeObject[];
}

const FIELD_MANAGER = "kcp-mesh-bootstrap";

/** The ClusterRoles in generated RBAC that a provider identity gets (`<export>:provider`). */
function providerRoles(objects: KubeObject[]): string[] {
  return objects
    .filter((o) => o.kind === "ClusterRole" && o.metadata.name?.endsWith(":provider"))
    .map((o) => o.metadata.name!);
}

/**
 * Sets up a provider's workspace, idempotently: creates the workspace, applies the generated
 * APIResourceSchemas, APIExport and RBAC (server-side apply), creates the provider's service
 * account bound to the generated `<export>:provider` role, and returns (and optionally writes) a
 * kubeconfig with a fresh token. The provider then runs with only the rights it has in production.
 *
 * A second run with the same inputs writes nothing: objects that already hold what would be applied
 * are left alone (see `skipUnchanged` of {@link apply}), so every resourceVersion stays as it was.
 * A changed input (a new schema, changed RBAC) is applied.
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
    { fieldManager: FIELD_MANAGER, skipUnchanged: true },
  );
  const roles = providerRoles(objects);
  if (roles.length === 0) throw new Error(`${options.deployDir} holds no <export>:provider ClusterRole`);
  if (options.kubeconfigPath) mkdirSync(dirname(options.kubeconfigPath), { recursive: true });
  const identity = await createServiceAccountIdentity(client, {
    name: options.identityName,
    clusterRoles: roles,
    fieldManager: FIELD_MANAGER,
    ...(options.kubeconfigPath && { kubeconfigPath: options.kubeconfigPath }),
  });
  return { workspace, identity, applied };
}
