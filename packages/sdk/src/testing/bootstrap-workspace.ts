import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type ConversionWebhookConfig, withConversionWebhook } from "../api/conversion-webhook-form.js";
import { KubeApiError, type KubeClient } from "../transport/kube-client.js";
import type { KubeObject } from "../util/objects.js";
import { waitFor } from "../util/wait.js";
import { createServiceAccountIdentity, type Identity } from "./identity.js";
import { apply, parseYamlObjects, resourcePath } from "./workspaces.js";

/** Options of {@link bootstrapProviderWorkspace}. */
export interface BootstrapProviderWorkspaceOptions {
  /** Folder of YAML written by `mesh-codegen generate` (schemas, export, RBAC, Marketplace objects). */
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
  /** How long to wait for kcp to give the APIExport its `status.identityHash`; default 60 s. */
  identityHashTimeoutMs?: number;
  /** Called with a line of progress while it waits (every 5 s), and for each object it could not apply. */
  onProgress?: (line: string) => void;
}

/** An object of the deploy folder that was not applied, and why. */
export interface SkippedObject {
  /** `ProviderMetadata databases.example.io` */
  object: string;
  reason: string;
}

/** What {@link bootstrapProviderWorkspace} did. */
export interface ProviderWorkspaceBootstrap {
  /** The workspace path the client points at (from its URL). */
  workspace: string;
  /** Every applied object as it is in kcp now (applied, or already up to date and left alone). */
  applied: KubeObject[];
  /**
   * What it could not do with the rights and APIs it has: Marketplace objects of an API the
   * workspace does not serve, objects the kubeconfig may not write. Empty when everything is applied.
   */
  skipped: SkippedObject[];
  identity: Identity;
  /** The APIExport's `status.identityHash`: claims on its resources from other exports name it. */
  identityHash: string;
}

const FIELD_MANAGER = "kcp-mesh-bootstrap";

// What a provider cannot do without: an export needs its schemas, the provider its role. The rest
// (Marketplace objects, the bind group's binding) is reported when it cannot be applied.
const REQUIRED = new Set(["APIResourceSchema", "APIExport", "ClusterRole"]);
const ORDER = ["APIResourceSchema", "APIConversion", "APIExport", "ClusterRole", "ClusterRoleBinding"];
const order = (o: KubeObject) => {
  const i = ORDER.indexOf(o.kind ?? "");
  return i >= 0 ? i : ORDER.length;
};
const describeObject = (o: KubeObject) => `${o.kind} ${o.metadata.name}`;

function workspaceOf(client: KubeClient): string {
  const m = /\/clusters\/([^/]+)/.exec(client.baseUrl.pathname);
  return m ? decodeURIComponent(m[1]!) : client.baseUrl.pathname;
}

/** Why `obj` cannot be applied through `client`, or undefined when its API is served. */
async function notServed(client: KubeClient, obj: KubeObject): Promise<string | undefined> {
  try {
    await resourcePath(client, obj);
    return undefined;
  } catch (err) {
    if (err instanceof KubeApiError) throw err;
    const platformMesh = obj.apiVersion?.startsWith("ui.platform-mesh.io/")
      ? "; Platform Mesh binds ui.platform-mesh.io into provider workspaces, a plain kcp does not serve it"
      : "";
    return `${obj.apiVersion} is not served in this workspace${platformMesh}`;
  }
}

/**
 * Sets up a provider in its own workspace with only a kubeconfig for that workspace, as Platform
 * Mesh hands one out (the `Provider` resource's `<name>-provider-kubeconfig` Secret: a service
 * account with cluster-admin in the provider workspace and no rights anywhere else). Idempotent.
 *
 * It applies (server-side apply, objects already up to date are left alone) everything of
 * `deployDir` the workspace serves, in order: APIResourceSchemas, the APIExport, ClusterRoles,
 * ClusterRoleBindings (the `--bind-group` grant), then the Marketplace objects (`ProviderMetadata`,
 * `ContentConfiguration`); creates the provider's service account bound to `<export>:provider` and
 * a kubeconfig with a fresh token; and waits, with a deadline and progress lines, until kcp has given
 * the export its `status.identityHash`, which the Marketplace needs before it lists the provider.
 *
 * What it could not do is returned in `skipped` (and told to `onProgress`): an object of an API the
 * workspace does not serve, or one the kubeconfig may not write. It throws, naming every object,
 * when a schema, the export or a role could not be applied, since the provider cannot work without them.
 *
 * @param client a client for the provider workspace (`KubeClient.fromKubeConfig({ path })`)
 *
 * @example
 * ```ts
 * const client = KubeClient.fromKubeConfig({ path: "provider.kubeconfig" });
 * const done = await bootstrapProviderWorkspace(client, {
 *   deployDir: "deploy",
 *   identityName: "widgets-provider",
 *   kubeconfigPath: ".kcp/widgets-provider.kubeconfig",
 *   onProgress: (line) => console.log(line),
 * });
 * for (const s of done.skipped) console.warn(`not applied: ${s.object}: ${s.reason}`);
 * ```
 */
