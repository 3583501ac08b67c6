import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { getCondition, KubeApiError, KubeClient, type KubeObject } from "@kcp-mesh/sdk";
import {
  apply,
  bindExport,
  bootstrapProviderWorkspace,
  createServiceAccountIdentity,
  createWorkspace,
  type PermissionClaim,
  type ProviderWorkspaceBootstrap,
  parseYamlObjects,
  waitFor,
} from "@kcp-mesh/sdk/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseObject } from "../../examples/database/api/index.js";
import { createDatabaseProvider, EXPORT } from "../../examples/database/src/provider.js";
import { adminClient, uniqueSuffix } from "../support/kcp.js";

// Platform Mesh's way, on a real kcp: its ui.platform-mesh.io API installed from schemas written from
// its published definitions; a provider workspace and a kubeconfig for it alone (what the `Provider`
// resource's Secret holds: a service account with cluster-admin in that workspace); the database
// example bootstrapped with only that kubeconfig; and a consumer who is admin of nothing but their
// own workspace finding the provider as the Marketplace does and enabling it.

const DEPLOY = resolve(import.meta.dirname, "../../examples/database/deploy");
const FIXTURES = resolve(import.meta.dirname, "fixtures/ui.platform-mesh.io.yaml");
const CONTENT_FOR = "ui.platform-mesh.io/content-for";
const UI = "/apis/ui.platform-mesh.io/v1alpha1";
const APIEXPORTS = "/apis/apis.kcp.io/v1alpha2/apiexports";

const generated = (file: string) => parseYamlObjects(readFileSync(resolve(DEPLOY, file), "utf8"));

interface ExportObject extends KubeObject {
  spec?: { permissionClaims?: PermissionClaim[] };
  status?: { identityHash?: string };
}

async function status(p: Promise<unknown>): Promise<number> {
  return p.then(
    () => 200,
    (e: unknown) => {
      if (e instanceof KubeApiError) return e.status;
      throw e;
    },
  );
}

/** Collections a provider bootstrap writes to, for the "nothing changed" check. */
const COLLECTIONS = [
  "/apis/apis.kcp.io/v1alpha1/apiresourceschemas",
  APIEXPORTS,
  "/apis/rbac.authorization.k8s.io/v1/clusterroles",
  "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
  "/api/v1/serviceaccounts",
  "/api/v1/secrets",
  `${UI}/providermetadatas`,
  `${UI}/contentconfigurations`,
];

async function snapshot(client: KubeClient): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const c of COLLECTIONS) {
    const list = await client.get<{ items: KubeObject[] }>(c);
    for (const o of list?.items ?? [])
      out.set(`${c} ${o.metadata.namespace ?? ""}/${o.metadata.name}`, o.metadata.resourceVersion!);
  }
  return out;
}

