import type { Logger } from "pino";
import { RUNTIME_CONTENT_VERBS } from "../api/provider-identity.js";
import { Backoff } from "../runtime/backoff.js";
import { KubeApiError, type KubeClient, KubeTimeoutError } from "../transport/kube-client.js";
import { KubeConfigError } from "../transport/kube-config.js";

/**
 * A provider that cannot work as configured: rejected credentials, a wrong export name, a missing
 * permission. `start()` rejects with it instead of retrying forever; `reason` is a short code that
 * `/readyz` and the `kcp_mesh_provider_not_ready` metric show too.
 */
export class ProviderStartError extends Error {
  override readonly name = "ProviderStartError";
  constructor(
    readonly reason: "Unauthorized" | "Forbidden" | "ExportNotFound" | "Credentials",
    message: string,
  ) {
    super(message);
  }
}

/** What {@link checkProviderSetup} reports while it retries a transient failure. */
export type SetupProgress = (reason: string | undefined) => void;

export interface SetupCheckOptions {
  client: KubeClient;
  exportName: string;
  /** Describes where the credentials came from, e.g. `kubeconfig provider.kubeconfig`. */
  credentialsFrom: string;
  logger: Logger;
  signal: AbortSignal;
  /** Told the reason the provider is not ready yet, `undefined` once checked. */
  progress: SetupProgress;
  /** How long an export without its endpoint slice counts as "kcp has not created it yet". */
  sliceGraceMs?: number;
}

function workspaceOf(client: KubeClient): string {
  return /\/clusters\/([^/]+)/.exec(client.baseUrl.pathname)?.[1] ?? client.baseUrl.pathname;
}

function transient(err: unknown): boolean {
  if (err instanceof KubeApiError) return err.status >= 500 || err.status === 429;
  return err instanceof KubeTimeoutError || err instanceof Error;
}

/**
 * Checks, before any watch opens, that the provider can work: its credentials are readable and
 * accepted, the export's APIExportEndpointSlice exists in the provider workspace, and the identity
 * holds the verbs the runtime uses on `apiexports/content`. Fatal findings throw
 * {@link ProviderStartError} naming the workspace, export and what is missing; network errors and
 * 5xx answers are retried with backoff (logged at warn from the third attempt) until they pass or
 * `signal` aborts.
 */
export async function checkProviderSetup(options: SetupCheckOptions): Promise<void> {
  const { client, exportName, logger, signal } = options;
  try {
    await client.checkCredentials();
  } catch (err) {
    const why = err instanceof KubeConfigError ? err.message : (err as Error).message;
    throw new ProviderStartError(
      "Credentials",
      `${options.credentialsFrom}: credentials cannot be used: ${why}`,
    );
  }
  const ws = workspaceOf(client);
  const backoff = new Backoff({ initialMs: 500, maxMs: 15_000 });
  const sliceGraceMs = options.sliceGraceMs ?? 30_000;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    signal.throwIfAborted();
    try {
      const missingSlice = await checkOnce(client, exportName, ws, options.credentialsFrom, signal);
      if (!missingSlice) break;
      // kcp creates the slice right after the export: give it a moment before calling it wrong.
      if (Date.now() - started > sliceGraceMs) throw new ProviderStartError("ExportNotFound", missingSlice);
      options.progress(`waiting for kcp to create APIExportEndpointSlice "${exportName}"`);
    } catch (err) {
      if (err instanceof ProviderStartError || signal.aborted || !transient(err)) throw err;
      const message = (err as Error).message;
      options.progress(`cannot reach the API server: ${message}`);
      const log = attempt >= 3 ? logger.warn.bind(logger) : logger.info.bind(logger);
      log({ attempt, err: message, workspace: ws }, "provider start-up check failed; retrying");
    }
    await sleep(backoff.next(), signal);
  }
  await checkContentVerbs(client, exportName, ws, logger, signal);
  options.progress(undefined);
}

