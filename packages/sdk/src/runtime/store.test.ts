import { describe, expect, it } from "vitest";
import type { KubeObject } from "../util/objects.js";
import type { ObjectEvent, WatchEvent } from "./events.js";
import { decodeItem } from "./item.js";
import { Store } from "./store.js";
import type { WatchTarget } from "./target.js";

const target: WatchTarget = { group: "example.io", version: "v1", plural: "widgets", namespaced: true };
const A = "https://shard-a";
const B = "https://shard-b";

function ev(
  type: ObjectEvent["type"],
  ws: string,
  name: string,
  opts: {
    ns?: string;
    endpoint?: string;
    initial?: boolean;
    labels?: Record<string, string>;
    rv?: string;
  } = {},
): ObjectEvent {
  const raw: KubeObject = {
    metadata: {
      name,
      namespace: opts.ns ?? "default",
      resourceVersion: opts.rv ?? "1",
      labels: opts.labels ?? {},
      annotations: { "kcp.io/cluster": ws },
    },
  };
  return { ...decodeItem(target, raw, opts.endpoint ?? A), type, initial: opts.initial ?? false };
}

const start = (endpoint = A): WatchEvent => ({ type: "init-start", endpoint });
const done = (endpoint = A): WatchEvent => ({ type: "init-done", endpoint });

describe("Store", () => {
  it("keys by workspace, namespace and name, with lookups by workspace, namespace and index", () => {
    const store = new Store({ indexes: { app: (i) => [i.object.metadata.labels?.app ?? ""] } });
    for (const e of [
      start(),
      ev("added", "ws1", "x", { initial: true, labels: { app: "web" } }),
      ev("added", "ws2", "x", { initial: true, labels: { app: "db" } }),
      ev("added", "ws2", "y", { ns: "other", initial: true, labels: { app: "web" } }),
      done(),
    ]) {
      store.apply(e);
    }
    expect(store.size).toBe(3);
    expect(store.get({ workspace: "ws1", namespace: "default", name: "x" })?.object.metadata.labels).toEqual({
      app: "web",
    });
    expect(store.get({ workspace: "ws2", namespace: "default", name: "x" })?.object.metadata.labels).toEqual({
      app: "db",
    });
    expect(
      store
        .list({ workspace: "ws2" })
        .map((i) => i.name)
        .sort(),
    ).toEqual(["x", "y"]);
    expect(
      store
        .list({ namespace: "default" })
        .map((i) => i.key)
        .sort(),
    ).toEqual(["ws1/default/x", "ws2/default/x"]);
    expect(store.list({ workspace: "ws2", namespace: "other" }).map((i) => i.key)).toEqual(["ws2/other/y"]);
    expect(
      store
        .byIndex("app", "web")
        .map((i) => i.key)
        .sort(),
    ).toEqual(["ws1/default/x", "ws2/other/y"]);
    store.apply(ev("modified", "ws1", "x", { labels: { app: "db" } }));
    expect(store.byIndex("app", "web").map((i) => i.key)).toEqual(["ws2/other/y"]);
    store.apply(ev("deleted", "ws2", "y", { ns: "other" }));
    expect(store.byIndex("app", "web")).toEqual([]);
    expect(store.workspaces().sort()).toEqual(["ws1", "ws2"]);
    expect(Object.isFrozen(store.get({ workspace: "ws1", namespace: "default", name: "x" })!.object)).toBe(
      true,
    );
  });

  it("keeps serving the old contents during a relist and swaps at init-done", () => {
    const store = new Store();
    [
      start(),
      ev("added", "ws1", "a", { initial: true }),
      ev("added", "ws1", "b", { initial: true }),
      done(),
    ].forEach((e) => {
      store.apply(e);
    });
    store.apply(start());
    store.apply(ev("modified", "ws1", "a", { initial: true, rv: "5" }));
    // Mid-relist: still the complete old view.
    expect(
      store
        .list()
        .map((i) => `${i.name}@${i.resourceVersion}`)
        .sort(),
    ).toEqual(["a@1", "b@1"]);
    store.apply(ev("added", "ws1", "c", { initial: true }));
    store.apply(done());
    expect(
      store
        .list()
        .map((i) => `${i.name}@${i.resourceVersion}`)
        .sort(),
    ).toEqual(["a@5", "c@1"]);
  });

  it("swaps one endpoint's objects without touching another's", () => {
    const store = new Store();
    store.apply({ type: "endpoints", endpoints: [A, B] });
    store.apply(start(A));
    store.apply(ev("added", "ws1", "a", { initial: true }));
    store.apply(done(A));
    expect(store.synced).toBe(false);
    store.apply(start(B));
    store.apply(ev("added", "ws9", "z", { initial: true, endpoint: B }));
    store.apply(done(B));
    expect(store.synced).toBe(true);
    store.apply(start(A));
    store.apply(done(A));
    expect(store.list().map((i) => i.key)).toEqual(["ws9/default/z"]);
    store.apply({ type: "endpoints", endpoints: [A] });
    expect(store.size).toBe(0);
  });

  it("resolves waitForSync when all endpoints are listed, also for none", async () => {
    const store = new Store();
    const p = store.waitForSync({ timeoutMs: 1000 });
    store.apply({ type: "endpoints", endpoints: [] });
    await p;
    const store2 = new Store();
    await expect(store2.waitForSync({ timeoutMs: 20 })).rejects.toThrow(/not synced/);
  });

  it("drops a disengaged workspace's objects", () => {
    const store = new Store();
    [
      start(),
      ev("added", "ws1", "a", { initial: true }),
      ev("added", "ws2", "a", { initial: true }),
      done(),
    ].forEach((e) => {
      store.apply(e);
    });
    store.apply({ type: "disengaged", workspace: "ws1", endpoint: A });
    expect(store.list().map((i) => i.key)).toEqual(["ws2/default/a"]);
  });

  it("keeps live events that arrive during another endpoint's relist", () => {
    const store = new Store();
    [start(), ev("added", "ws1", "a", { initial: true }), done()].forEach((e) => {
      store.apply(e);
    });
    store.apply(start());
    store.apply(ev("added", "ws2", "engaged-meanwhile"));
    store.apply(ev("modified", "ws1", "a", { initial: true }));
    store.apply(done());
    expect(
      store
        .list()
        .map((i) => i.key)
        .sort(),
    ).toEqual(["ws1/default/a", "ws2/default/engaged-meanwhile"]);
  });
});
