import { CLUSTER_ANNOTATION, type KubeApiError, type KubeObject } from "@kcp-mesh/sdk";
import { bindExport, createWorkspace, waitFor } from "@kcp-mesh/sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openWatch } from "./watch-reader.js";
import { createWidget, EXPORT, WIDGETS, type World, widget, widgetPath, world } from "./world.js";

describe("conformance: finalizers, deletion, unbinding", () => {
  let w: World;
  beforeAll(async () => {
    w = await world("cfin", 2);
  });
  afterAll(() => w.root.close());

  it("marks an object with finalizers as deleting and deletes it when the last finalizer goes", async () => {
    const c = w.ws(w.consumers[0]!);
    const o = await createWidget(c, {
      ...widget("held"),
      metadata: { name: "held", namespace: "default", finalizers: ["example.io/hold"] },
    });
    const list = await w.vw.request<{ metadata: { resourceVersion: string } }>({
      path: `/clusters/*${WIDGETS}/widgets`,
    });
    const watch = await openWatch(w.vw, `/clusters/*${WIDGETS}/widgets`, {
      resourceVersion: list.metadata.resourceVersion,
      timeoutSeconds: 60,
    });
    try {
      await c.request({ method: "DELETE", path: widgetPath("held") });
      const deleting = await c.request<KubeObject>({ path: widgetPath("held") });
      expect(deleting.metadata.deletionTimestamp).toBeDefined();
      expect(deleting.metadata.finalizers).toEqual(["example.io/hold"]);
      expect(deleting.metadata.generation).toBe((o.metadata.generation ?? 0) + 1);
      // A second delete changes nothing.
      await c.request({ method: "DELETE", path: widgetPath("held") });
      const modified = await watch.next((e) => e.type === "MODIFIED" && e.object.metadata.name === "held");
      expect(modified.object.metadata.deletionTimestamp).toBeDefined();
      await c.request({
        method: "PATCH",
        path: widgetPath("held"),
        body: { metadata: { finalizers: null } },
        contentType: "application/merge-patch+json",
      });
      const deleted = await watch.next((e) => e.type === "DELETED" && e.object.metadata.name === "held");
      expect(deleted.object.metadata.annotations?.[CLUSTER_ANNOTATION]).toBe(w.consumers[0]!.id);
      const gone = await c.request({ path: widgetPath("held") }).catch((e: unknown) => e);
      expect((gone as KubeApiError).status).toBe(404);
    } finally {
      watch.close();
    }
  });

  it("deletes an object without finalizers at once", async () => {
    const c = w.ws(w.consumers[0]!);
    await createWidget(c, widget("quick"));
    await c.request({ method: "DELETE", path: widgetPath("quick") });
    const gone = await c.request({ path: widgetPath("quick") }).catch((e: unknown) => e);
    expect((gone as KubeApiError).status).toBe(404);
  });

  it("deleting an APIBinding deletes its objects (waiting for their finalizers), then the binding, and the virtual workspace drops the workspace", async () => {
    const b = w.consumers[1]!;
    const c = w.ws(b);
    await createWidget(c, widget("plain"));
    await createWidget(c, {
      ...widget("kept"),
      metadata: { name: "kept", namespace: "default", finalizers: ["example.io/hold"] },
    });
    const bindings = `/clusters/*/apis/apis.kcp.io/v1alpha2/apibindings`;
    const list = await w.vw.request<{ metadata: { resourceVersion: string } }>({ path: bindings });
    const watch = await openWatch(w.vw, bindings, {
      resourceVersion: list.metadata.resourceVersion,
      timeoutSeconds: 120,
    });
    try {
      await c.request({ method: "DELETE", path: `/apis/apis.kcp.io/v1alpha2/apibindings/${EXPORT}` });
      await waitFor(
        "the plain widget to go",
        async () => ((await c.get(widgetPath("plain"))) === undefined ? true : undefined),
        { timeoutMs: 60_000 },
      );
      const kept = await waitFor(
        "the kept widget to be deleting",
        async () => {
          const o = await c.get<KubeObject>(widgetPath("kept"));
          return o?.metadata.deletionTimestamp ? o : undefined;
        },
        { timeoutMs: 60_000 },
      );
      expect(kept.metadata.finalizers).toEqual(["example.io/hold"]);
      expect(await c.get(`/apis/apis.kcp.io/v1alpha2/apibindings/${EXPORT}`)).toBeDefined();
      await w.vw.request({
        method: "PATCH",
        path: `/clusters/${b.id}${widgetPath("kept")}`,
        body: { metadata: { finalizers: null } },
        contentType: "application/merge-patch+json",
      });
      await watch.next(
        (e) => e.type === "DELETED" && e.object.metadata.annotations?.[CLUSTER_ANNOTATION] === b.id,
        60_000,
      );
      const all = await w.vw.request<{ items: KubeObject[] }>({ path: `/clusters/*${WIDGETS}/widgets` });
      expect(all.items.filter((o) => o.metadata.annotations?.[CLUSTER_ANNOTATION] === b.id)).toEqual([]);
    } finally {
      watch.close();
    }
  });

  it("deleting a workspace deletes what is in it (waiting for finalizers), then the workspace", async () => {
    const doomed = await createWorkspace(w.root, `${w.provider.path}-doomed`);
    const c = w.root.forWorkspace(doomed.path);
    await bindExport(c, { path: w.provider.path, name: EXPORT });
    await createWidget(c, {
      ...widget("kept"),
      metadata: { name: "kept", namespace: "default", finalizers: ["example.io/hold"] },
    });
    const parent = w.root.forWorkspace(doomed.path.slice(0, doomed.path.lastIndexOf(":")));
    const name = doomed.path.split(":").at(-1)!;
    await parent.request({ method: "DELETE", path: `/apis/tenancy.kcp.io/v1alpha1/workspaces/${name}` });
    const inVw = `/clusters/${doomed.id}${widgetPath("kept")}`;
    const deleting = await waitFor(
      "the widget to be deleting",
      async () => {
        const o = await w.vw.get<KubeObject>(inVw);
        return o?.metadata.deletionTimestamp ? o : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(deleting.metadata.finalizers).toEqual(["example.io/hold"]);
    const ws = await parent.get<KubeObject>(`/apis/tenancy.kcp.io/v1alpha1/workspaces/${name}`);
    expect(ws?.metadata.deletionTimestamp).toBeDefined();
    await w.vw.request({
      method: "PATCH",
      path: inVw,
      body: { metadata: { finalizers: null } },
      contentType: "application/merge-patch+json",
    });
    await waitFor(
      "the workspace to go",
      async () => ((await parent.get(`/apis/tenancy.kcp.io/v1alpha1/workspaces/${name}`)) ? undefined : true),
      { timeoutMs: 90_000, intervalMs: 500 },
    );
  }, 120_000);
});
