import { resolve } from "node:path";
import { getCondition, KubeClient, type KubeObject } from "@kcp-mesh/sdk";
import { apply, bindExport, bootstrapProvider, createWorkspace, waitFor } from "@kcp-mesh/sdk/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { HttpBinObject } from "../api/index.js";
import { createHttpBinProvider } from "../src/provider.js";

const EXPORT = "httpbin.examples.kcp-mesh.io";
const API = "/apis/httpbin.examples.kcp-mesh.io/v1alpha1";

/**
 * `<Kind> <namespace>/<name>` -> resourceVersion of what bootstrapping touches in a provider
 * workspace (schemas, conversions, export, RBAC, service accounts, secrets), and of the workspace itself.
 */
async function resourceVersions(admin: KubeClient, path: string): Promise<Record<string, string>> {
  const ws = admin.forWorkspace(path);
  const out: Record<string, string> = {};
  for (const [kind, collection] of [
    ["APIResourceSchema", "/apis/apis.kcp.io/v1alpha1/apiresourceschemas"],
    ["APIConversion", "/apis/apis.kcp.io/v1alpha1/apiconversions"],
    ["APIExport", "/apis/apis.kcp.io/v1alpha2/apiexports"],
    ["ClusterRole", "/apis/rbac.authorization.k8s.io/v1/clusterroles"],
    ["ClusterRoleBinding", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings"],
    ["ServiceAccount", "/api/v1/serviceaccounts"],
    ["Secret", "/api/v1/secrets"],
  ]) {
    for (const o of (await ws.get<{ items: KubeObject[] }>(collection!))?.items ?? []) {
      out[`${kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`] = o.metadata.resourceVersion!;
    }
  }
  const parent = admin.forWorkspace(path.slice(0, path.lastIndexOf(":")));
  const name = path.slice(path.lastIndexOf(":") + 1);
  const w = await parent.get<KubeObject>(`/apis/tenancy.kcp.io/v1alpha1/workspaces/${name}`);
  out[`Workspace ${path}`] = w!.metadata.resourceVersion!;
  return out;
}

describe("HttpBin provider on real kcp", () => {
  const suffix = Math.random().toString(36).slice(2, 7);
  const admin = KubeClient.fromKubeConfig({ path: inject("kcp").kubeconfigPath }).forWorkspace("root");
  let consumer: KubeClient;
  let app: ReturnType<typeof createHttpBinProvider>;

  const read = (name: string) => consumer.get<HttpBinObject>(`${API}/namespaces/default/httpbins/${name}`);
  const httpbin = (name: string, message: string): KubeObject => ({
    apiVersion: `${EXPORT}/v1alpha1`,
    kind: "HttpBin",
    metadata: { name, namespace: "default" },
    spec: { message },
  });

  beforeAll(async () => {
    const provider = await bootstrapProvider(admin, {
      workspace: `root:hb-${suffix}:provider`,
      deployDir: resolve(import.meta.dirname, "../deploy"),
      identityName: "httpbin-provider",
    });
    // Bootstrapping twice changes nothing: every object keeps its resourceVersion.
    await waitFor("the APIExportEndpointSlice", () =>
      admin
        .forWorkspace(provider.workspace.path)
        .get(`/apis/apis.kcp.io/v1alpha1/apiexportendpointslices/${EXPORT}`),
    );
    let before = await resourceVersions(admin, provider.workspace.path);
    before = await waitFor("the provider workspace to settle", async () => {
      await new Promise((r) => setTimeout(r, 1_000));
      const now = await resourceVersions(admin, provider.workspace.path);
      const settled = JSON.stringify(now) === JSON.stringify(before);
      before = now;
      return settled ? now : undefined;
    });
    expect(Object.keys(before)).toEqual(
      expect.arrayContaining([
        ...provider.applied.map((o) => `${o.kind} /${o.metadata.name}`),
        "ServiceAccount default/httpbin-provider",
      ]),
    );
    await bootstrapProvider(admin, {
      workspace: `root:hb-${suffix}:provider`,
      deployDir: resolve(import.meta.dirname, "../deploy"),
      identityName: "httpbin-provider",
    });
    expect(await resourceVersions(admin, provider.workspace.path)).toEqual(before);
    const ws = await createWorkspace(admin, `root:hb-${suffix}:consumer`);
    consumer = admin.forWorkspace(ws.path);
    await bindExport(consumer, { path: provider.workspace.path, name: EXPORT });
    app = createHttpBinProvider({
      kubeconfig: { yaml: provider.identity.kubeconfig },
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" }),
      handleSignals: false,
    });
    await app.provider.start();
  });

  afterAll(async () => {
    await app?.provider.stop();
    await app?.servers.closeAll();
    admin.close();
  });

  it("serves an endpoint per object, reports its URL, and answers with the spec's message", async () => {
    await apply(consumer, [httpbin("hello", "hi from the test")]);
    const hb = await waitFor("hello ready", async () => {
      const o = await read("hello");
      return o?.status?.phase === "Ready" ? o : undefined;
    });
    expect(hb.status?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(getCondition((hb.status as { conditions?: [] }).conditions, "Ready")?.status).toBe("True");
    const body = (await (await fetch(`${hb.status!.url}/get`)).json()) as { message: string };
    expect(body.message).toBe("hi from the test");
  });

  it("picks up a changed message on the same URL", async () => {
    const before = (await read("hello"))!.status!.url!;
    await apply(consumer, [httpbin("hello", "changed")]);
    await waitFor("new message served", async () => {
      const body = (await (await fetch(`${before}/get`)).json()) as { message: string };
      return body.message === "changed" ? true : undefined;
    });
    expect((await read("hello"))!.status!.url).toBe(before);
  });

  it("stops the endpoint when the object is deleted, then lets the object go", async () => {
    const url = (await read("hello"))!.status!.url!;
    await consumer.request({ method: "DELETE", path: `${API}/namespaces/default/httpbins/hello` });
    await waitFor("hello gone", async () => ((await read("hello")) === undefined ? true : undefined));
    await expect(fetch(`${url}/get`)).rejects.toThrow();
    expect(app.servers.size).toBe(0);
  });
});
