import {
  createProvider,
  explainClaimFailure,
  KubeApiError,
  type KubeClient,
  type KubeObject,
  type Provider,
  type ProviderOptions,
  type ReconcileContext,
  SECRETS,
} from "@kcp-mesh/sdk";
import { Database, type DatabaseObject, SECRETS_CLAIM } from "../api/index.js";

import { type Credentials, generateCredentials, KvServerPool } from "./kv-server.js";

/** The APIExport this provider serves (`name` in api/index.ts). */
export const EXPORT = "databases.examples.kcp-mesh.io";

/** Options of {@link createDatabaseProvider}: the SDK's provider options, plus how long to wait between retries. */
export interface DatabaseProviderOptions extends Omit<ProviderOptions, "export"> {
  /**
   * When a Database waits for the consumer (an un-accepted permission claim, a Secret of someone
   * else in the way), look again after this long. kcp sends no event that this provider watches
   * when a claim gets accepted, so this timer is what notices. Default 30 s.
   */
  retryAfterMs?: number;
}

interface Secret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

/** What the connection Secret holds; keys of its `data`. */
interface Connection extends Credentials {
  endpoint: string;
}

/** The connection Secret's name: `spec.secretName`, else `<database>-connection`. */
export function connectionSecretName(db: DatabaseObject): string {
  return db.spec.secretName ?? `${db.metadata.name}-connection`;
}

/**
 * The Database provider: for each Database object in any bound workspace it runs a small
 * key-value database on 127.0.0.1 and writes its connection details (endpoint, username,
 * password) into a Secret in the Database's namespace, through the consumer's `secrets` permission
 * claim. Other providers (see examples/app) read that Secret through their own claim. Deleting the
 * Database stops the database and deletes the Secret (finalizer).
 *
 * To fork: rename `Database`, and replace {@link KvServerPool} with your own service.
 */
export function createDatabaseProvider(options: DatabaseProviderOptions): {
  provider: Provider;
  servers: KvServerPool;
} {
  const { retryAfterMs = 30_000, ...providerOptions } = options;
  const servers = new KvServerPool();
  const provider = createProvider({ ...providerOptions, export: EXPORT });
  const keyOf = (ctx: ReconcileContext, db: DatabaseObject) =>
    `${ctx.workspace}/${db.metadata.namespace}/${db.metadata.name}`;

  provider.reconcile(
    Database,
    async (db, ctx) => {
      const namespace = db.metadata.namespace!;
      const secretName = connectionSecretName(db);
      const status = { observedGeneration: db.metadata.generation };
      try {
        // Read before starting anything: a claim the consumer has not accepted shows up here,
        // before the provider spends a server on a database nobody could connect to.
        const existing = await ctx.client.get<Secret>(secretPath(namespace, secretName));
        if (existing && !ownedBy(existing, db)) {
          return {
            status: { ...status, phase: "Failed" },
            ready: {
              status: "False",
              reason: "SecretConflict",
              message: `Secret ${namespace}/${secretName} exists and does not belong to this Database: delete it or set spec.secretName`,
            },
            requeueAfter: retryAfterMs,
          };
        }
        const previous = existing ? decode(existing) : undefined;
        // A running server keeps its credentials; after a provider restart the Secret's credentials
        // (and port, when free) are reused, so Apps connected before keep working.
        const server = await servers.ensure(
          keyOf(ctx, db),
          previous?.username && previous.password
            ? { username: previous.username, password: previous.password }
            : generateCredentials(),
          portOf(previous?.endpoint),
        );
        await writeSecret(ctx.client, db, secretName, existing, {
          endpoint: server.endpoint,
          ...server.credentials,
        });
        const previousName = db.status?.secretName;
        if (previousName && previousName !== secretName) {
          // spec.secretName changed: the old Secret would otherwise keep stale credentials around.
          await deleteOwnedSecret(ctx.client, db, previousName);
        }

        // Ready means it answers, not merely that it was started.
        const res = await fetch(`${server.endpoint}/healthz`, { signal: ctx.signal });
        if (!res.ok) {
          return {
            status: { ...status, phase: "Failed", endpoint: server.endpoint, secretName },
            ready: {
              status: "False",
              reason: "NotAnswering",
              message: `GET /healthz answered ${res.status}`,
            },
            requeueAfter: retryAfterMs,
          };
        }
        ctx.log.info({ endpoint: server.endpoint, secret: secretName }, "database serving");
        if (db.status?.phase !== "Ready") {
          // Once per transition, not per resync: Events are for what changed.
          await ctx.event(
            "Normal",
            "Provisioned",
            `database serving at ${server.endpoint}, connection in Secret ${secretName}`,
          );
        }
        return { status: { ...status, phase: "Ready", endpoint: server.endpoint, secretName } };
      } catch (err) {
        const problem = await explainClaimFailure(ctx.client, EXPORT, SECRETS_CLAIM, err);
        if (!problem) throw err;
        ctx.log.info({ reason: problem.reason }, problem.message);
        return {
          status: { ...status, phase: "Pending" },
          ready: { status: "False", ...problem },
          requeueAfter: retryAfterMs,
        };
      }
    },
    {
      finalize: async (db, ctx) => {
        await servers.remove(keyOf(ctx, db));
        const written = db.status?.secretName;
        for (const name of new Set([connectionSecretName(db), ...(written ? [written] : [])])) {
          try {
            await deleteOwnedSecret(ctx.client, db, name);
          } catch (err) {
            const problem = await explainClaimFailure(ctx.client, EXPORT, SECRETS_CLAIM, err);
            if (!problem) throw err;
            // Without the claim there is nothing this provider can clean up, and the Secret's
            // ownerReference lets kcp's garbage collector remove it: do not block the deletion.
            ctx.log.warn({ reason: problem.reason }, `Secret ${name} not deleted: ${problem.message}`);
          }
        }
        ctx.log.info("database stopped, connection Secret deleted");
      },
      // A consumer deleting or editing the connection Secret gets it back: Secrets are mapped to
      // the Database named in their ownerReference (the SDK's default for related watches).
      related: [{ target: SECRETS }],
    },
  );
  // A consumer that unbinds or deletes its workspace has had each Database finalized by now; this
  // drops whatever else the workspace still holds.
  provider.onDisengage((workspace) => servers.removeWorkspace(workspace));
  return { provider, servers };
}

