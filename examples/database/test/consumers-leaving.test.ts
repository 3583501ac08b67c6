import { resolve } from "node:path";
import { KubeClient, type KubeObject } from "@kcp-mesh/sdk";
import { apply, bindExport, bootstrapProvider, createWorkspace, waitFor } from "@kcp-mesh/sdk/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type DatabaseObject, SECRETS_CLAIM } from "../api/index.js";
import { createDatabaseProvider, EXPORT } from "../src/provider.js";

const API = "/apis/databases.examples.kcp-mesh.io/v1alpha1";

// A consumer unsubscribing: every Database is stopped and its Secret deleted before kcp lets the
// binding go, and the other consumer keeps its database.
describe("Database consumers leaving", () => {
  const suffix = Math.random().toString(36).slice(2, 7);
  const admin = KubeClient.fromKubeConfig({ path: inject("kcp").kubeconfigPath }).forWorkspace("root");
  const consumers: KubeClient[] = [];
  let app: ReturnType<typeof createDatabaseProvider>;

  const database = (name: string): KubeObject => ({
    apiVersion: `${EXPORT}/v1alpha1`,
    kind: "Database",
    metadata: { name, namespace: "default" },
    spec: {},
  });
  const ready = (i: number, name: string) =>
    waitFor(`Database ${name} Ready in consumer ${i}`, async () => {
      const o = await consumers[i]!.get<DatabaseObject>(`${API}/namespaces/default/databases/${name}`);
      return o?.status?.phase === "Ready" ? o : undefined;
    });

  beforeAll(async () => {
    const bootstrapped = await bootstrapProvider(admin, {
      workspace: `root:dbl-${suffix}:provider`,
      deployDir: resolve(import.meta.dirname, "../deploy"),
      identityName: "database-provider",
    });
    for (const name of ["one", "two"]) {
      const ws = await createWorkspace(admin, `root:dbl-${suffix}:${name}`);
      const c = admin.forWorkspace(ws.path);
      await bindExport(
        c,
        { path: bootstrapped.workspace.path, name: EXPORT },
        { acceptClaims: [{ ...SECRETS_CLAIM, verbs: [...SECRETS_CLAIM.verbs] }] },
      );
      consumers.push(c);
    }
    app = createDatabaseProvider({
      kubeconfig: { yaml: bootstrapped.identity.kubeconfig },
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
      handleSignals: false,
      retryAfterMs: 1_000,
    });
    await app.provider.start();
  });

  afterAll(async () => {
    await app?.provider.stop();
    await app?.servers.closeAll();
    admin.close();
  });

  it("unbinding stops each database and deletes its Secret, then the binding goes", async () => {
    await apply(consumers[0]!, [database("orders"), database("users")]);
    await apply(consumers[1]!, [database("orders")]);
    const dbs = [await ready(0, "orders"), await ready(0, "users")];
    const other = await ready(1, "orders");
    const secretNames = dbs.map((d) => d.status!.secretName!);
    expect(secretNames.every(Boolean)).toBe(true);
    expect(app.servers.size).toBe(3);

    await consumers[0]!.request({
      method: "DELETE",
      path: `/apis/apis.kcp.io/v1alpha2/apibindings/${EXPORT}`,
    });
    await waitFor(
      "the binding to be gone",
      async () =>
        (await consumers[0]!.get(`/apis/apis.kcp.io/v1alpha2/apibindings/${EXPORT}`)) ? undefined : true,
      { timeoutMs: 30_000 },
    );
    for (const name of secretNames) {
      expect(await consumers[0]!.get(`/api/v1/namespaces/default/secrets/${name}`)).toBeUndefined();
    }
    expect(app.servers.size).toBe(1);
    expect(
      await consumers[1]!.get(`/api/v1/namespaces/default/secrets/${other.status!.secretName}`),
    ).toBeDefined();
  });
});
