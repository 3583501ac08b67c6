import { createServer } from "node:net";
import { createProvider, type Provider } from "@kcp-mesh/sdk";
import {
  createServiceAccountIdentity,
  type Identity,
  providerIdentityRules,
  waitFor,
} from "@kcp-mesh/sdk/testing";
import { KubeConfig } from "@kubernetes/client-node";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, kcpEnv, uniqueSuffix } from "../support/kcp.js";
import { setupThings, THINGS_EXPORT, type ThingsSetup } from "../support/things.js";
import { Thing } from "../support/things-api.js";

// A provider that cannot work as configured says so from start() instead of logging retries forever.
describe("start() refuses a provider that cannot work, naming what is wrong", () => {
  const root = adminClient();
  let setup: ThingsSetup;
  let identity: Identity;
  const lines: { level: number; msg: string }[] = [];
  const logger = pino(
    { level: "debug" },
    { write: (s: string) => void lines.push(JSON.parse(s) as { level: number; msg: string }) },
  );

  /** The identity's kubeconfig with one part changed. */
  function kubeconfig(
    change: (kc: { cluster: Record<string, unknown>; user: Record<string, unknown> }) => void,
  ) {
    const kc = new KubeConfig();
    kc.loadFromString(identity.kubeconfig);
    const cluster = { ...kc.getCurrentCluster()! } as Record<string, unknown>;
    const user = { ...kc.getCurrentUser()! } as Record<string, unknown>;
    change({ cluster, user });
    const out = new KubeConfig();
    out.loadFromOptions({
      clusters: [cluster],
      users: [user],
      contexts: [{ name: "c", cluster: cluster.name, user: user.name }],
      currentContext: "c",
    });
    return out;
  }
  function provider(options: Partial<Parameters<typeof createProvider>[0]> = {}): Provider {
    const p = createProvider({
      kubeconfig: { yaml: identity.kubeconfig },
      export: THINGS_EXPORT,
      logger,
      handleSignals: false,
      ...options,
    });
    p.reconcile(Thing, async () => ({}));
    return p;
  }

  beforeAll(async () => {
    setup = await setupThings(root, `root:start-${uniqueSuffix()}`, ["a"]);
    identity = await createServiceAccountIdentity(root.forWorkspace(setup.provider.path), {
      name: "things-provider",
      rules: providerIdentityRules(THINGS_EXPORT),
    });
  });
  afterAll(() => root.close());

  it("a wrong export name", async () => {
    const p = provider({ export: "nope.example.io" });
    await expect(p.start()).rejects.toThrow(
      `no APIExport "nope.example.io" (no APIExportEndpointSlice of that name) in workspace ${setup.provider.path}: check the export name and the kubeconfig's workspace (this identity may not list APIExports, so the names there cannot be shown)`,
    );
  });

  it("a wrong export name, told apart from a missing slice when the identity may read exports", async () => {
    const admin = createProvider({
      kubeconfig: { path: kcpEnv().kubeconfigPath, context: "root" },
      export: "nope.example.io",
      logger,
      handleSignals: false,
    });
    admin.reconcile(Thing, async () => ({}));
    // kcp's own exports (tenancy.kcp.io, ...) live in root: the message lists them.
    await expect(admin.start()).rejects.toThrow(
      /^no APIExport "nope\.example\.io" in workspace root \(exports there: .*tenancy\.kcp\.io.*\): check the export name/,
    );
  });

  it("a token the server rejects (401)", async () => {
    const p = provider({ kubeconfig: kubeconfig(({ user }) => (user.token = "not-a-valid-token")) });
    await expect(p.start()).rejects.toThrow(
      "the API server rejected the credentials of the given kubeconfig (401 Unauthorized): the token or client certificate is invalid or expired",
    );
  });

  it("a CA file that does not exist", async () => {
    const p = provider({
      kubeconfig: kubeconfig(({ cluster }) => {
        cluster.caFile = "/nonexistent/ca.crt";
        delete cluster.caData;
      }),
    });
    await expect(p.start()).rejects.toThrow(
      /credentials cannot be used: cannot read the TLS or credential files it names: .*\/nonexistent\/ca\.crt/,
    );
  });

  it("a user without any credentials", async () => {
    const p = provider({ kubeconfig: kubeconfig(({ user }) => delete user.token) });
    await expect(p.start()).rejects.toThrow(
      /has no credentials \(token, client certificate or exec plugin\)/,
    );
  });

  it("an identity that may find the export but not read its content", async () => {
    const weak = await createServiceAccountIdentity(root.forWorkspace(setup.provider.path), {
      name: "weak-provider",
      rules: [
        {
          apiGroups: ["apis.kcp.io"],
          resources: ["apiexportendpointslices"],
          verbs: ["get", "list", "watch"],
        },
      ],
    });
    const p = provider({ kubeconfig: { yaml: weak.kubeconfig } });
    await expect(p.start()).rejects.toThrow(
      `the provider identity lacks get, list, watch, patch on apiexports/content "${THINGS_EXPORT}" in workspace ${setup.provider.path}`,
    );
  });

  it("an unreachable server: keeps retrying, says why on /readyz and in a metric, and stops when asked", async () => {
    const port = await closedPort();
    const p = provider({
      kubeconfig: kubeconfig(({ cluster }) => (cluster.server = `https://127.0.0.1:${port}/clusters/root`)),
      metricsPort: 0,
    });
    const starting = p.start();
    starting.catch(() => undefined);
    let readyz = "";
    for (let i = 0; i < 100 && !readyz.includes("cannot reach the API server"); i++) {
      await new Promise((r) => setTimeout(r, 100));
      if (p.healthPort) readyz = await (await fetch(`http://127.0.0.1:${p.healthPort}/readyz`)).text();
    }
    expect(readyz).toMatch(/\[-\]setup failed: cannot reach the API server: .*ECONNREFUSED/);
    const metrics = await (await fetch(`http://127.0.0.1:${p.healthPort}/metrics`)).text();
    expect(metrics).toContain('kcp_mesh_provider_not_ready{reason="connecting"} 1');
    await p.stop();
    await expect(starting).rejects.toThrow();
  });

  it("credentials revoked after start: the watches say so at error level, not as routine warnings", async () => {
    const doomed = await createServiceAccountIdentity(root.forWorkspace(setup.provider.path), {
      name: "doomed-provider",
      rules: providerIdentityRules(THINGS_EXPORT),
    });
    lines.length = 0;
    const p = provider({ kubeconfig: { yaml: doomed.kubeconfig }, watch: { timeoutSeconds: 3 } });
    await p.start();
    await root
      .forWorkspace(setup.provider.path)
      .request({ method: "DELETE", path: "/api/v1/namespaces/default/serviceaccounts/doomed-provider" });
    const found = await waitFor(
      "an error-level line about rejected credentials",
      async () =>
        lines.find((l) => l.level === 50 && l.msg.includes("rejects the provider's credentials (401)")),
      { timeoutMs: 60_000 },
    );
    await p.stop();
    expect(found.msg).toMatch(/expired or revoked token/);
  });

  it("warns when the kubeconfig turns TLS verification off", async () => {
    lines.length = 0;
    const p = provider({
      kubeconfig: kubeconfig(({ cluster }) => {
        cluster.skipTLSVerify = true;
        delete cluster.caData;
      }),
    });
    await p.start();
    await p.stop();
    expect(lines.find((l) => l.msg.includes("insecure-skip-tls-verify"))?.level).toBe(40);
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}