/** One round; resolves with a message when only the endpoint slice is missing. */
async function checkOnce(
  client: KubeClient,
  exportName: string,
  ws: string,
  credentialsFrom: string,
  signal: AbortSignal,
): Promise<string | undefined> {
  try {
    await client.request({
      path: `/apis/apis.kcp.io/v1alpha1/apiexportendpointslices/${exportName}`,
      signal,
    });
    return undefined;
  } catch (err) {
    if (!(err instanceof KubeApiError)) throw err;
    if (err.status === 401) {
      throw new ProviderStartError(
        "Unauthorized",
        `the API server rejected the credentials of ${credentialsFrom} (401 Unauthorized): the token or client certificate is invalid or expired`,
      );
    }
    if (err.status === 403) {
      throw new ProviderStartError(
        "Forbidden",
        `the provider identity may not get apiexportendpointslices "${exportName}" in workspace ${ws} (403 Forbidden: ${err.message}); bind it to the ClusterRole "${exportName}:provider" that mesh-codegen generates`,
      );
    }
    if (err.status !== 404) throw err;
  }
  const exp = await client
    .request({ path: `/apis/apis.kcp.io/v1alpha2/apiexports/${exportName}`, signal })
    .then(
      () => "exists" as const,
      (err: unknown) => {
        if (err instanceof KubeApiError && err.status === 404) return "missing" as const;
        if (err instanceof KubeApiError && err.status === 403) return "unknown" as const;
        throw err;
      },
    );
  if (exp === "exists") {
    return `APIExport "${exportName}" exists in workspace ${ws}, but its APIExportEndpointSlice of the same name does not`;
  }
  const names = await client
    .request<{ items?: { metadata: { name?: string } }[] }>({
      path: "/apis/apis.kcp.io/v1alpha2/apiexports",
      signal,
    })
    .then((l) => (l.items ?? []).map((i) => i.metadata.name ?? ""))
    .catch(() => undefined);
  const known = names === undefined ? "" : ` (exports there: ${names.join(", ") || "none"})`;
  throw new ProviderStartError(
    "ExportNotFound",
    exp === "missing"
      ? `no APIExport "${exportName}" in workspace ${ws}${known}: check the export name and the kubeconfig's workspace`
      : `no APIExport "${exportName}" (no APIExportEndpointSlice of that name) in workspace ${ws}: check the export name and the kubeconfig's workspace (this identity may not list APIExports, so the names there cannot be shown)`,
  );
}

/**
 * Asks the API server (SelfSubjectAccessReview) whether the identity holds each verb the runtime
 * uses on the export's content; a missing verb would otherwise show only as 403s in the watches.
 * A server that cannot answer the review is not a reason to refuse to start.
 */
async function checkContentVerbs(
  client: KubeClient,
  exportName: string,
  ws: string,
  logger: Logger,
  signal: AbortSignal,
): Promise<void> {
  const missing: string[] = [];
  for (const verb of RUNTIME_CONTENT_VERBS) {
    const review = await client
      .request<{ status?: { allowed?: boolean } }>({
        method: "POST",
        path: "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        body: {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SelfSubjectAccessReview",
          spec: {
            resourceAttributes: {
              group: "apis.kcp.io",
              resource: "apiexports",
              subresource: "content",
              name: exportName,
              verb,
            },
          },
        },
        signal,
      })
      .catch((err: unknown) => {
        logger.debug({ err }, "access review unavailable; skipping the permission check");
        return undefined;
      });
    if (review === undefined) return;
    if (review.status?.allowed !== true) missing.push(verb);
  }
  if (missing.length > 0) {
    throw new ProviderStartError(
      "Forbidden",
      `the provider identity lacks ${missing.join(", ")} on apiexports/content "${exportName}" in workspace ${ws}; the runtime needs ${RUNTIME_CONTENT_VERBS.join(", ")} (the ClusterRole "${exportName}:provider" that mesh-codegen generates grants them)`,
    );
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
