import { resolve } from "node:path";
import { type Condition, getCondition, KubeClient, type KubeObject } from "@kcp-mesh/sdk";
import {
  apply,
  type BootstrappedProvider,
  bindExport,
  bootstrapProvider,
  createWorkspace,
  waitFor,
} from "@kcp-mesh/sdk/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type AppObject, SECRETS_CLAIM } from "../api/index.js";
import { createAppProvider, EXPORT } from "../src/provider.js";
import { startKvServer } from "./kv-server.js";

const API = "/apis/apps.examples.kcp-mesh.io/v1alpha1";
const ACCEPT = { acceptClaims: [{ ...SECRETS_CLAIM, verbs: [...SECRETS_CLAIM.verbs] }] };

describe("App provider on real kcp", () => {
  const suffix = Math.random().toString(36).slice(2, 7);
  const admin = KubeClient.fromKubeConfig({ path: inject("kcp").kubeconfigPath }).forWorkspace("root");
  let bootstrapped: BootstrappedProvider;
  let consumer: KubeClient;
  let app: ReturnType<typeof createAppProvider>;
  let kv: Awaited<ReturnType<typeof startKvServer>>;

  const read = (client: KubeClient, name: string) =>
    client.get<AppObject>(`${API}/namespaces/default/apps/${name}`);
  const readyOf = (o: AppObject | undefined) =>
    getCondition((o?.status as { conditions?: Condition[] } | undefined)?.conditions, "Ready");
  /** Waits until the App's Ready condition has this reason, and returns App and condition. */
  const reasonIs = (client: KubeClient, name: string, reason: string, timeoutMs = 15_000) =>
    waitFor(
      `App ${name} with Ready reason ${reason}`,
      async () => {
        const o = await read(client, name);
        const c = readyOf(o);
        return c?.reason === reason ? { app: o!, ready: c } : undefined;
      },
      { timeoutMs },
    );
  const appObject = (name: string, database: string): KubeObject => ({
    apiVersion: `${EXPORT}/v1alpha1`,
    kind: "App",
    metadata: { name, namespace: "default" },
    spec: { databaseRef: { name: database }, message: `hello from ${name}` },
  });
  /** The connection Secret as the Database provider writes it (here: the test, for its kv server). */
  const connectionSecret = (name: string, endpoint: string, password = "s3cret"): KubeObject => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: "default" },
    stringData: { endpoint, username: "app", password },
  });

  beforeAll(async () => {
    kv = await startKvServer("app", "s3cret");
    bootstrapped = await bootstrapProvider(admin, {
      workspace: `root:app-${suffix}:provider`,
      deployDir: resolve(import.meta.dirname, "../deploy"),
      identityName: "app-provider",
    });
    const ws = await createWorkspace(admin, `root:app-${suffix}:consumer`);
    consumer = admin.forWorkspace(ws.path);
    await bindExport(consumer, { path: bootstrapped.workspace.path, name: EXPORT }, ACCEPT);
    app = createAppProvider({
      kubeconfig: { yaml: bootstrapped.identity.kubeconfig },
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
      handleSignals: false,
      // Far beyond the test's waits: whatever happens here happens through watches, not timers.
      retryAfterMs: 600_000,
    });
    await app.provider.start();
  });

  afterAll(async () => {
    await app?.provider.stop();
    await kv?.close();
    admin.close();
  });

  it("stays Pending with a clear reason while the Database's Secret does not exist", async () => {
    await apply(consumer, [appObject("web", "orders")]);
    const { app: web, ready } = await reasonIs(consumer, "web", "SecretNotFound");
    expect(ready.status).toBe("False");
    expect(ready.message).toBe(
      "waiting for Secret default/orders-connection, written by the Database provider for Database orders",
    );
    expect(web.status?.phase).toBe("Pending");
  });

  it("becomes Ready as soon as the Secret appears, and really stores its data in the database", async () => {
    await apply(consumer, [connectionSecret("orders-connection", kv.endpoint)]);
    // No requeue timer runs within this wait: the Secret's watch event reconciles the App.
    const { app: web } = await reasonIs(consumer, "web", "Reconciled");
    expect(web.status?.phase).toBe("Ready");
    expect(web.status?.databaseEndpoint).toBe(kv.endpoint);
    expect(web.status?.storedKey).toBe("apps/default/web");
    expect(kv.data.get("apps/default/web")).toBe("hello from web");
  });

  it("reports wrong credentials and an unreachable database, and recovers when the Secret is fixed", async () => {
    await apply(consumer, [connectionSecret("orders-connection", kv.endpoint, "wrong")]);
    const auth = await reasonIs(consumer, "web", "DatabaseAuthFailed");
    expect(auth.ready.message).toContain("rejected the credentials");
    expect(auth.app.status?.phase).toBe("Failed");

    const closed = await startKvServer("x", "y");
    await closed.close();
    await apply(consumer, [connectionSecret("orders-connection", closed.endpoint)]);
    const down = await reasonIs(consumer, "web", "DatabaseUnreachable");
    expect(down.ready.message).toContain(`cannot reach the database at ${closed.endpoint}`);

    await apply(consumer, [connectionSecret("orders-connection", kv.endpoint)]);
    await reasonIs(consumer, "web", "Reconciled");
  });

  it("goes back to Pending when the Secret is deleted", async () => {
    await consumer.request({
      method: "DELETE",
      path: "/api/v1/namespaces/default/secrets/orders-connection",
    });
    await reasonIs(consumer, "web", "SecretNotFound");
  });

  it("says plainly when the consumer has not accepted the secrets claim, and recovers once accepted", async () => {
    const ws = await createWorkspace(admin, `root:app-${suffix}:no-claims`);
    const other = admin.forWorkspace(ws.path);
    // Bound without accepting the claim: kcp answers 403 for every Secret request of the provider there.
    await bindExport(other, { path: bootstrapped.workspace.path, name: EXPORT });
    await apply(other, [connectionSecret("orders-connection", kv.endpoint), appObject("web", "orders")]);
    const { app: web, ready } = await reasonIs(other, "web", "PermissionClaimNotAccepted");
    expect(ready.status).toBe("False");
    expect(ready.message).toContain(`accept the secrets claim in APIBinding ${EXPORT}`);
    expect(ready.message).toContain("verbs: [get, list, watch]");
    expect(web.status?.phase).toBe("Pending");

    // Accepting the claim makes the workspace's Secrets visible to the provider's watch, which
    // reconciles the App; no timer needed.
    await bindExport(other, { path: bootstrapped.workspace.path, name: EXPORT }, ACCEPT);
    const after = await reasonIs(other, "web", "Reconciled");
    expect(after.app.status?.databaseEndpoint).toBe(kv.endpoint);
  });
});
