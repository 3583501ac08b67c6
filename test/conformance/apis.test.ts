import { KubeApiError, type KubeObject } from "@kcp-mesh/sdk";
import { bindExport, createWorkspace, waitFor } from "@kcp-mesh/sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXPORT, type World, world } from "./world.js";

interface Binding extends KubeObject {
  status?: {
    phase?: string;
    apiExportClusterName?: string;
    boundResources?: { group: string; resource: string }[];
    appliedPermissionClaims?: { group: string; resource: string }[];
    exportPermissionClaims?: { group: string; resource: string }[];
    conditions?: { type: string; status: string }[];
  };
}

describe("conformance: APIExports, APIBindings, endpoint slices", () => {
  let w: World;
  beforeAll(async () => {
    w = await world("capi");
  });
  afterAll(() => w.root.close());

  it("publishes the export's virtual workspace URL in its endpoint slice once a workspace binds it", async () => {
    const slice = await w.ws(w.provider).request<
      KubeObject & {
        spec: { export: { path: string; name: string } };
        status: { endpoints: { url: string }[] };
      }
    >({
      path: `/apis/apis.kcp.io/v1alpha1/apiexportendpointslices/${EXPORT}`,
    });
    expect(slice.spec.export).toEqual({ path: w.provider.path, name: EXPORT });
    expect(slice.status.endpoints.map((e) => e.url)).toEqual([w.vwUrl]);
    expect(new URL(w.vwUrl).pathname).toBe(`/services/apiexport/${w.provider.id}/${EXPORT}`);
  });

  it("lists no URL in the slice of an export that nobody binds", async () => {
    const lonely = await createWorkspace(w.root, `${w.provider.path}-lonely`);
    const c = w.root.forWorkspace(lonely.path);
    await c.request({
      method: "POST",
      path: "/apis/apis.kcp.io/v1alpha2/apiexports",
      body: {
        apiVersion: "apis.kcp.io/v1alpha2",
        kind: "APIExport",
        metadata: { name: "nobody.example.io" },
        spec: {},
      },
    });
    const slice = await waitFor("the slice", () =>
      c.get<{ status?: { endpoints?: unknown[] } }>(
        "/apis/apis.kcp.io/v1alpha1/apiexportendpointslices/nobody.example.io",
      ),
    );
    expect(slice.status?.endpoints ?? []).toEqual([]);
  });

  it("reports a binding Bound and Ready, with the export's cluster, its resources and the applied claims", async () => {
    const b = await w
      .ws(w.consumers[0]!)
      .request<Binding>({ path: `/apis/apis.kcp.io/v1alpha2/apibindings/${EXPORT}` });
    expect(b.status?.phase).toBe("Bound");
    expect(b.status?.apiExportClusterName).toBe(w.provider.id);
    expect(b.status?.boundResources?.map((r) => [r.group, r.resource])).toEqual([
      ["conformance.example.io", "widgets"],
    ]);
    expect(b.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    expect(b.status?.appliedPermissionClaims?.map((c) => [c.group, c.resource])).toEqual([
      ["", "configmaps"],
    ]);
    expect(b.status?.exportPermissionClaims?.map((c) => [c.group, c.resource])).toEqual([["", "configmaps"]]);
    const other = await w
      .ws(w.consumers[1]!)
      .request<Binding>({ path: `/apis/apis.kcp.io/v1alpha2/apibindings/${EXPORT}` });
    expect(other.status?.phase).toBe("Bound");
    expect(other.status?.appliedPermissionClaims ?? []).toEqual([]);
  });

  it("serves the bound resource in the consumer workspace (discovery, list), and not in an unbound one", async () => {
    const c = w.ws(w.consumers[0]!);
    const gv = await c.request<{ resources: { name: string; kind: string; namespaced: boolean }[] }>({
      path: "/apis/conformance.example.io/v1alpha1",
    });
    expect(gv.resources.find((r) => r.name === "widgets")).toMatchObject({
      kind: "Widget",
      namespaced: true,
    });
    expect(gv.resources.map((r) => r.name)).toContain("widgets/status");
    // kcp may answer 429 "storage is (re)initializing" for a moment after the binding.
    await waitFor("the widgets list", () =>
      c.request({ path: "/apis/conformance.example.io/v1alpha1/namespaces/default/widgets" }),
    );
    const unbound = await createWorkspace(w.root, `${w.provider.path}-unbound`);
    const err = await w.root
      .forWorkspace(unbound.path)
      .request({ path: "/apis/conformance.example.io/v1alpha1/namespaces/default/widgets" })
      .catch((e: unknown) => e);
    expect((err as KubeApiError).status).toBe(404);
  });

  it("refuses to bind a missing export with 403", async () => {
    const ws = await createWorkspace(w.root, `${w.provider.path}-missing`);
    const c = w.root.forWorkspace(ws.path);
    const err = await bindExport(
      c,
      { path: w.provider.path, name: "no-such-export.example.io" },
      { timeoutMs: 3_000 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).status).toBe(403);
    expect((err as KubeApiError).message).toContain(
      `no permission to bind to export ${w.provider.path}:no-such-export.example.io`,
    );
    expect(await c.get("/apis/apis.kcp.io/v1alpha2/apibindings/no-such-export.example.io")).toBeUndefined();
  });

  it("holds kcp's own APIExports in root, tenancy.kcp.io among them", async () => {
    const list = await w.root.request<{ items: KubeObject[] }>({
      path: "/apis/apis.kcp.io/v1alpha2/apiexports",
    });
    expect(list.items.map((e) => e.metadata.name)).toContain("tenancy.kcp.io");
  });
});
