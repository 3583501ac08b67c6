import { CLUSTER_ANNOTATION, KubeApiError, type KubeObject } from "@kcp-mesh/sdk";
import { createWorkspace } from "@kcp-mesh/sdk/testing";
import { afterAll, describe, expect, it } from "vitest";
import { adminClient, uniqueSuffix } from "../support/kcp.js";

const WORKSPACES = "/apis/tenancy.kcp.io/v1alpha1/workspaces";

describe("conformance: workspaces", () => {
  const root = adminClient();
  const base = `root:cw-${uniqueSuffix()}`;
  afterAll(() => root.close());

  it("creates nested workspaces by path, Ready with a logical cluster id, reachable by path and by id", async () => {
    const ws = await createWorkspace(root, `${base}:team:app`);
    expect(ws.path).toBe(`${base}:team:app`);
    expect(ws.id).toMatch(/^[a-z0-9]+$/);
    expect(ws.id).not.toBe(ws.path);
    const parent = root.forWorkspace(`${base}:team`);
    const w = await parent.request<
      KubeObject & { spec: { cluster: string; URL: string }; status: { phase: string } }
    >({
      path: `${WORKSPACES}/app`,
    });
    expect(w.status.phase).toBe("Ready");
    expect(w.spec.cluster).toBe(ws.id);
    expect(w.spec.URL).toMatch(new RegExp(`/clusters/${base}:team:app$`));
    const byPath = await root
      .forWorkspace(ws.path)
      .request<KubeObject>({ path: "/api/v1/namespaces/default" });
    const byId = await root.forWorkspace(ws.id).request<KubeObject>({ path: "/api/v1/namespaces/default" });
    expect(byId.metadata.uid).toBe(byPath.metadata.uid);
  });

  it("annotates every object read with kcp.io/cluster, the logical cluster id", async () => {
    const ws = await createWorkspace(root, `${base}:annotated`);
    const c = root.forWorkspace(ws.path);
    await c.request({
      method: "POST",
      path: "/api/v1/namespaces/default/configmaps",
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "a" }, data: { k: "v" } },
    });
    const one = await c.request<KubeObject>({ path: "/api/v1/namespaces/default/configmaps/a" });
    expect(one.metadata.annotations?.[CLUSTER_ANNOTATION]).toBe(ws.id);
    const list = await c.request<{ items: KubeObject[] }>({ path: "/api/v1/namespaces/default/configmaps" });
    expect(list.items.find((o) => o.metadata.name === "a")?.metadata.annotations?.[CLUSTER_ANNOTATION]).toBe(
      ws.id,
    );
  });

  it("starts a new workspace with the default namespace", async () => {
    const ws = await createWorkspace(root, `${base}:fresh`);
    const list = await root
      .forWorkspace(ws.path)
      .request<{ items: KubeObject[] }>({ path: "/api/v1/namespaces" });
    expect(list.items.map((n) => n.metadata.name)).toContain("default");
  });

  it("answers 409 AlreadyExists for a second workspace of the same name", async () => {
    await createWorkspace(root, `${base}:twice`);
    const err = await root
      .forWorkspace(base)
      .request({
        method: "POST",
        path: WORKSPACES,
        body: {
          apiVersion: "tenancy.kcp.io/v1alpha1",
          kind: "Workspace",
          metadata: { name: "twice" },
          spec: {},
        },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).status).toBe(409);
    expect((err as KubeApiError).reason).toBe("AlreadyExists");
  });

  it("keeps objects of the same name in two workspaces apart", async () => {
    const a = await createWorkspace(root, `${base}:apart-a`);
    const b = await createWorkspace(root, `${base}:apart-b`);
    for (const [ws, v] of [
      [a, "1"],
      [b, "2"],
    ] as const) {
      await root.forWorkspace(ws.path).request({
        method: "POST",
        path: "/api/v1/namespaces/default/configmaps",
        body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "same" }, data: { v } },
      });
    }
    const read = (p: string) =>
      root
        .forWorkspace(p)
        .request<{ data: { v: string } }>({ path: "/api/v1/namespaces/default/configmaps/same" });
    expect((await read(a.path)).data.v).toBe("1");
    expect((await read(b.path)).data.v).toBe("2");
  });
});
