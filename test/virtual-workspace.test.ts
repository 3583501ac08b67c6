import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { CLUSTER_ANNOTATION, KubeApiError, KubeClient, type KubeObject } from "@kcp-mesh/sdk";
import {
  apply,
  bindExport,
  createServiceAccountIdentity,
  createWorkspace,
  providerIdentityRules,
  waitForEndpointSliceUrls,
} from "@kcp-mesh/sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminClient, uniqueSuffix } from "./support/kcp.js";

// The foundation test: a hand-written export, bound in two consumers, read and written through the
// APIExport virtual workspace exactly as a provider controller will.
const EXPORT = "harness.example.io";
const THINGS = "/apis/harness.example.io/v1alpha1";

describe("APIExport virtual workspace on real kcp", () => {
  const suffix = uniqueSuffix();
  const root = adminClient();
  let providerPath: string;
  let consumers: { path: string; id: string }[];
  let vwUrl: string;

  const thing = (name: string, color: string): KubeObject => ({
    apiVersion: "harness.example.io/v1alpha1",
    kind: "Thing",
    metadata: { name, namespace: "default" },
    spec: { color },
  });

  beforeAll(async () => {
    const provider = await createWorkspace(root, `root:vw-${suffix}:providers:widgets`);
    providerPath = provider.path;
    await apply(
      root.forWorkspace(providerPath),
      readFileSync(new URL("./fixtures/things-provider.yaml", import.meta.url), "utf8"),
    );
    consumers = [
      await createWorkspace(root, `root:vw-${suffix}:consumer-a`),
      await createWorkspace(root, `root:vw-${suffix}:consumer-b`),
    ];
    for (const c of consumers) {
      await bindExport(root.forWorkspace(c.path), { path: providerPath, name: EXPORT });
      await apply(root.forWorkspace(c.path), [thing("shared-name", c.path.endsWith("a") ? "red" : "blue")]);
    }
    [vwUrl] = (await waitForEndpointSliceUrls(root.forWorkspace(providerPath), EXPORT)) as [string];
  });

  afterAll(() => root.close());

  it("serves the export's objects of all bound workspaces under /clusters/*", async () => {
    const vw = root.withBaseUrl(vwUrl);
    const list = await vw.request<{ items: KubeObject[] }>({ path: `/clusters/*${THINGS}/things` });
    const ours = list.items.filter((o) => o.metadata.name === "shared-name");
    expect(ours).toHaveLength(2);
    const clusters = ours.map((o) => o.metadata.annotations?.[CLUSTER_ANNOTATION]).sort();
    expect(clusters).toEqual(consumers.map((c) => c.id).sort());
    expect(new Set(clusters).size).toBe(2);
  });

  it("writes status of one workspace's object through the virtual workspace and leaves the other alone", async () => {
    const vw = root.withBaseUrl(vwUrl);
    const [a, b] = consumers as [{ path: string; id: string }, { path: string; id: string }];
    const path = `/clusters/${a.id}${THINGS}/namespaces/default/things/shared-name/status`;
    await vw.request({
      method: "PATCH",
      path,
      body: { status: { phase: "Ready" } },
      contentType: "application/merge-patch+json",
    });
    const fromA = await root
      .forWorkspace(a.path)
      .request<KubeObject>({ path: `${THINGS}/namespaces/default/things/shared-name` });
    const fromB = await root
      .forWorkspace(b.path)
      .request<KubeObject>({ path: `${THINGS}/namespaces/default/things/shared-name` });
    expect(fromA.status).toEqual({ phase: "Ready" });
    expect((fromA.spec as { color: string }).color).toBe("red");
    expect(fromB.status).toBeUndefined();
    expect((fromB.spec as { color: string }).color).toBe("blue");
  });

  it("streams an ADDED event on a wildcard watch when a consumer creates an object", async () => {
    const vw = root.withBaseUrl(vwUrl);
    const list = await vw.request<{ metadata: { resourceVersion: string } }>({
      path: `/clusters/*${THINGS}/things`,
    });
    const res = await vw.open({
      path: `/clusters/*${THINGS}/things`,
      query: {
        watch: true,
        resourceVersion: list.metadata.resourceVersion,
        allowWatchBookmarks: true,
        timeoutSeconds: 60,
      },
    });
    expect(res.statusCode).toBe(200);
    const consumerB = consumers[1]!;
    const seen = (async () => {
      for await (const line of createInterface({ input: res })) {
        const ev = JSON.parse(line) as { type: string; object: KubeObject };
        if (ev.type === "ADDED" && ev.object.metadata.name === "third") return ev;
      }
      throw new Error("watch ended without the ADDED event");
    })();
    await apply(root.forWorkspace(consumerB.path), [thing("third", "green")]);
    const ev = await seen;
    res.destroy();
    expect(ev.object.metadata.annotations?.[CLUSTER_ANNOTATION]).toBe(consumerB.id);
    expect((ev.object.spec as { color: string }).color).toBe("green");
  });

  it("gives a least-privilege identity access to the virtual workspace and nothing else", async () => {
    const provider = root.forWorkspace(providerPath);
    const identity = await createServiceAccountIdentity(provider, {
      name: "things-provider",
      rules: providerIdentityRules(EXPORT),
    });
    expect(identity.username).toBe("system:serviceaccount:default:things-provider");
    const asProvider = KubeClient.fromKubeConfig({ yaml: identity.kubeconfig });
    try {
      const slice = await asProvider.request<{ status: { endpoints: { url: string }[] } }>({
        path: `/apis/apis.kcp.io/v1alpha1/apiexportendpointslices/${EXPORT}`,
      });
      expect(slice.status.endpoints.map((e) => e.url)).toContain(vwUrl);
      const list = await asProvider.withBaseUrl(vwUrl).request<{ items: KubeObject[] }>({
        path: `/clusters/*${THINGS}/things`,
      });
      expect(list.items.filter((o) => o.metadata.name === "shared-name")).toHaveLength(2);
      // Not an admin: the provider workspace's other objects stay out of reach.
      const denied = await asProvider
        .request({ path: "/apis/apis.kcp.io/v1alpha1/apiresourceschemas" })
        .catch((err: unknown) => err);
      expect(denied).toBeInstanceOf(KubeApiError);
      expect((denied as KubeApiError).status).toBe(403);
    } finally {
      asProvider.close();
    }
  });
});
