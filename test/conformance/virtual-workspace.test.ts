import { CLUSTER_ANNOTATION, KubeApiError, type KubeObject } from "@kcp-mesh/sdk";
import { bindExport } from "@kcp-mesh/sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openWatch } from "./watch-reader.js";
import {
  CONFIGMAP_CLAIM,
  createWidget,
  EXPORT,
  WIDGETS,
  type World,
  widget,
  widgetPath,
  world,
} from "./world.js";

describe("conformance: the APIExport virtual workspace", () => {
  let w: World;
  beforeAll(async () => {
    w = await world("cvw");
    for (const c of w.consumers) await createWidget(w.ws(c), widget("same"));
  });
  afterAll(() => w.root.close());

  it("lists the export's objects of every bound workspace under /clusters/*, each with its cluster annotation", async () => {
    const list = await w.vw.request<{
      kind: string;
      items: KubeObject[];
      metadata: { resourceVersion: string };
    }>({ path: `/clusters/*${WIDGETS}/widgets` });
    expect(list.kind).toBe("WidgetList");
    expect(list.metadata.resourceVersion).toMatch(/^\d+$/);
    const same = list.items.filter((o) => o.metadata.name === "same");
    expect(same.map((o) => o.metadata.annotations?.[CLUSTER_ANNOTATION]).sort()).toEqual(
      w.consumers.map((c) => c.id).sort(),
    );
  });

  it("reads and writes one workspace's objects under /clusters/<id>", async () => {
    const [a, b] = w.consumers as [World["consumers"][0], World["consumers"][0]];
    const got = await w.vw.request<KubeObject>({ path: `/clusters/${a.id}${widgetPath("same")}` });
    expect(got.metadata.annotations?.[CLUSTER_ANNOTATION]).toBe(a.id);
    await w.vw.request({
      method: "PATCH",
      path: `/clusters/${a.id}${widgetPath("same")}/status`,
      body: { status: { phase: "Ready" } },
      contentType: "application/merge-patch+json",
    });
    const fromA = await w.ws(a).request<KubeObject & { status?: unknown }>({ path: widgetPath("same") });
    const fromB = await w.ws(b).request<KubeObject & { status?: unknown }>({ path: widgetPath("same") });
    expect(fromA.status).toEqual({ phase: "Ready" });
    expect(fromB.status).toBeUndefined();
    const created = await w.vw.request<KubeObject>({
      method: "POST",
      path: `/clusters/${b.id}${widgetPath()}`,
      body: widget("made-by-provider"),
    });
    expect(created.metadata.annotations?.[CLUSTER_ANNOTATION]).toBe(b.id);
    await w.ws(b).request({ path: widgetPath("made-by-provider") });
  });

  it("serves the export's APIBindings of every bound workspace, read-only", async () => {
    const list = await w.vw.request<{ items: KubeObject[] }>({
      path: "/clusters/*/apis/apis.kcp.io/v1alpha2/apibindings",
    });
    const ours = list.items.filter((b) => b.metadata.name === EXPORT);
    expect(ours.map((b) => b.metadata.annotations?.[CLUSTER_ANNOTATION]).sort()).toEqual(
      w.consumers.map((c) => c.id).sort(),
    );
    const err = await w.vw
      .request({
        method: "DELETE",
        path: `/clusters/${w.consumers[0]!.id}/apis/apis.kcp.io/v1alpha2/apibindings/${EXPORT}`,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).status).toBeGreaterThanOrEqual(400);
  });

  it("serves a claimed resource only in workspaces that accepted the claim", async () => {
    const [a, b] = w.consumers as [World["consumers"][0], World["consumers"][0]];
    for (const c of [a, b]) {
      await w.ws(c).request({
        method: "POST",
        path: "/api/v1/namespaces/default/configmaps",
        body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "claimed" }, data: { k: "v" } },
      });
    }
    const list = await w.vw.request<{ items: KubeObject[] }>({ path: "/clusters/*/api/v1/configmaps" });
    const claimed = list.items.filter((o) => o.metadata.name === "claimed");
    expect(claimed.map((o) => o.metadata.annotations?.[CLUSTER_ANNOTATION])).toEqual([a.id]);
    const inA = await w.vw.request<KubeObject>({
      path: `/clusters/${a.id}/api/v1/namespaces/default/configmaps/claimed`,
    });
    expect(inA.metadata.name).toBe("claimed");
    const inB = await w.vw
      .request({ path: `/clusters/${b.id}/api/v1/namespaces/default/configmaps/claimed` })
      .catch((e: unknown) => e);
    expect(inB).toBeInstanceOf(KubeApiError);
    expect([403, 404]).toContain((inB as KubeApiError).status);
  });

  it("refuses resources the export neither exports nor claims with 403", async () => {
    const a = w.consumers[0]!;
    const err = await w.vw
      .request({ path: `/clusters/${a.id}/api/v1/namespaces/default/secrets` })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).status).toBe(403);
  });

  // Last: it changes the second workspace's claim.
  it("brings a workspace's existing objects of a claimed resource into an open watch once the claim is accepted", async () => {
    const b = w.consumers[1]!;
    await w.ws(b).request({
      method: "POST",
      path: "/api/v1/namespaces/default/configmaps",
      body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "late" }, data: { k: "v" } },
    });
    const path = "/clusters/*/api/v1/configmaps";
    const list = await w.vw.request<{ metadata: { resourceVersion: string } }>({ path });
    const watch = await openWatch(w.vw, path, {
      resourceVersion: list.metadata.resourceVersion,
      timeoutSeconds: 60,
    });
    try {
      await bindExport(w.ws(b), { path: w.provider.path, name: EXPORT }, { acceptClaims: [CONFIGMAP_CLAIM] });
      const ev = await watch.next(
        (e) =>
          e.object.metadata?.name === "late" && e.object.metadata.annotations?.[CLUSTER_ANNOTATION] === b.id,
        30_000,
      );
      expect(["ADDED", "MODIFIED"]).toContain(ev.type);
    } finally {
      watch.close();
    }
  });
});