describe("publishing the database example to the Platform Mesh Marketplace", () => {
  const base = `root:pm-${uniqueSuffix()}`;
  const root = adminClient();
  const clients: KubeClient[] = [];
  const client = (kubeconfig: string, workspace?: string) => {
    const c = KubeClient.fromKubeConfig({ yaml: kubeconfig });
    clients.push(c);
    return workspace ? c.forWorkspace(workspace) : c;
  };
  let providerPath: string;
  let systemPath: string;
  let providerKubeconfig: string;
  let asProvider: KubeClient;
  let first: ProviderWorkspaceBootstrap;
  const progress: string[] = [];
  let app: ReturnType<typeof createDatabaseProvider> | undefined;

  beforeAll(async () => {
    // Platform Mesh's side, done by its operator with the admin kubeconfig: the ui.platform-mesh.io
    // API, and a provider workspace that binds it (as Platform Mesh's provider workspace type does).
    const system = await createWorkspace(root, `${base}:platform-mesh-system`);
    systemPath = system.path;
    await apply(root.forWorkspace(system.path), readFileSync(FIXTURES, "utf8"));
    const provider = await createWorkspace(root, `${base}:providers:database`);
    providerPath = provider.path;
    await bindExport(root.forWorkspace(providerPath), { path: system.path, name: "ui.platform-mesh.io" });
    // The Provider resource's Secret: a service account with cluster-admin in the provider workspace.
    const secret = await createServiceAccountIdentity(root.forWorkspace(providerPath), {
      name: "database-provider-kubeconfig",
      clusterRoles: ["cluster-admin"],
    });
    providerKubeconfig = secret.kubeconfig;
    asProvider = client(providerKubeconfig);

    first = await bootstrapProviderWorkspace(asProvider, {
      deployDir: DEPLOY,
      identityName: "database-provider",
      onProgress: (line) => progress.push(line),
    });
  });

  afterAll(async () => {
    await app?.provider.stop();
    await app?.servers.closeAll();
    for (const c of clients) c.close();
    root.close();
  });

  it("bootstraps with only the provider workspace's kubeconfig, which has no rights elsewhere", async () => {
    // The premise: the kubeconfig cannot even list the workspaces next to its own.
    expect(await status(asProvider.forWorkspace(base).get("/apis/tenancy.kcp.io/v1alpha1/workspaces"))).toBe(
      403,
    );
    expect(first.workspace).toBe(providerPath);
    expect(first.skipped, progress.join("\n")).toEqual([]);
    const kinds = first.applied.map((o) => `${o.kind} ${o.metadata.name}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        `APIExport ${EXPORT}`,
        `ClusterRole ${EXPORT}:provider`,
        `ClusterRole ${EXPORT}:bind`,
        `ClusterRoleBinding ${EXPORT}:bind`,
        `ProviderMetadata ${EXPORT}`,
        `ContentConfiguration ${EXPORT}-ui`,
      ]),
    );
    expect(first.identityHash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.identity.username).toBe("system:serviceaccount:default:database-provider");
  });

  it("changes nothing when run a second time", async () => {
    const admin = root.forWorkspace(providerPath);
    // kcp's own controllers finish with the new objects first (two equal reads 2 s apart).
    let last = await snapshot(admin);
    const before = await waitFor(
      "the provider workspace to settle",
      async () => {
        await new Promise((r) => setTimeout(r, 2_000));
        const next = await snapshot(admin);
        const same = next.size === last.size && [...next].every(([k, v]) => last.get(k) === v);
        last = next;
        return same ? next : undefined;
      },
      { timeoutMs: 60_000 },
    );
    const second = await bootstrapProviderWorkspace(asProvider, {
      deployDir: DEPLOY,
      identityName: "database-provider",
    });
    const after = await snapshot(admin);
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter(
      (k) => before.get(k) !== after.get(k),
    );
    expect(changed).toEqual([]);
    expect(second.skipped).toEqual([]);
    expect(second.identityHash).toBe(first.identityHash);
  });

  it("has the generated ProviderMetadata and ContentConfiguration accepted whole by Platform Mesh's schemas", async () => {
    const admin = root.forWorkspace(providerPath);
    for (const [file, plural] of [
      ["providermetadata.yaml", "providermetadatas"],
      ["contentconfiguration.yaml", "contentconfigurations"],
    ] as const) {
      const want = generated(file)[0]!;
      const live = await admin.get<KubeObject & { spec?: unknown }>(`${UI}/${plural}/${want.metadata.name}`);
      // A field the schema does not know would have been pruned: equal specs mean every name fits.
      expect(live?.spec, file).toEqual(want.spec);
      expect(live?.metadata.labels?.[CONTENT_FOR]).toBe(EXPORT);
    }
    // The schemas have teeth: server-side apply refuses a field they do not declare (so the apply
    // of the generated objects would have failed on a wrong name), and a content type outside the enum.
    const misspelt = await apply(admin, [
      {
        apiVersion: "ui.platform-mesh.io/v1alpha1",
        kind: "ProviderMetadata",
        metadata: { name: "misspelt" },
        spec: { displayName: "x", contact: [{ displayName: "y" }] },
      },
    ]).then(
      () => "applied",
      (e: Error) => e.message,
    );
    expect(misspelt).toContain(".spec.contact: field not declared in schema");
    expect(
      await status(
        apply(admin, [
          {
            apiVersion: "ui.platform-mesh.io/v1alpha1",
            kind: "ContentConfiguration",
            metadata: { name: "xml" },
            spec: { inlineConfiguration: { contentType: "xml", content: "<x/>" } },
          },
        ]),
      ),
    ).toBe(422);
  });

  it("is found and enabled by a non-admin consumer as the Marketplace does, and reconciles there", async () => {
    // The consumer: a service account with cluster-admin in its own workspace and nothing elsewhere.
    const consumerWs = await createWorkspace(root, `${base}:orgs:acme:team-a`);
    const me = await createServiceAccountIdentity(root.forWorkspace(consumerWs.path), {
      name: "team-a-admin",
      clusterRoles: ["cluster-admin"],
    });
    const asConsumer = client(me.kubeconfig);
    const consumerInProvider = client(me.kubeconfig, providerPath);

    // 1. List ProviderMetadata by its content-for label.
    const listed = await consumerInProvider.get<{ items: KubeObject[] }>(`${UI}/providermetadatas`, {
      labelSelector: CONTENT_FOR,
    });
    const metadata = listed?.items.find((m) => m.metadata.labels?.[CONTENT_FOR] === m.metadata.name);
    expect(metadata?.metadata.name).toBe(EXPORT);
    const contentFor = metadata!.metadata.labels![CONTENT_FOR]!;
    // 2. The export with the same label and an identity hash, and the portal's content for it.
    const exports = await consumerInProvider.get<{ items: ExportObject[] }>(APIEXPORTS, {
      labelSelector: `${CONTENT_FOR}=${contentFor}`,
    });
    const apiExport = exports?.items.find((e) => e.status?.identityHash);
    expect(apiExport?.metadata.name).toBe(EXPORT);
    expect(apiExport?.status?.identityHash).toBe(first.identityHash);
    const content = await consumerInProvider.get<{ items: KubeObject[] }>(`${UI}/contentconfigurations`, {
      labelSelector: `${CONTENT_FOR}=${contentFor}`,
    });
    expect(content?.items.map((c) => c.metadata.name)).toEqual([`${EXPORT}-ui`]);
    // What the grant does not open: the provider's Secrets and RBAC.
    expect(await status(consumerInProvider.get("/api/v1/namespaces/default/secrets"))).toBe(403);
    expect(await status(consumerInProvider.get("/apis/rbac.authorization.k8s.io/v1/clusterroles"))).toBe(403);

    // 3. Bind it as the consumer, accepting the claims the export asks for. It is the bind grant
    // that lets them: kcp refuses their binding of an export that grants them nothing.
    const ungranted = await apply(asConsumer, [
      {
        apiVersion: "apis.kcp.io/v1alpha2",
        kind: "APIBinding",
        metadata: { name: "ungranted" },
        spec: { reference: { export: { path: systemPath, name: "ui.platform-mesh.io" } } },
      },
    ]).then(
      () => "bound",
      (e: Error) => e.message,
    );
    expect(ungranted).toContain(`403 Forbidden`);
    expect(ungranted).toContain(`no permission to bind to export ${systemPath}:ui.platform-mesh.io`);
    await bindExport(
      asConsumer,
      { path: providerPath, name: apiExport!.metadata.name! },
      { acceptClaims: apiExport!.spec?.permissionClaims ?? [] },
    );

    // The provider, under the identity the bootstrap made, reconciles a Database there.
    app = createDatabaseProvider({
      kubeconfig: { yaml: first.identity.kubeconfig },
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
      handleSignals: false,
      retryAfterMs: 1_000,
    });
    await app.provider.start();
    await apply(asConsumer, [
      {
        apiVersion: `${EXPORT}/v1alpha1`,
        kind: "Database",
        metadata: { name: "orders", namespace: "default" },
        spec: {},
      },
    ]);
    const db = await waitFor("Database orders Ready", async () => {
      const o = await asConsumer.get<DatabaseObject>(
        `/apis/${EXPORT}/v1alpha1/namespaces/default/databases/orders`,
      );
      return o?.status?.phase === "Ready" ? o : undefined;
    });
    expect(getCondition((db.status as { conditions?: [] }).conditions, "Ready")?.status).toBe("True");
    expect(await asConsumer.get(`/api/v1/namespaces/default/secrets/${db.status?.secretName}`)).toBeDefined();
  });
});