function secretPath(namespace: string, name?: string): string {
  return `/api/v1/namespaces/${namespace}/secrets${name ? `/${name}` : ""}`;
}

function ownedBy(secret: Secret, db: DatabaseObject): boolean {
  return (secret.metadata.ownerReferences ?? []).some((r) => r.uid === db.metadata.uid);
}

function decode(secret: Secret): Partial<Connection> {
  const out: Partial<Connection> = {};
  for (const k of ["endpoint", "username", "password"] as const) {
    const v = secret.data?.[k];
    if (v !== undefined) out[k] = Buffer.from(v, "base64").toString("utf8");
  }
  return out;
}

function portOf(endpoint: string | undefined): number | undefined {
  if (!endpoint) return undefined;
  const port = Number(URL.parse(endpoint)?.port);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

/** Creates the connection Secret, or updates it when its content differs; a no-op otherwise. */
async function writeSecret(
  client: KubeClient,
  db: DatabaseObject,
  name: string,
  existing: Secret | undefined,
  connection: Connection,
): Promise<void> {
  const data = Object.fromEntries(
    Object.entries(connection).map(([k, v]) => [k, Buffer.from(v, "utf8").toString("base64")]),
  );
  const namespace = db.metadata.namespace!;
  if (existing) {
    const current = existing.data ?? {};
    if (Object.keys(data).every((k) => current[k] === data[k])) return;
    // PUT with the resourceVersion read above: a concurrent change fails with 409 and is retried.
    await client.request({
      method: "PUT",
      path: secretPath(namespace, name),
      body: { ...existing, data: { ...current, ...data } },
    });
    return;
  }
  await client.request({
    method: "POST",
    path: secretPath(namespace),
    body: {
      apiVersion: "v1",
      kind: "Secret",
      metadata: {
        name,
        namespace,
        labels: { "app.kubernetes.io/managed-by": EXPORT },
        // The owner link lets this provider's related watch find the Database again, and lets
        // kcp's garbage collector remove the Secret should the finalizer never run.
        ownerReferences: [
          {
            apiVersion: `${Database.group}/${Database.storageVersion}`,
            kind: Database.kind,
            name: db.metadata.name!,
            uid: db.metadata.uid!,
            controller: true,
          },
        ],
      },
      type: "Opaque",
      data,
    },
  });
}

/** Deletes a Secret this Database wrote; a Secret of someone else (or none) is left alone. */
async function deleteOwnedSecret(client: KubeClient, db: DatabaseObject, name: string): Promise<void> {
  const namespace = db.metadata.namespace!;
  const secret = await client.get<Secret>(secretPath(namespace, name));
  if (!secret || !ownedBy(secret, db)) return;
  try {
    await client.request({
      method: "DELETE",
      path: secretPath(namespace, name),
      // Only the Secret that was read, never one re-created under the same name meanwhile.
      body: { kind: "DeleteOptions", apiVersion: "v1", preconditions: { uid: secret.metadata.uid } },
    });
  } catch (err) {
    if (!(err instanceof KubeApiError && err.status === 404)) throw err;
  }
}
