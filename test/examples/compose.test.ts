import { resolve } from "node:path";
import { type Condition, getCondition, type KubeClient, type KubeObject } from "@kcp-mesh/sdk";
import {
  apply,
  type BootstrappedProvider,
  bindExport,
  bootstrapProvider,
  createWorkspace,
  waitFor,
} from "@kcp-mesh/sdk/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SECRETS_CLAIM as APP_CLAIM, type AppObject } from "../../examples/app/api/index.js";
import { EXPORT as APP_EXPORT, createAppProvider } from "../../examples/app/src/provider.js";
import { type DatabaseObject, SECRETS_CLAIM as DB_CLAIM } from "../../examples/database/api/index.js";
import { createDatabaseProvider, EXPORT as DB_EXPORT } from "../../examples/database/src/provider.js";
import { adminClient, uniqueSuffix } from "../support/kcp.js";

const DB_API = `/apis/${DB_EXPORT}/v1alpha1/namespaces/default/databases`;
const APP_API = `/apis/${APP_EXPORT}/v1alpha1/namespaces/default/apps`;
const examples = resolve(import.meta.dirname, "../../examples");

// Two providers that never talk to each other compose through the consumer's workspace: the
// Database provider writes a connection Secret under its claim, the App provider reads it under
// its own. Same object names in two workspaces must never cross.
describe("Database and App providers composing through consumer workspaces", () => {
  const base = `root:compose-${uniqueSuffix()}`;
  const root = adminClient();
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });
  const teams: Record<string, KubeClient> = {};
  let db: ReturnType<typeof createDatabaseProvider>;
  let apps: ReturnType<typeof createAppProvider>;

  const readyReason = (o: KubeObject | undefined) =>
    getCondition((o?.status as { conditions?: Condition[] } | undefined)?.conditions, "Ready")?.reason;
  const readApp = (c: KubeClient) => c.get<AppObject>(`${APP_API}/web`);
  const readDb = (c: KubeClient) => c.get<DatabaseObject>(`${DB_API}/main`);
  const database: KubeObject = {
    apiVersion: `${DB_EXPORT}/v1alpha1`,
    kind: "Database",
    metadata: { name: "main", namespace: "default" },
    spec: {},
  };
  const appFor = (team: string): KubeObject => ({
    apiVersion: `${APP_EXPORT}/v1alpha1`,
    kind: "App",
    metadata: { name: "web", namespace: "default" },
    spec: { databaseRef: { name: "main" }, message: `hello from ${team}` },
  });

  beforeAll(async () => {
    const bootstrap = (name: string): Promise<BootstrappedProvider> =>
      bootstrapProvider(root, {
        workspace: `${base}:providers:${name}`,
        deployDir: resolve(examples, name, "deploy"),
        identityName: `${name}-provider`,
      });
    const [dbProvider, appProvider] = await Promise.all([bootstrap("database"), bootstrap("app")]);
    for (const team of ["team-a", "team-b"]) {
      const ws = await createWorkspace(root, `${base}:${team}`);
      const client = root.forWorkspace(ws.path);
      await bindExport(
        client,
        { path: dbProvider.workspace.path, name: DB_EXPORT },
        { acceptClaims: [{ ...DB_CLAIM, verbs: [...DB_CLAIM.verbs] }] },
      );
      await bindExport(
        client,
        { path: appProvider.workspace.path, name: APP_EXPORT },
        { acceptClaims: [{ ...APP_CLAIM, verbs: [...APP_CLAIM.verbs] }] },
      );
      teams[team] = client;
    }
    // Each provider runs as its own least-privilege identity, as in production.
    db = createDatabaseProvider({
      kubeconfig: { yaml: dbProvider.identity.kubeconfig },
      logger,
      handleSignals: false,
    });
    apps = createAppProvider({
      kubeconfig: { yaml: appProvider.identity.kubeconfig },
      logger,
      handleSignals: false,
      // Only watch events may make an App Ready within this test.
      retryAfterMs: 600_000,
    });
    await Promise.all([db.provider.start(), apps.provider.start()]);
  });

  afterAll(async () => {
    await Promise.all([db?.provider.stop(), apps?.provider.stop()]);
    await db?.servers.closeAll();
    root.close();
  });

  it("makes each App Ready on its own workspace's Database, whichever is created first", async () => {
    const a = teams["team-a"]!;
    const b = teams["team-b"]!;
    // team-a: the App first, so it waits for the Secret; team-b: the Database first.
    await apply(a, [appFor("team-a")]);
    await waitFor("team-a App waiting for its Secret", async () =>
      readyReason(await readApp(a)) === "SecretNotFound" ? true : undefined,
    );
    await apply(a, [database]);
    await apply(b, [database, appFor("team-b")]);

    const endpoints: string[] = [];
    for (const [team, client] of Object.entries(teams)) {
      const web = await waitFor(`${team} App Ready`, async () => {
        const o = await readApp(client);
        return o?.status?.phase === "Ready" ? o : undefined;
      });
      const main = (await readDb(client))!;
      expect(main.status?.phase).toBe("Ready");
      expect(web.status?.databaseEndpoint).toBe(main.status?.endpoint);
      endpoints.push(main.status!.endpoint!);

      // The App's data is in its own workspace's database, reachable with that workspace's Secret.
      const secret = (await client.get<{ data: Record<string, string> }>(
        "/api/v1/namespaces/default/secrets/main-connection",
      ))!;
      const d = (k: string) => Buffer.from(secret.data[k]!, "base64").toString("utf8");
      const res = await fetch(`${d("endpoint")}/kv/apps/default/web`, {
        headers: {
          Authorization: `Basic ${Buffer.from(`${d("username")}:${d("password")}`).toString("base64")}`,
        },
      });
      expect(await res.text()).toBe(`hello from ${team}`);
    }
    expect(new Set(endpoints).size).toBe(2);
    expect(db.servers.size).toBe(2);
  });

  it("puts an App back to Pending when its Database is deleted, in that workspace only", async () => {
    const a = teams["team-a"]!;
    const b = teams["team-b"]!;
    await a.request({ method: "DELETE", path: `${DB_API}/main` });
    await waitFor("team-a App back to waiting for its Secret", async () =>
      readyReason(await readApp(a)) === "SecretNotFound" ? true : undefined,
    );
    expect((await readApp(b))?.status?.phase).toBe("Ready");
    expect(db.servers.size).toBe(1);
  });
});