export async function bootstrapProviderWorkspace(
  client: KubeClient,
  options: BootstrapProviderWorkspaceOptions,
): Promise<ProviderWorkspaceBootstrap> {
  const progress = options.onProgress ?? (() => {});
  const workspace = workspaceOf(client);
  const read = readdirSync(options.deployDir)
    .filter((f) => f.endsWith(".yaml") || f.endsWith(".yml"))
    .sort()
    .flatMap((f) => parseYamlObjects(readFileSync(join(options.deployDir, f), "utf8")));
  const objects = (
    options.conversionWebhook ? withConversionWebhook(read, options.conversionWebhook) : read
  ).sort((a, b) => order(a) - order(b));
  const apiExport = objects.find((o) => o.kind === "APIExport");
  if (!apiExport) throw new Error(`${options.deployDir} holds no APIExport: run mesh-codegen generate first`);
  const providerRoles = objects
    .filter((o) => o.kind === "ClusterRole" && o.metadata.name?.endsWith(":provider"))
    .map((o) => o.metadata.name!);
  if (providerRoles.length === 0)
    throw new Error(`${options.deployDir} holds no <export>:provider ClusterRole`);

  const applied: KubeObject[] = [];
  const skipped: SkippedObject[] = [];
  const failed: SkippedObject[] = [];
  for (const obj of objects) {
    const reason =
      (await notServed(client, obj)) ??
      (await apply(client, [obj], { fieldManager: FIELD_MANAGER, skipUnchanged: true }).then(
        (live) => {
          applied.push(...live);
          return undefined;
        },
        (err: unknown) => {
          if (err instanceof KubeApiError && err.status === 403)
            return `forbidden with this kubeconfig's rights in ${workspace}: ${err.message}`;
          throw err;
        },
      ));
    if (reason === undefined) continue;
    const entry = { object: describeObject(obj), reason };
    (REQUIRED.has(obj.kind ?? "") ? failed : skipped).push(entry);
    progress(`not applied: ${entry.object}: ${reason}`);
  }
  if (failed.length > 0) {
    throw new Error(
      `could not set up the provider in ${workspace}; the provider needs these objects:\n${failed
        .map((f) => `  ${f.object}: ${f.reason}`)
        .join("\n")}`,
    );
  }

  if (options.kubeconfigPath) mkdirSync(dirname(options.kubeconfigPath), { recursive: true });
  const identity = await createServiceAccountIdentity(client, {
    name: options.identityName,
    clusterRoles: providerRoles,
    fieldManager: FIELD_MANAGER,
    ...(options.kubeconfigPath && { kubeconfigPath: options.kubeconfigPath }),
  });

  const exportName = apiExport.metadata.name!;
  const exportPath = await resourcePath(client, apiExport);
  const timeoutMs = options.identityHashTimeoutMs ?? 60_000;
  const started = Date.now();
  let told = started;
  const identityHash = await waitFor(
    `APIExport ${exportName} in ${workspace} to get a status.identityHash`,
    async () => {
      const live = await client.get<{ status?: { identityHash?: string } }>(exportPath);
      const hash = live?.status?.identityHash;
      if (hash) return hash;
      if (Date.now() - told >= 5_000) {
        told = Date.now();
        progress(
          `waiting for APIExport ${exportName} status.identityHash (${Math.round((told - started) / 1000)}s of ${timeoutMs / 1000}s)`,
        );
      }
      throw new Error(live ? "no identityHash in its status yet" : "the APIExport is gone");
    },
    { timeoutMs, intervalMs: 250 },
  );
  return { workspace, applied, skipped, identity, identityHash };
}
