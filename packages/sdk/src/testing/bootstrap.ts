import type { ConversionWebhookConfig } from "../api/conversion-webhook-form.js";
import type { KubeClient } from "../transport/kube-client.js";
import type { KubeObject } from "../util/objects.js";
import { bootstrapProviderWorkspace, type SkippedObject } from "./bootstrap-workspace.js";
import type { Identity } from "./identity.js";
import { createWorkspace, type WorkspaceRef } from "./workspaces.js";

export interface BootstrapProviderOptions {
  /** Workspace path of the provider, e.g. `root:providers:httpbin`; created with its parents. */
  workspace: string;
  /** Folder of YAML written by `mesh-codegen generate` (schemas, export, RBAC). */
  deployDir: string;
  /** Name of the provider's service account. */
  identityName: string;
  /** Write the provider identity's kubeconfig here. */
  kubeconfigPath?: string;
  /**
   * Switch schemas that have an APIConversion to this conversion webhook before applying them
   * (`withConversionWebhook`): kcp v0.32 stores APIConversions but does not run them.
   */
  conversionWebhook?: ConversionWebhookConfig;
}

export interface BootstrappedProvider {
  workspace: WorkspaceRef;
  identity: Identity;
  /** Every object of `deployDir` as it is in kcp now (applied, or already up to date and left alone). */
  applied: KubeObject[];
  /** Objects not applied, and why (ProviderMetadata on a kcp without Platform Mesh's API). */
  skipped: SkippedObject[];
}

/**
 * Sets up a provider's workspace, idempotently: creates the workspace (with an admin client of a
 * parent), then does what {@link bootstrapProviderWorkspace} does in it: applies the generated
 * APIResourceSchemas, APIExport and RBAC (server-side apply) and the Marketplace objects the
 * workspace serves, creates the provider's service account bound to the generated
 * `<export>:provider` role, returns (and optionally writes) a kubeconfig with a fresh token, and
 * waits for the export's identity hash. The provider then runs with only the rights it has in
 * production. With only a kubeconfig of the provider workspace (Platform Mesh's), call
 * {@link bootstrapProviderWorkspace} instead.
 *
 * A second run with the same inputs writes nothing: objects that already hold what would be applied
 * are left alone (see `skipUnchanged` of `apply`), so every resourceVersion stays as it was.
 * A changed input (a new schema, changed RBAC) is applied.
 *
 * @param admin a client with rights to create workspaces (kcp's admin kubeconfig)
 */
export async function bootstrapProvider(
  admin: KubeClient,
  options: BootstrapProviderOptions,
): Promise<BootstrappedProvider> {
  const workspace = await createWorkspace(admin, options.workspace);
  const done = await bootstrapProviderWorkspace(admin.forWorkspace(workspace.path), {
    deployDir: options.deployDir,
    identityName: options.identityName,
    ...(options.kubeconfigPath && { kubeconfigPath: options.kubeconfigPath }),
    ...(options.conversionWebhook && { conversionWebhook: options.conversionWebhook }),
  });
  return { workspace, identity: done.identity, applied: done.applied, skipped: done.skipped };
}
