import { resolve } from "node:path";
import { getCondition, KubeClient, type KubeObject } from "@kcp-mesh/sdk";
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
import { type DatabaseObject, EVENTS_CLAIM, SECRETS_CLAIM } from "../api/index.js";
import { createDatabaseProvider, EXPORT } from "../src/provider.js";

const API = "/apis/databases.examples.kcp-mesh.io/v1alpha1";

interface Secret extends KubeObject {
  data?: Record<string, string>;
}

/** The connection Secret's data, decoded. */
function connectionOf(secret: Secret): { endpoint: string; username: string; password: string } {
  const d = (k: string) => Buffer.from(secret.data?.[k] ?? "", "base64").toString("utf8");
  return { endpoint: d("endpoint"), username: d("username"), password: d("password") };
}

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

describe("Database provider on real kcp", () => {
  const suffix = Math.random().toString(36).slice(2, 7);
  const admin = KubeClient.fromKubeConfig({ path: inject("kcp").kubeconfigPath }).forWorkspace("root");
  let bootstrapped: BootstrappedProvider;
  let consumer: KubeClient;
  let app: ReturnType<typeof createDatabaseProvider>;

  const start = async () => {
    app = createDatabaseProvider({
      kubeconfig: { yaml: bootstrapped.identity.kubeconfig },
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
      handleSignals: false,
      // Short, so that accepting a claim is noticed quickly in the test.
      retryAfterMs: 1_000,
    });
    await app.provider.start();
  };
  const read = (client: KubeClient, name: string) =>
    client.get<DatabaseObject>(`${API}/namespaces/default/databases/${name}`);
  const readSecret = (client: KubeClient, name: string) =>
    client.get<Secret>(`/api/v1/namespaces/default/secrets/${name}`);
  const database = (name: string, spec: Record<string, unknown> = {}): KubeObject => ({
    apiVersion: `${EXPORT}/v1alpha1`,
    kind: "Database",
    metadata: { name, namespace: "default" },
    spec,
  });
  const ready = (client: KubeClient, name: string) =>
    waitFor(`Database ${name} Ready`, async () => {
      const o = await read(client, name);
      return o?.status?.phase === "Ready" && o.status.observedGeneration === o.metadata.generation
        ? o
        : undefined;
    });

  beforeAll(async () => {
    bootstrapped = await bootstrapProvider(admin, {
      workspace: `root:db-${suffix}:provider`,
      deployDir: resolve(import.meta.dirname, "../deploy"),
      identityName: "database-provider",
    });
    const ws = await createWorkspace(admin, `root:db-${suffix}:consumer`);
    consumer = admin.forWorkspace(ws.path);
    await bindExport(
      consumer,
      { path: bootstrapped.workspace.path, name: EXPORT },
      {
        acceptClaims: [
          { ...SECRETS_CLAIM, verbs: [...SECRETS_CLAIM.verbs] },
          { ...EVENTS_CLAIM, verbs: [...EVENTS_CLAIM.verbs] },
        ],
      },
    );
    await start();
  });

  afterAll(async () => {
    await app?.provider.stop();
    await app?.servers.closeAll();
    admin.close();
  });

  it("runs a database and writes working credentials into a Secret in the consumer's namespace", async () => {
    await apply(consumer, [database("orders")]);
    const db = await ready(consumer, "orders");
    expect(db.status?.secretName).toBe("orders-connection");
    expect(db.status?.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(getCondition((db.status as { conditions?: [] }).conditions, "Ready")?.status).toBe("True");

    const secret = (await readSecret(consumer, "orders-connection"))!;
    expect(secret.metadata.ownerReferences?.[0]).toMatchObject({ kind: "Database", uid: db.metadata.uid });
    const conn = connectionOf(secret);
    expect(conn.endpoint).toBe(db.status?.endpoint);

    // Really connect, with the Secret's credentials and without.
    const auth = { Authorization: basic(conn.username, conn.password) };
    const put = await fetch(`${conn.endpoint}/kv/greeting`, { method: "PUT", headers: auth, body: "hi" });
    expect(put.status).toBe(204);
    expect(await (await fetch(`${conn.endpoint}/kv/greeting`, { headers: auth })).text()).toBe("hi");
    expect((await fetch(`${conn.endpoint}/kv/greeting`)).status).toBe(401);
    const wrong = { Authorization: basic(conn.username, "wrong") };
    expect((await fetch(`${conn.endpoint}/kv/greeting`, { headers: wrong })).status).toBe(401);

    // The consumer accepted the events claim: `kubectl describe database orders` lists this Event.
    const events = await consumer.get<{
      items: (KubeObject & {
        reason?: string;
        message?: string;
        involvedObject?: { kind?: string; name?: string; uid?: string };
      })[];
    }>("/api/v1/namespaces/default/events");
    const provisioned = events?.items.filter(
      (e) => e.involvedObject?.name === "orders" && e.reason === "Provisioned",
    );
    expect(provisioned).toHaveLength(1);
    expect(provisioned?.[0]?.involvedObject).toMatchObject({ kind: "Database", uid: db.metadata.uid });
    expect(provisioned?.[0]?.message).toContain("connection in Secret orders-connection");
  });

  it("writes the Secret back when the consumer deletes it, with the same credentials", async () => {
    const before = connectionOf((await readSecret(consumer, "orders-connection"))!);
    await consumer.request({
      method: "DELETE",
      path: "/api/v1/namespaces/default/secrets/orders-connection",
    });
    const after = await waitFor("Secret written again", async () => {
      const s = await readSecret(consumer, "orders-connection");
      return s ? connectionOf(s) : undefined;
    });
    expect(after).toEqual(before);
  });

  it("keeps the credentials across a provider restart", async () => {
    const before = connectionOf((await readSecret(consumer, "orders-connection"))!);
    await app.provider.stop();
    await app.servers.closeAll();
    await expect(fetch(`${before.endpoint}/healthz`)).rejects.toThrow();
    await start();
    const after = await waitFor("database serving again", async () => {
      const conn = connectionOf((await readSecret(consumer, "orders-connection"))!);
      const ok = await fetch(`${conn.endpoint}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      return ok ? conn : undefined;
    });
    expect(after.username).toBe(before.username);
    expect(after.password).toBe(before.password);
    const auth = { Authorization: basic(after.username, after.password) };
    expect((await fetch(`${after.endpoint}/kv/anything`, { headers: auth })).status).toBe(404);
    expect((await read(consumer, "orders"))?.status?.endpoint).toBe(after.endpoint);
  });

  it("moves the Secret when spec.secretName changes", async () => {
    await apply(consumer, [database("orders", { secretName: "orders-db" })]);
    const db = await ready(consumer, "orders");
    expect(db.status?.secretName).toBe("orders-db");
    expect(connectionOf((await readSecret(consumer, "orders-db"))!).endpoint).toBe(db.status?.endpoint);
    await waitFor("old Secret deleted", async () =>
      (await readSecret(consumer, "orders-connection")) === undefined ? true : undefined,
    );
  });

  it("stops the database and deletes its Secret when the Database is deleted", async () => {
    const endpoint = (await read(consumer, "orders"))!.status!.endpoint!;
    await consumer.request({ method: "DELETE", path: `${API}/namespaces/default/databases/orders` });
    await waitFor("orders gone", async () =>
      (await read(consumer, "orders")) === undefined ? true : undefined,
    );
    expect(await readSecret(consumer, "orders-db")).toBeUndefined();
    await expect(fetch(`${endpoint}/healthz`)).rejects.toThrow();
    expect(app.servers.size).toBe(0);
  });

  it("says plainly when the consumer has not accepted the secrets claim, and recovers once accepted", async () => {
    const ws = await createWorkspace(admin, `root:db-${suffix}:no-claims`);
    const other = admin.forWorkspace(ws.path);
    // Bound without accepting the claim: kcp answers 403 for every Secret request of the provider there.
    await bindExport(other, { path: bootstrapped.workspace.path, name: EXPORT });
    await apply(other, [database("orders")]);
    const db = await waitFor("claim problem reported", async () => {
      const o = await read(other, "orders");
      const c = getCondition((o?.status as { conditions?: [] } | undefined)?.conditions, "Ready");
      return c?.reason === "PermissionClaimNotAccepted" ? { o: o!, c } : undefined;
    });
    expect(db.c.status).toBe("False");
    expect(db.c.message).toContain(`accept the secrets claim in APIBinding ${EXPORT}`);
    expect(db.c.message).toContain("state: Accepted");
    expect(db.o.status?.phase).toBe("Pending");
    expect(app.servers.size).toBe(0);

    await bindExport(
      other,
      { path: bootstrapped.workspace.path, name: EXPORT },
      { acceptClaims: [{ ...SECRETS_CLAIM, verbs: [...SECRETS_CLAIM.verbs] }] },
    );
    const readyDb = await ready(other, "orders");
    expect(connectionOf((await readSecret(other, "orders-connection"))!).endpoint).toBe(
      readyDb.status?.endpoint,
    );
    await other.request({ method: "DELETE", path: `${API}/namespaces/default/databases/orders` });
    await waitFor("orders gone", async () =>
      (await read(other, "orders")) === undefined ? true : undefined,
    );
    expect(await readSecret(other, "orders-connection")).toBeUndefined();
  });
});
