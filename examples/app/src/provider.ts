import {
  createProvider,
  explainClaimFailure,
  type KubeObject,
  type ObjectRef,
  type Provider,
  type ProviderOptions,
  SECRETS,
} from "@kcp-mesh/sdk";
import { App, type AppObject, SECRETS_CLAIM } from "../api/index.js";

import { type Connection, DatabaseError, storeAndVerify } from "./kv-client.js";

/** The APIExport this provider serves (`name` in api/index.ts). */
export const EXPORT = "apps.examples.kcp-mesh.io";

/** Options of {@link createAppProvider}: the SDK's provider options, plus retry timing. */
export interface AppProviderOptions extends Omit<ProviderOptions, "export"> {
  /**
   * When an App waits (no Secret yet, database unreachable, claim not accepted), look again after
   * this long. A Secret appearing or changing reconciles at once through the related watch; this
   * timer is only the safety net. Default 60 s.
   */
  retryAfterMs?: number;
  /** A Ready App re-checks its database this often, so an outage shows in status. Default 5 min. */
  recheckAfterMs?: number;
}

interface Secret extends KubeObject {
  data?: Record<string, string>;
}

/** The Secret an App reads: `spec.secretName`, else the Database provider's `<database>-connection`. */
export function secretNameOf(app: AppObject): string {
  return app.spec.secretName ?? `${app.spec.databaseRef.name}-connection`;
}

/**
 * The App provider: each App names a Database in its namespace; the provider reads the connection
 * Secret the Database provider wrote there (through its own read-only `secrets` claim), connects,
 * stores `spec.message` in the database and reads it back. Until the Secret exists the App stays
 * Pending with reason SecretNotFound; it becomes Ready as soon as the Secret appears, because a
 * related watch on Secrets reconciles the Apps that reference it.
 *
 * To fork: rename `App`, and replace {@link storeAndVerify} with what your service does with the
 * credentials.
 */
export function createAppProvider(options: AppProviderOptions): { provider: Provider } {
  const { retryAfterMs = 60_000, recheckAfterMs = 300_000, ...providerOptions } = options;
  const provider = createProvider({ ...providerOptions, export: EXPORT });

  provider.reconcile(
    App,
    async (app, ctx) => {
      const namespace = app.metadata.namespace!;
      const secretName = secretNameOf(app);
      const status = { observedGeneration: app.metadata.generation };
      const pending = (reason: string, message: string) => {
        ctx.log.info({ reason }, message);
        return {
          status: { ...status, phase: "Pending" as const },
          ready: { status: "False" as const, reason, message },
          requeueAfter: retryAfterMs,
        };
      };

      let secret: Secret | undefined;
      try {
        secret = await ctx.client.get<Secret>(`/api/v1/namespaces/${namespace}/secrets/${secretName}`);
      } catch (err) {
        const problem = await explainClaimFailure(ctx.client, EXPORT, SECRETS_CLAIM, err);
        if (!problem) throw err;
        return pending(problem.reason, problem.message);
      }
      if (!secret) {
        return pending(
          "SecretNotFound",
          `waiting for Secret ${namespace}/${secretName}, written by the Database provider for Database ${app.spec.databaseRef.name}`,
        );
      }
      const conn = decode(secret);
      const missing = (["endpoint", "username", "password"] as const).filter((k) => !conn[k]);
      if (missing.length > 0) {
        return pending(
          "SecretIncomplete",
          `Secret ${namespace}/${secretName} has no ${missing.join(", ")} (yet); the Database provider writes them`,
        );
      }

      const key = `apps/${namespace}/${app.metadata.name}`;
      try {
        await storeAndVerify(conn as Connection, key, app.spec.message, ctx.signal);
      } catch (err) {
        if (!(err instanceof DatabaseError)) throw err;
        ctx.log.warn({ reason: err.reason }, err.message);
        return {
          status: { ...status, phase: "Failed" as const, databaseEndpoint: conn.endpoint },
          ready: { status: "False" as const, reason: err.reason, message: err.message },
          requeueAfter: retryAfterMs,
        };
      }
      ctx.log.info({ endpoint: conn.endpoint, key }, "connected to the database");
      return {
        status: { ...status, phase: "Ready" as const, databaseEndpoint: conn.endpoint, storedKey: key },
        requeueAfter: recheckAfterMs,
      };
    },
    {
      related: [
        {
          target: SECRETS,
          // The Secret is the Database provider's, so it has no ownerReference to an App: find the
          // Apps of the same workspace and namespace that read a Secret of this name.
          map: (secret): ObjectRef[] =>
            provider
              .store(App)
              .list({ workspace: secret.workspace, ...(secret.namespace && { namespace: secret.namespace }) })
              .filter((item) => item.valid && secretNameOf(item.object) === secret.name)
              .map((item) => ({ workspace: item.workspace, namespace: item.namespace!, name: item.name })),
        },
      ],
    },
  );
  return { provider };
}

function decode(secret: Secret): Partial<Connection> {
  const out: Partial<Connection> = {};
  for (const k of ["endpoint", "username", "password"] as const) {
    const v = secret.data?.[k];
    if (v) out[k] = Buffer.from(v, "base64").toString("utf8");
  }
  return out;
}
