import { CLUSTER_ANNOTATION, type KubeApiError, type KubeObject } from "@kcp-mesh/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openWatch } from "./watch-reader.js";
import { createWidget, WIDGETS, type World, widget, widgetPath, world } from "./world.js";

interface List {
  items: KubeObject[];
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
}

describe("conformance: wildcard list and watch", () => {
  let w: World;
  const all = `/clusters/*${WIDGETS}/widgets`;
  const WIDGETS_IN_WS = `${WIDGETS}/namespaces/default/widgets`;
  beforeAll(async () => {
    w = await world("clw");
    for (const c of w.consumers) for (let i = 0; i < 3; i++) await createWidget(w.ws(c), widget(`page-${i}`));
  });
  afterAll(() => w.root.close());

  it("pages a wildcard list with limit and continue, every object exactly once", async () => {
    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page: List = await w.vw.request<List>({ path: all, query: { limit: 2, continue: token } });
      pages++;
      expect(page.items.length).toBeLessThanOrEqual(2);
      names.push(
        ...page.items.map((o) => `${o.metadata.annotations?.[CLUSTER_ANNOTATION]}/${o.metadata.name}`),
      );
      token = page.metadata.continue || undefined;
      if (token) expect(page.metadata.resourceVersion).toMatch(/^\d+$/);
    } while (token);
    expect(pages).toBe(3);
    expect(names).toHaveLength(6);
    expect(new Set(names).size).toBe(6);
  });

  it("rejects a continue token that is not one with 400", async () => {
    const err = await w.vw
      .request({ path: all, query: { limit: 2, continue: "not-a-token" } })
      .catch((e: unknown) => e);
    expect((err as KubeApiError).status).toBe(400);
  });

  it("streams ADDED, MODIFIED and DELETED in order from the list's resourceVersion", async () => {
    const list = await w.vw.request<List>({ path: all });
    const watch = await openWatch(w.vw, all, {
      resourceVersion: list.metadata.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: 60,
    });
    try {
      expect(watch.status).toBe(200);
      const c = w.ws(w.consumers[1]!);
      await createWidget(c, widget("streamed"));
      await c.request({
        method: "PATCH",
        path: widgetPath("streamed"),
        body: { spec: { size: "large" } },
        contentType: "application/merge-patch+json",
      });
      await c.request({ method: "DELETE", path: widgetPath("streamed") });
      await watch.next((e) => e.type === "DELETED" && e.object.metadata.name === "streamed");
      const ours = watch.events.filter((e) => e.object.metadata?.name === "streamed");
      expect(ours.map((e) => e.type)).toEqual(["ADDED", "MODIFIED", "DELETED"]);
      expect(
        ours.every((e) => e.object.metadata.annotations?.[CLUSTER_ANNOTATION] === w.consumers[1]!.id),
      ).toBe(true);
      const rvs = ours.map((e) => BigInt(e.object.metadata.resourceVersion!));
      expect(rvs[0]! < rvs[1]! && rvs[1]! < rvs[2]!).toBe(true);
      // No event replays what the list already held.
      expect(
        watch.events.filter((e) => e.type === "ADDED" && e.object.metadata?.name?.startsWith("page-")),
      ).toEqual([]);
    } finally {
      watch.close();
    }
  });

  it("resumes a watch from a resourceVersion: later writes are replayed, earlier ones are not", async () => {
    const c = w.ws(w.consumers[0]!);
    const first = await createWidget(c, widget("resume-1"));
    await createWidget(c, widget("resume-2"));
    const watch = await openWatch(w.vw, all, {
      resourceVersion: first.metadata.resourceVersion!,
      timeoutSeconds: 30,
    });
    try {
      const ev = await watch.next((e) => e.object.metadata?.name === "resume-2");
      expect(ev.type).toBe("ADDED");
      expect(watch.events.some((e) => e.object.metadata?.name === "resume-1")).toBe(false);
    } finally {
      watch.close();
    }
  });

  it("starts a watch without resourceVersion with the current objects as ADDED", async () => {
    const watch = await openWatch(w.vw, all, { timeoutSeconds: 30 });
    try {
      await watch.next((e) => e.type === "ADDED" && e.object.metadata?.name === "page-2");
    } finally {
      watch.close();
    }
  });

  it("filters a watch by field selector (metadata.name)", async () => {
    const list = await w.vw.request<List>({ path: all });
    const watch = await openWatch(w.vw, all, {
      resourceVersion: list.metadata.resourceVersion,
      fieldSelector: "metadata.name=picked",
      timeoutSeconds: 30,
    });
    try {
      const c = w.ws(w.consumers[0]!);
      await createWidget(c, widget("not-picked"));
      await createWidget(c, widget("picked"));
      await watch.next((e) => e.type === "ADDED" && e.object.metadata?.name === "picked");
      expect(watch.events.some((e) => e.object.metadata?.name === "not-picked")).toBe(false);
    } finally {
      watch.close();
    }
  });

  it("ends a watch normally at timeoutSeconds, without an ERROR event", async () => {
    const list = await w.vw.request<List>({ path: all });
    const started = Date.now();
    const watch = await openWatch(w.vw, all, {
      resourceVersion: list.metadata.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: 3,
    });
    await watch.ended;
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(2_500);
    expect(took).toBeLessThan(15_000);
    expect(watch.events.filter((e) => e.type === "ERROR")).toEqual([]);
  }, 30_000);

  for (const where of ["a workspace", "the virtual workspace"] as const) {
    it(`marks the end of the initial events of a watch from resourceVersion 0 with a BOOKMARK, in ${where}`, async () => {
      const client = where === "a workspace" ? w.ws(w.consumers[0]!) : w.vw;
      const path = where === "a workspace" ? WIDGETS_IN_WS : all;
      const watch = await openWatch(client, path, {
        resourceVersion: "0",
        allowWatchBookmarks: true,
        timeoutSeconds: 30,
      });
      try {
        const bookmark = await watch.next((e) => e.type === "BOOKMARK");
        expect(bookmark.object.metadata.annotations?.["k8s.io/initial-events-end"]).toBe("true");
        expect(bookmark.object.metadata.resourceVersion).toMatch(/^\d+$/);
        expect(bookmark.object.kind).toBe("Widget");
        const before = watch.events.slice(0, watch.events.indexOf(bookmark));
        expect(before.length).toBeGreaterThan(0);
        expect(before.every((e) => e.type === "ADDED")).toBe(true);
      } finally {
        watch.close();
      }
    });
  }

  it("answers a watch from a resourceVersion older than the history kept with 410 Expired", async () => {
    const watch = await openWatch(w.vw, all, { resourceVersion: "1", timeoutSeconds: 10 });
    if (watch.status === 200) {
      const ev = await watch.next((e) => e.type === "ERROR");
      expect(ev.object.code).toBe(410);
      expect(ev.object.reason).toBe("Expired");
      watch.close();
    } else {
      expect(watch.status).toBe(410);
    }
  });
});
