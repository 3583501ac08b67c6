import { resolve } from "node:path";
import { getCondition, KubeClient, type KubeObject } from "@kcp-mesh/sdk";
import { apply, bindExport, bootstrapProvider, createWorkspace, waitFor } from "@kcp-mesh/sdk/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { HttpBinObject } from "../api/index.js";
import { createHttpBinProvider } from "../src/provider.js";

const EXPORT = "httpbin.examples.kcp-mesh.io";
const API = "/apis/httpbin.examples.kcp-mesh.io/v1alpha1";

// What a consumer does after subscribing: break an object, fix it, unsubscribe.
describe("HttpBin consumers leaving", () => {
  const suffix = Math.random().toString(36).slice(2, 7);
  const admin = KubeClient.fromKubeConfig({ path: inject("kcp").kubeconfigPath }).forWorkspace("root");
  const consumers: KubeClient[] = [];
  const ids: string[] = [];
  let app: ReturnType<typeof createHttpBinProvider>;

  const read = (i: number, name: string) =>
    consumers[i]!.get<HttpBinObject>(`${API}/namespaces/default/httpbins/${name}`);
  const httpbin = (name: string, message: string): KubeObject => ({
    apiVersion: `${EXPORT}/v1alpha1`,
    kind: "HttpBin",
    metadata: { name, namespace: "default" },
    spec: { message },
  });
  const serving = (i: number, name: string) =>
    waitFor(`${name} serving in consumer ${i}`, async () => {
      const o = await read(i, name);
      return o?.status?.phase === "Ready" && o.status.url ? o.status.url : undefined;
    });
  const ready = (o: HttpBinObject | undefined) =>
    getCondition((o?.status as { conditions?: [] } | undefined)?.conditions, "Ready");

  beforeAll(async () => {
    const provider = await bootstrapProvider(admin, {
      workspace: `root:hbl-${suffix}:provider`,
      deployDir: resolve(import.meta.dirname, "../deploy"),
      identityName: "httpbin-provider",
    });
    for (const name of ["one", "two"]) {
      const ws = await createWorkspace(admin, `root:hbl-${suffix}:${name}`);
      const c = admin.forWorkspace(ws.path);
      await bindExport(c, { path: provider.workspace.path, name: EXPORT });
      consumers.push(c);
      ids.push(ws.id);
    }
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

  it("withdraws the endpoint of an object that turns invalid, and serves it again once fixed", async () => {
    await apply(consumers[0]!, [httpbin("flip", "valid")]);
    const url = await serving(0, "flip");
    await apply(consumers[0]!, [httpbin("flip", "   ")]);
    const bad = await waitFor("flip invalid", async () => {
      const o = await read(0, "flip");
      return ready(o)?.reason === "InvalidSpec" ? o : undefined;
    });
    expect(ready(bad)?.message).toBe("spec.message: must not be blank");
    expect(bad?.status?.phase).toBe("Failed");
    expect(bad?.status?.url).toBeUndefined();
    await expect(fetch(`${url}/get`)).rejects.toThrow();
    await apply(consumers[0]!, [httpbin("flip", "valid again")]);
    const again = await serving(0, "flip");
    const body = (await (await fetch(`${again}/get`)).json()) as { message: string };
    expect(body.message).toBe("valid again");
  });

  it("unbinding stops every endpoint of that workspace and completes; the other workspace keeps its own", async () => {
    await apply(consumers[0]!, [httpbin("a", "a"), httpbin("b", "b")]);
    await apply(consumers[1]!, [httpbin("a", "a in two")]);
    const urls = [await serving(0, "a"), await serving(0, "b"), await serving(0, "flip")];
    const other = await serving(1, "a");
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
    for (const u of urls) await expect(fetch(`${u}/get`)).rejects.toThrow();
    expect(app.servers.get(`${ids[0]}/default/a`)).toBeUndefined();
    const body = (await (await fetch(`${other}/get`)).json()) as { message: string };
    expect(body.message).toBe("a in two");
    expect(app.servers.size).toBe(1);
  });
});
